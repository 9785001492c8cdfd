"""Golden data for TRANSPOSE_CONV: converter-made int8 models run by TFLite Micro.

    bench/.venv/bin/python bench/refs/transpose_conv_golden.py          # write every case
    bench/.venv/bin/python bench/refs/transpose_conv_golden.py --list
    bench/.venv/bin/python bench/refs/transpose_conv_golden.py --ours unet-mini-int8.tflite

--ours adds (or replaces) the case ours_unet_mini: a TRANSPOSE_CONV model made by TinyCNN's own
quantizer, not TensorFlow's converter (issue 14: our quantised unet-mini runs in TFLM identical
to TinyCNN), run by TFLM on the first 200 Fashion-MNIST test images. The committed file was made
with
    tinycnn train --model unet-mini --epochs 1 --limit 6000 --seed 1 -o unet-mini.safetensors
    tinycnn quantize unet-mini.safetensors --samples 300 -o unet-mini-int8.tflite
(bench/compare_ours.sh runs it over all 10,000 test images).

Writes Tests/RuntimeTests/Golden/tconv_cases/<case>/{model.tflite,input_0.npy,output_0.npy}
and Tests/RuntimeTests/Golden/tconv_cases/MANIFEST.json (the same per-case fields as the main
golden set's MANIFEST.json, made by make_golden.py's own helpers; this script leaves that set
alone). Keras Conv2DTranspose layers (SAME and VALID, stride 1 and 2, with and without bias; a
ReLU after one comes out of the converter as a separate RELU, which TinyCNN's runtime lacks) and an encoder-decoder that downsamples twice and upsamples twice, converted with
full-integer post-training quantisation by TensorFlow's converter (batch 1, so the output-shape
input is a constant), then every row through TFLM's Python interpreter: TFLM is the oracle.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_golden as mg  # noqa: E402  (its helpers: model, rows, manifest entry, writing)
import tflite_tools as tt  # noqa: E402

OUT = os.path.join(mg.GOLDEN, "tconv_cases")


def _L():
    import tensorflow as tf

    return tf.keras.layers


def tconv(filters, k, s, padding, **kw):
    return lambda x: _L().Conv2DTranspose(filters, k, strides=s, padding=padding, **kw)(x)


def encoder_decoder(x):
    """Down twice (3x3 stride-2 convs with ReLU), up twice (stride-2 transposed convs), a 1x1
    conv: 16x16x3 -> 8x8x8 -> 4x4x16 -> 8x8x8 -> 16x16x4 -> 16x16x2."""
    L = _L()
    x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    x = L.Conv2DTranspose(8, 4, strides=2, padding="same")(x)
    x = L.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
    return L.Conv2D(2, 1)(x)


T = "TRANSPOSE_CONV"
CASES = [
    mg.case("tconv_3x3_s1_same", [T], [((6, 6, 3), (-1, 1))], tconv(4, 3, 1, "same"),
            "TRANSPOSE_CONV 3x3 stride 1 SAME, 3 -> 4 channels, bias"),
    mg.case("tconv_3x3_s2_same_odd_in", [T], [((5, 5, 4), (-1, 1))], tconv(6, 3, 2, "same"),
            "TRANSPOSE_CONV 3x3 stride 2 SAME 5x5 -> 10x10 (padding 0 before, the odd cell)"),
    mg.case("tconv_4x4_s2_same", [T], [((4, 4, 8), (-1, 1))], tconv(4, 4, 2, "same"),
            "TRANSPOSE_CONV 4x4 stride 2 SAME 4x4 -> 8x8 (padding 1 each side)"),
    mg.case("tconv_2x2_s2_valid", [T], [((4, 4, 8), (-1, 1))], tconv(4, 2, 2, "valid"),
            "TRANSPOSE_CONV 2x2 stride 2 VALID 4x4 -> 8x8, U-Net's up-convolution"),
    mg.case("tconv_3x3_s2_valid", [T], [((5, 5, 2), (-1, 1))], tconv(3, 3, 2, "valid"),
            "TRANSPOSE_CONV 3x3 stride 2 VALID 5x5 -> 11x11, overlapping taps"),
    mg.case("tconv_3x2_s2x1_valid", [T], [((4, 5, 3), (-1, 1))],
            tconv(5, (3, 2), (2, 1), "valid"),
            "TRANSPOSE_CONV 3x2 kernel, strides 2 (h) and 1 (w), VALID"),
    mg.case("tconv_3x3_s2_same_nobias", [T], [((4, 4, 4), (-1, 1))],
            tconv(4, 3, 2, "same", use_bias=False),
            "TRANSPOSE_CONV without a bias input (3 inputs)"),
    mg.case("tconv_3x3_s2_same_dynamic_batch", ["SHAPE", "STRIDED_SLICE", "PACK", T],
            [((5, 5, 4), (-1, 1))], tconv(6, 3, 2, "same"),
            "TRANSPOSE_CONV whose output shape SHAPE/STRIDED_SLICE/PACK compute from the input "
            "(a Keras model with a free batch dimension, as most are saved)",
            dynamic_batch=True),
    mg.case("tconv_encoder_decoder", None, [((16, 16, 3), (0, 1))], encoder_decoder,
            "encoder-decoder: two stride-2 CONV_2D down, two stride-2 TRANSPOSE_CONV up, 1x1"),
]


def run(c, log):
    t0 = time.perf_counter()
    buf = mg.single_op_model(c)
    info = tt.model_info(buf)
    info["quantize_scale"] = None
    got = [o["op"] for o in info["ops"]]
    if c["ops"] is not None and got != c["ops"]:
        raise SystemExit(f"{c['name']}: converter emitted {got}, expected {c['ops']}")
    inputs = mg.single_op_inputs(c, info)
    outputs = tt.tflm_run(buf, inputs)
    mg.check_io(c, info, inputs, outputs)
    extra = {"tflm": tt.tflm_arena(buf, inputs)}
    mg.write_case(OUT, c["name"], buf, inputs, outputs)
    entry = mg.describe(c, buf, info, inputs, outputs, extra)
    log(f"  {c['name']}: {' '.join(got)}; {[o.get('fused_activation') for o in info['ops']]}; "
        f"arena {extra['tflm']['arena_size']} B ({time.perf_counter() - t0:.1f} s)")
    return entry


OURS = "ours_unet_mini"
OURS_ROWS = 200


def run_ours(path, log):
    """The ours_unet_mini case from our own int8 file at `path` (see the top)."""
    import fmnist

    with open(path, "rb") as f:
        buf = f.read()
    info = tt.model_info(buf)
    got = [o["op"] for o in info["ops"]]
    if T not in got:
        raise SystemExit(f"{path}: no {T} in {got}")
    (t,) = info["inputs"]
    images, _ = fmnist.load("test")
    x = fmnist.quantize_images(images[:OURS_ROWS], t["scale"], t["zero_point"])
    inputs = [x.reshape([OURS_ROWS] + t["shape"][1:])]
    outputs = tt.tflm_run(buf, inputs)
    c = dict(name=OURS, kind="ours", ops=None,
             description="unet-mini (encoder-decoder, two TRANSPOSE_CONV upsamplings) made by "
                         "tinycnn quantize, on Fashion-MNIST test images")
    mg.check_io(c, info, inputs, outputs)
    mg.write_case(OUT, OURS, buf, inputs, outputs)
    log(f"  {OURS}: {' '.join(got)}")
    return mg.describe(c, buf, info, inputs, outputs, {"tflm": tt.tflm_arena(buf, inputs)})


def previous_manifest():
    try:
        with open(os.path.join(OUT, "MANIFEST.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def write_manifest(manifest):
    tmp = os.path.join(OUT, "MANIFEST.json.tmp")
    with open(tmp, "w") as f:
        f.write(mg.compact_json(manifest) + "\n")
    os.replace(tmp, os.path.join(OUT, "MANIFEST.json"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--only", metavar="NAMES",
                    help="comma-separated converter cases to (re)make; the others stay")
    ap.add_argument("--ours", metavar="TFLITE",
                    help="only (re)make the ours_unet_mini case from this file of ours; the "
                         "converter cases stay as committed")
    args = ap.parse_args()
    if args.list:
        for c in CASES:
            print(c["name"], "-", c["description"])
        print(OURS, "- our own quantised unet-mini (--ours)")
        return
    os.makedirs(OUT, exist_ok=True)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    previous = previous_manifest()
    kept = [e for e in (previous or {}).get("cases", []) if e["name"] == OURS]
    if args.ours:
        if previous is None:
            raise SystemExit("make the converter cases first (run without --ours)")
        cases = [e for e in previous["cases"] if e["name"] != OURS]
        write_manifest(dict(previous, cases=cases + [run_ours(args.ours, log)]))
        return
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {c["name"] for c in CASES}
        if unknown or previous is None:
            raise SystemExit(f"unknown cases {sorted(unknown)}" if unknown else "no manifest yet")
        made = {c["name"]: run(c, log) for c in CASES if c["name"] in names}
        old = {e["name"]: e for e in previous["cases"]}
        # The order of CASES, then ours.
        entries = [made.get(c["name"], old.get(c["name"])) for c in CASES] + kept
        write_manifest(dict(previous, cases=[e for e in entries if e is not None]))
        return
    entries = [run(c, log) for c in CASES] + kept
    write_manifest({"generator": "bench/refs/transpose_conv_golden.py", "format": mg.FORMAT,
                    "versions": tt.versions(), "cases": entries})


if __name__ == "__main__":
    main()
