#!/usr/bin/env python3
"""Fits the estimator's per-kernel cost terms to measured layer profiles.

  python3 fit.py CORE LIBRARY MEASUREMENT.json...      (standard library only)

Reads measurement files (collect.py: per layer its shape, instruction count and cycles under
each core's documented instruction timings, cycles.py) and fits, per kernel path, cycles = sum(coefficient x term) by least squares with
non-negative coefficients. The paths and terms are the ones Sources/Estimator/CostModel.swift
computes (kernel_path / kernel_terms below mirror it). Prints the coefficients as JSON and each
layer's residual, so a coefficient is only as good as the fit says.
"""
import json, os, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cycles

KINDS = ["CONV", "DWCONV", "FC", "AVGPOOL", "MAXPOOL", "ADD", "SOFTMAX"]


def read_layers(path):
    out = []
    for line in open(path):
        m = re.match(r'\s*\{"([^"]+)", L_(\w+), (.*)\},', line)
        if m:
            v = [int(x) for x in m.group(3).split(",")]
            out.append({"name": m.group(1), "kind": m.group(2), "in": v[0:3], "out": v[3:6],
                        "k": v[6:8], "s": v[8:10], "p": v[10:12]})
    return out


def kernel_path(l, library, mve=False):
    """The kernel a library's wrapper picks for the layer (CostModel.swift: KernelPath)."""
    kind, (kh, kw), (sh, sw), (ph, pw) = l["kind"], l["k"], l["s"], l["p"]
    if library == "cmsis-nn":
        if kind == "CONV":
            if (kh, kw) == (1, 1) and (ph, pw) == (0, 0):
                return "conv_1x1" if (sh, sw) == (1, 1) else "conv_1x1_strided"
            return "conv"
        if kind == "DWCONV":
            if not mve and (kh, kw) == (3, 3) and ph <= 1 and pw <= 1 and l["out"][2] == l["in"][2]:
                return "depthwise_3x3"
            return "depthwise"
    elif library == "esp-nn":  # esp_nn_conv_s8_opt: a 1x1 kernel at any stride, else a loop nest
        if kind == "CONV": return "conv_1x1" if (kh, kw) == (1, 1) and (ph, pw) == (0, 0) else "conv"
        if kind == "DWCONV": return "depthwise"
    else:
        if kind == "CONV": return "conv"
        if kind == "DWCONV": return "depthwise"
    return {"FC": "fully_connected", "AVGPOOL": "average_pool", "MAXPOOL": "max_pool",
            "ADD": "add", "SOFTMAX": "softmax"}[kind]


def inside(n_in, n_out, k, s):
    """Window taps that land inside the input along one axis, summed over the outputs, with
    TFLite's padding (total = max((out - 1) * stride + kernel - in, 0), the smaller half first;
    0 for VALID). CostModel.swift: KernelTerm.insideTaps."""
    pad = max((n_out - 1) * s + k - n_in, 0) // 2
    return sum(1 for o in range(n_out) for t in range(k) if 0 <= o * s - pad + t < n_in)


def optimized_terms(l, path, taps):
    """Terms of TinyCNN's optimized kernels (KernelSet.optimized; Sources/Estimator/
    OptimizedKernels.swift: OptimizedKernels.counts). CONV_2D and FULLY_CONNECTED are a packed
    GEMM over groups of 8 output channels (lanes past the channels are computed), each filter
    row a run of kW * inC values padded to pairs, every tap multiplied (the padded int16 image
    holds the zeros); depthwise runs 8 channels per vector over the taps inside the input;
    pooling 16 (max) or 8 (average) channels per vector."""
    (ih, iw, ic), (oh, ow, oc), (kh, kw), (sh, sw) = l["in"], l["out"], l["k"], l["s"]
    pixels = oh * ow
    groups = (oc + 7) // 8
    lanes = 8 * groups
    if l["kind"] == "FC":
        depth = ih * iw * ic
        return {"call": 1, "packed_mac": 2 * ((depth + 1) // 2) * lanes, "lane": lanes, "image": depth}
    if l["kind"] == "CONV":
        pairs = (kw * ic + 1) // 2
        height, width = (oh - 1) * sh + kh, (ow - 1) * sw + kw  # the padded image (dilation 1)
        image = height * width * ic if 2 * height * width * ic <= 1 << 20 else pixels * kh * 2 * pairs
        return {"call": 1, "packed_mac": pixels * kh * 2 * pairs * lanes, "lane": pixels * lanes,
                "row": pixels * kh * groups, "pixel": pixels, "image": image}
    if l["kind"] == "DWCONV":
        return {"call": 1, "packed_mac": taps * lanes, "lane": pixels * lanes, "pixel": pixels}
    if l["kind"] in ("AVGPOOL", "MAXPOOL"):
        step = 16 if l["kind"] == "MAXPOOL" else 8
        blocks = (oc + step - 1) // step
        positions = pixels * kh * kw
        return {"call": 1, "window_step": positions * blocks, "tap": positions,
                "lane": pixels * blocks * step, "output": pixels * oc}
    return {"call": 1, "element": pixels * oc}


def kernel_terms(l, path, library="cmsis-nn", mve=False):
    """Term values of one layer for its path (CostModel.swift: KernelTerm.counts). The terms
    follow each library's loop structure: CMSIS-NN's convolution pays per im2col value and patch
    row and per reduction-depth tail past its 4-wide step; TFLM's and TinyCNN's reference loop
    nests (out_y, out_x, out_c, filter_y, filter_x, in_c) pay per filter tap instead."""
    (ih, iw, ic), (oh, ow, oc), (kh, kw) = l["in"], l["out"], l["k"]
    if library == "tinycnn-optimized":
        return optimized_terms(l, path, inside(ih, oh, kh, l["s"][0]) * inside(iw, ow, kw, l["s"][1]))
    pixels = oh * ow
    outputs = pixels * oc
    if l["kind"] == "FC":
        depth = ih * iw * ic
        t = {"call": 1, "mac": depth * oc, "output": oc}
        if library == "cmsis-nn": t["tail_mac"] = oc * (depth % (16 if mve else 4))
        return t
    # Taps (and so MACs) inside the input and on its padding: the reference loop nests skip a
    # padded tap, CMSIS-NN's im2col multiplies its zeros; the fit says what each costs.
    taps = inside(ih, oh, kh, l["s"][0]) * inside(iw, ow, kw, l["s"][1])
    padded = pixels * kh * kw - taps
    if l["kind"] == "CONV":
        depth = kh * kw * ic
        t = {"call": 1, "mac": taps * ic * oc, "padded_mac": padded * ic * oc, "output": outputs,
             "pixel": pixels}
        if library != "cmsis-nn":
            t["tap"] = outputs * kh * kw
            return t
        t["tail_mac"] = outputs * (depth % (16 if mve else 4))  # past the last SIMD step
        if path == "conv":
            t["im2col"] = pixels * depth
            t["row"] = pixels * kh  # one copy call per kernel row of each patch
        return t
    if l["kind"] == "DWCONV":
        # (the general path's window copy is one value per MAC: inside the mac term)
        return {"call": 1, "mac": taps * oc, "padded_mac": padded * oc, "output": outputs,
                "pixel": pixels}
    if l["kind"] in ("AVGPOOL", "MAXPOOL"):
        # Window elements; full SIMD steps over the channels per window position (CMSIS-NN pools
        # 4 channels at a time with the DSP extension, 16 with Helium) and the channels left
        # over past them; window positions.
        lanes = 16 if mve else 4
        return {"call": 1, "window": outputs * kh * kw, "window_step": pixels * kh * kw * (oc // lanes),
                "window_tail": pixels * kh * kw * (oc % lanes), "tap": pixels * kh * kw, "output": outputs}
    return {"call": 1, "element": outputs}


def nnls(rows, ys, names):
    """Least squares with x >= 0 (active-set, tiny systems), weighted by 1/y so every layer's
    relative error counts the same."""
    active = list(range(len(names)))
    while True:
        x = solve([[r[j] / y for j in active] for r, y in zip(rows, ys)], [1.0] * len(ys))
        if all(v >= 0 for v in x):
            full = [0.0] * len(names)
            for j, v in zip(active, x): full[j] = v
            return full
        worst = min(range(len(x)), key=lambda i: x[i])
        del active[worst]


def solve(a, b):
    n = len(a[0]) if a else 0
    ata = [[sum(r[i] * r[j] for r in a) for j in range(n)] for i in range(n)]
    atb = [sum(r[i] * y for r, y in zip(a, b)) for i in range(n)]
    for i in range(n):
        ata[i][i] += 1e-12 * (ata[i][i] or 1)
    # Gaussian elimination with partial pivoting.
    m = [row[:] + [v] for row, v in zip(ata, atb)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if abs(m[c][c]) < 1e-30: continue
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-30 else 0.0 for i in range(n)]


def measured_layers(files, core):
    """Layers of measurement files (collect.py) with their cycles under `core`'s timing rules."""
    rows = []
    for path in files:
        for l in json.load(open(path))["layers"]:
            if core in l["cycles"]:
                rows.append({"layer": l, "insns": l["insns"], "cycles": l["cycles"][core],
                             "flash_bytes": l["flash_read_bytes"]})
    return rows


def fit(rows, library, mve=False):
    by_path = {}
    for row in rows:
        path = kernel_path(row["layer"], library, mve)
        by_path.setdefault(path, []).append(row)
    result = {}
    for path, rs in sorted(by_path.items()):
        terms = [kernel_terms(r["layer"], path, library, mve) for r in rs]
        names = sorted({k for t in terms for k in t})
        a = [[t.get(n, 0) for n in names] for t in terms]
        for what in ("cycles", "insns"):
            ys = [r[what] for r in rs]
            x = nnls(a, ys, names)
            pred = [sum(v * c for v, c in zip(row, x)) for row in a]
            errs = [(p - y) / y for p, y in zip(pred, ys)]
            result.setdefault(path, {})[what] = {
                "coefficients": {n: round(v, 4) for n, v in zip(names, x)},
                "layers": len(rs), "max_error": max(abs(e) for e in errs),
                "errors": {r["layer"]["name"]: round(e, 4) for r, e in zip(rs, errs)}}
    return result


if __name__ == "__main__":
    core, library, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = measured_layers(files, core)
    res = fit(rows, library, mve=core == "cortex-m55")
    for path, r in res.items():
        c = r["cycles"]
        print(f"{path:18s} n={c['layers']:2d} max|err| {c['max_error']:.1%}  cycles: " +
              ", ".join(f"{k} {v:g}" for k, v in c["coefficients"].items()))
        print(f"{'':18s}            insns max|err| {r['insns']['max_error']:.1%}: " +
              ", ".join(f"{k} {v:g}" for k, v in r["insns"]["coefficients"].items()))


def write_cost_file(path, doc):
    """Writes a cost file (indented JSON, a final newline) through a temporary name, so a failed
    run never leaves half a file where the estimator reads it."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)
