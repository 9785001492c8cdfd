#!/usr/bin/env python3
"""Prints firmware/README.md's DSP tables from dsp_suite.sh's measurements: per model the M4's
instructions and estimated cycles, the M7's estimated cycles, per MAC; then per layer kind
(the first CONV_2D, the other CONV_2D by filter size, DEPTHWISE_CONV_2D, FULLY_CONNECTED; ADD
per inference). Layer kinds come from the .tflite itself (TensorFlow's interpreter, so run it
with bench/.venv's python).

  bench/.venv/bin/python bench/estimator/firmware/dsp_summary.py
"""
import json, os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402 (after its log level)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
MODELS = [("suite_resnet8", "ResNet-8"), ("suite_ds_cnn", "DS-CNN"),
          ("suite_mobilenet_v1_025", "MobileNetV1 0.25"),
          ("suite_dense_autoencoder", "dense autoencoder")]


def layer_kinds(model):
    """One kind per operator, in the model's order."""
    path = os.path.join(ROOT, "Tests/RuntimeTests/Golden", model, "model.tflite")
    interpreter = tf.lite.Interpreter(model_path=path)
    shapes = {t["index"]: t["shape"] for t in interpreter.get_tensor_details()}
    kinds, first = [], True
    for op in interpreter._get_ops_details():
        name = op["op_name"]
        if name == "CONV_2D":
            filter_shape = shapes[op["inputs"][1]]
            kinds.append("conv first" if first else
                         "conv 1x1" if tuple(filter_shape[1:3]) == (1, 1) else "conv kxk")
            first = False
        else:
            kinds.append({"DEPTHWISE_CONV_2D": "depthwise", "FULLY_CONNECTED": "FC"}.get(name, name))
    return kinds


def load(model, board):
    with open(os.path.join(HERE, "dsp", f"{model}-{board}.json")) as f:
        report = json.load(f)
    assert report["identical"], f"{model} on {board}: outputs differ from the host's"
    return report


def main():
    print("| model (MACs) | M4 instructions | M4 est. cycles | M4 cycles/MAC | M7 est. cycles "
          "| M7 cycles/MAC | instructions/MAC |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    per_kind = []
    for model, name in MODELS:
        m4, m7 = load(model, "an386"), load(model, "an500")
        macs = sum(op["macs"] or 0 for op in m4["operators"])
        insns, c4, c7 = m4["invokeInstructions"][0], m4["invokeCycles"][0], m7["invokeCycles"][0]
        print(f"| {name} ({macs:,}) | {insns:,} | {c4:,} | {c4 / macs:.2f} | {c7:,} "
              f"| {c7 / macs:.2f} | {insns / macs:.2f} |")
        kinds = {}
        for a, b, kind in zip(m4["operators"], m7["operators"], layer_kinds(model)):
            k = kinds.setdefault(kind, [0, 0, 0, 0])
            k[0] += a["macs"] or 0
            k[1] += a["instructions"]
            k[2] += a["cycles"]
            k[3] += b["cycles"]
        per_kind.append((name, kinds))
    print()
    print("| model | layer kind | MACs | M4 instructions/MAC | M4 cycles/MAC | M7 cycles/MAC |")
    print("|---|---|---:|---:|---:|---:|")
    for name, kinds in per_kind:
        for kind, (macs, insns, c4, c7) in kinds.items():
            if macs:
                print(f"| {name} | {kind} | {macs:,} | {insns / macs:.2f} | {c4 / macs:.2f} "
                      f"| {c7 / macs:.2f} |")
            elif kind == "ADD":
                print(f"| {name} | ADD | - | {insns:,} instr. | {c4:,} cycles | {c7:,} cycles |")


if __name__ == "__main__":
    main()
