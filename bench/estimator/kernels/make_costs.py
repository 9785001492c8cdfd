#!/usr/bin/env python3
"""Writes the measured kernel costs into Sources/Estimator/Data/cores/*.json.

  python3 make_costs.py            (standard library only; then scripts/generate-estimator-data.sh)

For every core whose code the harness can run (Armv7E-M for Cortex-M4/M33/M7, Armv6-M for
Cortex-M0+) and every kernel library, fits each kernel path on the shape sweeps
(measurements/<library>-<build>-sweep-*.json, fit.py), checks the fit on the validation models'
own layers (measurements/<library>-<build>-<model>.json: held out, never fitted), and replaces
that library's `paths` in the core's cost file, each path with its source: what was fitted,
the largest error on the sweep and the error on the held-out layers. Other fields (the
framework's per-operator overhead, per-copy cost, other libraries) are kept.
"""
import glob, json, os, statistics, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import fit

root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
cores_dir = os.path.join(root, "Sources", "Estimator", "Data", "cores")
BUILDS = {"cortex-m4": "armv7em-m4", "cortex-m33": "armv7em-m4", "cortex-m7": "armv7em-m7",
          "cortex-m0plus": "armv6m", "rv32imc": "rv32imc", "cortex-m55": "armv81m-m55"}
# Cores the harness cannot run, costed with another core's measurement: (core, library) ->
# (measured core, why). The ESP32-S3's reference kernels: the same C++ on another 32-bit
# load/store ISA, as the published ESP32-S3 and ESP32-C3 reference timings (within 3% of each
# other per MAC, validation.md) suggest.
# Measured library -> the library name in the cost files (--kernels cmsis-nn means the vendor's
# kernels: ESP-NN on Espressif parts).
FILE_LIBRARY = {"esp-nn": "cmsis-nn"}
PROXIES = {("xtensa-lx7", "reference"): ("rv32imc", "no Xtensa compiler or emulator here: the "
           "RV32IMC measurement of the same C++ stands in for it"),
           ("xtensa-lx6", "reference"): ("rv32imc", "no Xtensa compiler or emulator here: the "
           "RV32IMC measurement of the same C++ stands in for it"),
           ("xtensa-lx6", "esp-nn"): ("rv32imc", "the ESP32 runs the same portable ESP-NN C as the "
           "ESP32-C3 (esp_nn_generic_opt.h); no Xtensa compiler or emulator here, so the RV32IMC "
           "measurement stands in for it"),
           ("cortex-m55", "tinycnn"): ("cortex-m4", "no Embedded Swift module for Armv8.1-M in this "
           "toolchain: TinyCNN's kernels (which use no Helium) are costed with the Cortex-M4 "
           "measurement of the same code"),
           ("cortex-m55", "tinycnn-optimized"): ("cortex-m4", "no Embedded Swift module for Armv8.1-M "
           "in this toolchain: TinyCNN's optimized kernels (Swift SIMD types, which this build "
           "lowers to scalar code, no Helium) are costed with the Cortex-M4 measurement of the same code")}
BUILD_TEXT = {"armv7em-m4": "built for Armv7E-M (-mcpu=cortex-m4)", "armv7em-m7": "built for -mcpu=cortex-m7",
              "armv6m": "built for Armv6-M (-mcpu=cortex-m0)", "rv32imc": "built for RV32IMC (-march=rv32imc)",
              "armv81m-m55": "built for Armv8.1-M with Helium (-mcpu=cortex-m55), run on QEMU's mps3-an547"}
LIBRARY_TEXT = {
    "esp-nn": "ESP-NN (espressif/esp-nn @d45b843) portable C kernels as esp-tflite-micro calls them "
              "(esp_nn_generic_opt.h: what ESP-IDF builds for the ESP32 and the ESP32-C3), riscv64-unknown-elf-gcc 12.2 -O2",
    "cmsis-nn": "CMSIS-NN (ARM-software/CMSIS-NN @99f736a) called as TFLM's kernels/cmsis_nn call it, arm-none-eabi-gcc 12.2 -O2",
    "reference": "TFLM's reference kernels (tensorflow/tflite-micro @90b983c, kernels/internal/reference, TFLITE_DCHECKs on as in TFLM builds), GCC 12.2 -O2 (arm-none-eabi, riscv64-unknown-elf)",
    "tinycnn": "TinyCNN's Sources/Runtime/Kernels built with Embedded Swift 6.3 -Osize -wmo (the firmware's flags)",
    "tinycnn-optimized": "TinyCNN's KernelSet.optimized kernels (Sources/Runtime/Kernels/*Int8SIMD.swift; CONV_2D and "
                         "FULLY_CONNECTED filters packed into RAM before the measured region, as the Interpreter's "
                         "prepare packs them into the arena; SOFTMAX keeps the reference kernel) built with Embedded "
                         "Swift 6.3 -Osize -wmo (the firmware's flags), tinycnn_optimized_layer.swift"}


def measured(library, build, sweep):
    pat = os.path.join(here, "measurements", f"{library}-{build}-*.json")
    return sorted(f for f in glob.glob(pat) if ("-sweep-" in f) == sweep)


def columns_per_pass(rows, library):
    """Output pixels per pass over the weights, from the code-memory bytes the kernel read."""
    ratios = []
    for r in rows:
        l = r["layer"]
        (ih, iw, ic), (oh, ow, oc), (kh, kw) = l["in"], l["out"], l["k"]
        w = {"CONV": oc * kh * kw * ic, "DWCONV": oc * kh * kw, "FC": ih * iw * ic * oc}.get(l["kind"], 0)
        if w >= 256 and r["flash_bytes"] > 0:
            ratios.append(oh * ow * w / r["flash_bytes"])
    if not ratios: return 0
    if all(l["layer"]["kind"] == "FC" for l in rows): return 0  # read once
    return round(statistics.median(ratios), 1)


def main():
    libraries = ("cmsis-nn", "esp-nn", "reference", "tinycnn", "tinycnn-optimized")
    jobs = [(core, build, core, None, libraries) for core, build in BUILDS.items()]
    jobs += [(core, BUILDS[src], src, why, (lib,)) for (core, lib), (src, why) in PROXIES.items()]
    for core, build, timing, proxy, libs in jobs:
        path = os.path.join(cores_dir, f"{core}.json")
        doc = json.load(open(path))
        for library in libs:
            file_library = FILE_LIBRARY.get(library, library)
            # e.g. no TinyCNN backend for Xtensa; the optimized kernels go wherever TinyCNN's do.
            if file_library not in doc["kernels"] and not (
                    file_library == "tinycnn-optimized" and "tinycnn" in doc["kernels"]): continue
            sweep = measured(library, build, True)
            if not sweep: continue
            rows = fit.measured_layers(sweep, timing)
            res = fit.fit(rows, library, mve=timing == "cortex-m55")
            held = fit.measured_layers(measured(library, build, False), timing)
            paths = {}
            for name, r in res.items():
                coeff = r["cycles"]["coefficients"]
                errs = []
                for h in held:
                    if fit.kernel_path(h["layer"], library, timing == "cortex-m55") != name: continue
                    t = fit.kernel_terms(h["layer"], name, library, timing == "cortex-m55")
                    pred = sum(coeff.get(k, 0) * v for k, v in t.items())
                    errs.append(abs(pred - h["cycles"]) / h["cycles"])
                mine = [x for x in rows if fit.kernel_path(x["layer"], library, timing == "cortex-m55") == name]
                held_text = (f"; on {len(errs)} held-out layers of the validation models max {max(errs):.0%}, "
                             f"median {statistics.median(errs):.0%}") if errs else ""
                # The optimized CONV_2D and FULLY_CONNECTED read the copy packed into RAM: no
                # pass over the weights in flash (CostModel counts no flash traffic for them).
                packed = library == "tinycnn-optimized" and name in ("conv", "fully_connected")
                paths[name] = {
                    "cycles": {k: round(v, 3) for k, v in sorted(coeff.items())},
                    "columns_per_weight_pass": 0 if packed else columns_per_pass(mine, library),
                    "source": f"fit.py over {r['cycles']['layers']} sweep layers "
                              f"(bench/estimator/kernels/measurements/{library}-{build}-sweep-*.json), "
                              f"{timing} timing rules (cycles.py): max |error| {r['cycles']['max_error']:.0%}{held_text}"}
            # The optimized kernels run in the same interpreter as the reference ones.
            old = doc["kernels"].get(file_library) or doc["kernels"].get("tinycnn", {})
            doc["kernels"][file_library] = {
                "measured": (f"PROXY ({proxy}): " if proxy else "") +
                            f"{LIBRARY_TEXT[library]}, {BUILD_TEXT[build]}, every instruction counted under "
                            f"QEMU 7.2 (bench/estimator/kernels, profile.c) and timed with the {timing} "
                            "rules of cycles.py; cycles at zero wait states (flash stalls are the target's)",
                "operator_overhead": old.get("operator_overhead"),
                "per_copy_byte": old.get("per_copy_byte"),
                "paths": paths}
            per_mac = ", ".join(f"{k} {v['cycles'].get('mac', v['cycles'].get('packed_mac')):g}"
                                for k, v in paths.items() if "mac" in v["cycles"] or "packed_mac" in v["cycles"])
            print(f"{core} {library} cycles/MAC: {per_mac}")
        fit.write_cost_file(path, doc)


if __name__ == "__main__":
    main()
