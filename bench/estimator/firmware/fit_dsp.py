#!/usr/bin/env python3
"""Fits the estimator's "tinycnn-dsp" kernel costs on the DSP set's firmware measurements.

  bench/.venv/bin/python bench/estimator/firmware/fit_dsp.py   (then scripts/generate-estimator-data.sh)

dsp_suite.sh measured every operator of the MLPerf Tiny suite models with `tinycnn firmware
--kernels dsp -O --count` (exact instructions, the executed mix weighed with the core's cycle
table: Sources/Pipeline/Firmware/FirmwareCycles.swift) on the emulated Cortex-M4F (an386) and
Cortex-M7 (an500). Here each CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD gets the term
counts of Sources/Estimator/DSPKernels.swift (`terms` mirrors it; shapes from the .tflite), and
per path cycles = sum(coefficient x term) is fitted by non-negative least squares
(bench/estimator/kernels/fit.py's nnls). The result replaces "tinycnn-dsp" in the cost files of
cortex-m4 (an386), cortex-m7 (an500) and, with the M4's measurement as a stated proxy,
cortex-m33 and cortex-m55. Pooling, MEAN and SOFTMAX run the optimized set's kernels: their
paths are copied from the file's "tinycnn-optimized". The kernel sources' FNV-1a hash
(dsp/kernel-sources.txt, written by dsp_suite.sh) goes into "measured": EstimatorTests fails
when the kernels change and the costs were not measured and fitted again.
"""
import json, os, sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "bench", "estimator", "kernels"))
import fit  # noqa: E402 (nnls)

MODELS = ["suite_resnet8", "suite_ds_cnn", "suite_mobilenet_v1_025", "suite_dense_autoencoder"]
CORES = {"cortex-m4": ("an386", None), "cortex-m7": ("an500", None),
         "cortex-m33": ("an386", "no Cortex-M33 run here: the Cortex-M4's measurement and cycle "
                        "table stand in for it (the same Armv7E-M code; its table is the M4's but "
                        "for LDRD and LDM)"),
         "cortex-m55": ("an386", "no Armv8.1-M build of the DSP set: the Cortex-M4's measurement of "
                        "the same DSP-extension code stands in for it")}
COLUMNS_PER_PASS = {"conv": 4, "depthwise": 1, "fully_connected": 0, "add": 0}


def pairs(depth):
    """DSPPackedWeights.pairs(depth:): int16 pairs, the depth padded to groups of 8."""
    return (depth + 7) // 8 * 4


def tap_length(channels):
    """conv2DInt8DSPTapLength: a tap's channels padded to whole words in quad order."""
    return (channels + 3) // 4 * 4 if channels % 4 == 0 or channels == 3 else channels


def inside(n_in, n_out, k, s):
    """Window taps inside the input along one axis (fit.py's `inside`)."""
    return fit.inside(n_in, n_out, k, s)


def stride(n_in, n_out, k):
    """The stride that gives `n_out` from `n_in` with SAME or VALID padding."""
    for s in range(1, 9):
        if -(-n_in // s) == n_out or (n_in - k) // s + 1 == n_out:
            return s
    raise ValueError(f"no stride maps {n_in} to {n_out} with a {k}-wide window")


def terms(op, shapes):
    """(path, term counts) of one operator: DSPKernels.counts."""
    name = op["op_name"]
    out = shapes[op["outputs"][0]]
    if name == "ADD":
        return "add", {"call": 1, "element": int(out.prod())}
    if name == "FULLY_CONNECTED":
        oc, depth = shapes[op["inputs"][1]]
        lanes = (oc + 3) // 4 * 4
        return "fully_connected", {"call": 1, "packed_mac": lanes * 2 * pairs(depth),
                                   "image": depth, "lane": oc}
    if name not in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        return None, None
    _, ih, iw, ic = shapes[op["inputs"][0]]
    _, oh, ow, oc = out
    if name == "CONV_2D":
        _, kh, kw, _ = shapes[op["inputs"][1]]
        depth = kh * kw * tap_length(ic)
        pixels = oh * ow
        columns = (pixels + 3) // 4 * 4
        lanes = (oc + 1) // 2 * 2
        # Widened four values at a time (quad order), or one at a time (`image`).
        quad = ic % 4 == 0 or ic == 3
        return "conv", {"call": 1, "packed_mac": columns * lanes * 2 * pairs(depth),
                        "im2col": columns * depth if quad else 0,
                        "image": 0 if quad else columns * depth,
                        "lane": pixels * oc, "pixel": pixels}
    _, kh, kw, _ = shapes[op["inputs"][1]]
    taps = inside(ih, oh, kh, stride(ih, oh, kh)) * inside(iw, ow, kw, stride(iw, ow, kw))
    return "depthwise", {"call": 1, "mac": taps * oc, "output": oh * ow * oc, "pixel": oh * ow}


def rows(board):
    """(path, terms, cycles, name) of every fitted operator of every model on `board`."""
    out = []
    for model in MODELS:
        with open(os.path.join(HERE, "dsp", f"{model}-{board}.json")) as f:
            report = json.load(f)
        assert report["identical"], f"{model} on {board}: outputs differ from the host's"
        interpreter = tf.lite.Interpreter(
            model_path=os.path.join(ROOT, "Tests/RuntimeTests/Golden", model, "model.tflite"))
        shapes = {t["index"]: t["shape"] for t in interpreter.get_tensor_details()}
        for op, measured in zip(interpreter._get_ops_details(), report["operators"]):
            assert op["op_name"] == measured["op"], (model, op["op_name"], measured["op"])
            path, t = terms(op, shapes)
            if path:
                out.append((path, t, measured["cycles"], f"{model} op {measured['index']}"))
    return out


def fitted_paths(board, core):
    by_path = {}
    for path, t, cycles, name in rows(board):
        by_path.setdefault(path, []).append((t, cycles, name))
    paths = {}
    for path, rs in sorted(by_path.items()):
        names = sorted({k for t, _, _ in rs for k in t})
        a = [[t.get(n, 0) for n in names] for t, _, _ in rs]
        ys = [c for _, c, _ in rs]
        x = fit.nnls(a, ys, names)
        errors = [abs(sum(v * c for v, c in zip(row, x)) / y - 1) for row, y in zip(a, ys)]
        paths[path] = {
            "cycles": {n: round(v, 4) for n, v in zip(names, x)},
            "columns_per_weight_pass": COLUMNS_PER_PASS[path],
            "source": f"fit_dsp.py over {len(rs)} operators of the MLPerf Tiny suite models "
                      f"(bench/estimator/firmware/dsp/*-{board}.json: tinycnn firmware --count, "
                      f"{core} cycle table of FirmwareCycles.swift): max |error| "
                      f"{max(errors):.0%}, median {sorted(errors)[len(errors) // 2]:.0%}"}
        print(f"{core} {path}: {len(rs)} operators, max error {max(errors):.1%}", file=sys.stderr)
    return paths


def main():
    with open(os.path.join(HERE, "dsp", "kernel-sources.txt")) as f:
        sources = f.read().strip()
    for core, (board, proxy) in CORES.items():
        path = os.path.join(ROOT, "Sources", "Estimator", "Data", "cores", f"{core}.json")
        with open(path) as f:
            doc = json.load(f)
        optimized = doc["kernels"]["tinycnn-optimized"]
        paths = fitted_paths(board, "cortex-m4" if board == "an386" else "cortex-m7")
        for name in ("average_pool", "max_pool", "softmax"):
            copied = dict(optimized["paths"][name])
            copied["source"] = ("the optimized set's kernel, which KernelSet.dsp runs: "
                                "tinycnn-optimized's " + copied["source"])
            paths[name] = copied
        doc["kernels"]["tinycnn-dsp"] = {
            "measured": (f"PROXY ({proxy}): " if proxy else "") +
                        "TinyCNN's KernelSet.dsp (Sources/Runtime/Kernels/CortexM, the SMLAD loops "
                        "of firmware/dsp/cortex_m_dsp.S) in the firmware, Embedded Swift 6.3 -O, "
                        f"measured per operator by tinycnn firmware --count on {board} "
                        "(bench/estimator/firmware/dsp_suite.sh), cycles at zero wait states; "
                        f"kernel sources {sources}",
            "operator_overhead": {
                "value": 0,
                "source": "inside each path's call term: the firmware's per-operator window "
                          "includes the interpreter's dispatch"},
            "per_copy_byte": optimized["per_copy_byte"],
            "paths": paths}
        fit.write_cost_file(path, doc)


if __name__ == "__main__":
    main()
