"""Golden data for TRANSPOSE_CONV: converter-made int8 models run by TFLite Micro.

    bench/.venv/bin/python bench/refs/transpose_conv_golden.py          # write every case
    bench/.venv/bin/python bench/refs/transpose_conv_golden.py --list

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for c in CASES:
            print(c["name"], "-", c["description"])
        return
    os.makedirs(OUT, exist_ok=True)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    entries = [run(c, log) for c in CASES]
    manifest = {"generator": "bench/refs/transpose_conv_golden.py", "format": mg.FORMAT,
                "versions": tt.versions(), "cases": entries}
    tmp = os.path.join(OUT, "MANIFEST.json.tmp")
    with open(tmp, "w") as f:
        f.write(mg.compact_json(manifest) + "\n")
    os.replace(tmp, os.path.join(OUT, "MANIFEST.json"))


if __name__ == "__main__":
    main()
