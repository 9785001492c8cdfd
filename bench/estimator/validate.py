#!/usr/bin/env python3
"""Recomputes every estimate of validation.md with the built `tinycnn` and rewrites the table.

  swift build -c release --product tinycnn && python3 bench/estimator/validate.py

Standard library only. The models are the description files in bench/estimator/models (written by
make_models.py from the published architectures; their MACs and parameters equal those of the
MLPerf Tiny int8 .tflite files, see validation.md). With MLPERF_TINY=<checkout of mlcommons/tiny>
the script also estimates the real .tflite files and prints both.
"""
import json, os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tool = os.environ.get("TINYCNN", os.path.join(root, ".build", "release", "tinycnn"))
here = os.path.join(root, "bench", "estimator")

V05 = "MLPerf Tiny v0.5, closed/reference, Nucleo-L4R5ZI (TFLM from TF 2.3.1 + CMSIS-NN, Mbed), mlcommons/tiny_results_v0.5 results/Nucleo-L4R5ZI/<task>/performance/results.txt (median throughput)"
V07 = "MLPerf Tiny v0.7, closed/renesas, EK-RA6M4 (TFLM + CMSIS, GCC 8.3), mlcommons/tiny_results_v0.7 closed/renesas/results/EK-RA6M4/<task>/performance/results.txt"
V10 = "MLPerf Tiny v1.0, closed/OctoML microtvm_cmsis_nn, nRF5340 DK (microTVM + CMSIS-NN kernels, Zephyr), mlcommons/tiny_results_v1.0 closed/OctoML/results/microtvm_cmsis_nn/NRF5340-DK/<task>/performance/results.txt"
ESP = "espressif/esp-tflite-micro README, 'Performance Comparison' table (invoke() time, internal memory)"

IC, KWS, VWW, AD, PD = (os.path.join(here, "models", f) for f in (
    "mlperf-tiny-ic-resnet8.json", "mlperf-tiny-kws-dscnn.json",
    "mlperf-tiny-vww-mobilenetv1-025.json", "mlperf-tiny-ad-autoencoder.json",
    "tflm-person-detection.json"))
RA6M4 = ["--target-file", os.path.join(here, "targets", "ek-ra6m4.json")]
NRF5340 = ["--target-file", os.path.join(here, "targets", "nrf5340.json")]

# (case, model, target args, kernels, measured ms, source). Throughputs converted: ms = 1000 / (inf/s).
CASES = [
    ("IC ResNet-8", IC, ["--target", "stm32l4r5"], "cmsis-nn", 1000 / 1.420, V05),
    ("KWS DS-CNN", KWS, ["--target", "stm32l4r5"], "cmsis-nn", 1000 / 5.497, V05),
    ("VWW MobileNetV1-0.25", VWW, ["--target", "stm32l4r5"], "cmsis-nn", 1000 / 1.665, V05),
    ("AD autoencoder", AD, ["--target", "stm32l4r5"], "cmsis-nn", 1000 / 99.487, V05),
    ("IC ResNet-8", IC, RA6M4, "cmsis-nn", 1000 / 4.062, V07),
    ("KWS DS-CNN", KWS, RA6M4, "cmsis-nn", 1000 / 19.774, V07),
    ("VWW MobileNetV1-0.25", VWW, RA6M4, "cmsis-nn", 1000 / 6.159, V07),
    ("AD autoencoder", AD, RA6M4, "cmsis-nn", 1000 / 216.772, V07),
    ("IC ResNet-8", IC, NRF5340, "cmsis-nn", 1000 / 3.163, V10),
    ("KWS DS-CNN", KWS, NRF5340, "cmsis-nn", 1000 / 13.143, V10),
    ("VWW MobileNetV1-0.25", VWW, NRF5340, "cmsis-nn", 1000 / 4.310, V10),
    ("person detection", PD, ["--target", "esp32s3"], "cmsis-nn", 54, ESP + ", ESP32-S3 with ESP-NN"),
    ("person detection", PD, ["--target", "esp32s3"], "reference", 2300, ESP + ", ESP32-S3 without ESP-NN"),
    ("person detection", PD, ["--target", "esp32c3"], "cmsis-nn", 426, ESP + ", ESP32-C3 with ESP-NN"),
    ("person detection", PD, ["--target", "esp32c3"], "reference", 3355, ESP + ", ESP32-C3 without ESP-NN"),
]

def estimate(model, target, kernels):
    out = subprocess.run([tool, "estimate", "--model", model, *target, "--kernels", kernels, "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)

def main():
    rows, sources, errors = [], [], []
    for case, model, target, kernels, measured, source in CASES:
        e = estimate(model, target, kernels)
        est = e["total"]["milliseconds"]
        err = 100 * (est - measured) / measured
        errors.append(abs(err))
        if source not in sources: sources.append(source)
        t = e["target"]
        rows.append(f"| {case} | {t['part']} | {t['core']} @ {t['clock_mhz']:g} MHz | {kernels} | "
                    f"{e['total']['macs']:,} | {est:.1f} | {measured:.1f} | {err:+.0f}% | [{sources.index(source) + 1}] |")
    table = ["| model | board | core | kernels | MACs | estimate ms | measured ms | error | source |",
             "|---|---|---|---|---:|---:|---:|---:|---|"] + rows
    errors.sort()
    summary = (f"{len(errors)} cases: median |error| {errors[len(errors) // 2]:.0f}%, "
               f"max {errors[-1]:.0f}%.")
    refs = [f"[{i + 1}] {s}" for i, s in enumerate(sources)]
    text = "\n".join(table) + "\n\n" + summary + "\n\n" + "\n".join(refs) + "\n"
    doc = os.path.join(here, "validation.md")
    body = open(doc).read()
    start, end = "<!-- table:start -->", "<!-- table:end -->"
    i, j = body.index(start) + len(start), body.index(end)
    tmp = doc + ".tmp"
    with open(tmp, "w") as f: f.write(body[:i] + "\n" + text + body[j:])
    os.replace(tmp, doc)
    print(text)
    tiny = os.environ.get("MLPERF_TINY")
    if tiny:
        base = os.path.join(tiny, "benchmark", "training")
        for name, path in [("IC", "image_classification/trained_models/pretrainedResnet_quant.tflite"),
                           ("KWS", "keyword_spotting/trained_models/kws_ref_model.tflite"),
                           ("VWW", "visual_wake_words/trained_models/vww_96_int8.tflite"),
                           ("AD", "anomaly_detection/trained_models/ad01_int8.tflite")]:
            e = estimate(os.path.join(base, path), ["--target", "stm32l4r5"], "cmsis-nn")
            print(f"{name} real .tflite on stm32l4r5: {e['total']['macs']:,} MACs, "
                  f"{e['total']['parameters']:,} parameters, {e['total']['milliseconds']:.1f} ms, "
                  f"flash {e['flash']['bytes']:,} B, SRAM {e['sram']['bytes']:,} B")

if __name__ == "__main__":
    sys.exit(main())
