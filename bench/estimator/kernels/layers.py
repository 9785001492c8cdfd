#!/usr/bin/env python3
"""The int8 operators of a model, as the kernel harness runs them: reads a tinycnn model
description file (bench/estimator/models/*.json, or `lenet5` for the zoo's LeNet-5) and writes
the C header `layers.h` (one `layer_t` per TFLite operator: BatchNorm folded, ReLU fused into the
operator before it, flatten and dropout free).

  python3 layers.py MODEL.json|lenet5|sweep-NAME OUT.h      (standard library only)

sweep-conv, sweep-pointwise, sweep-depthwise, sweep-dense are shape sweeps (not models): the
layers the kernel cost coefficients are fitted on (fit.py), chosen to span channel counts,
kernel sizes, strides and map sizes of small CNNs, so no coefficient comes from a model that
validation.md checks against.

The same lowering as the estimator's GraphLowering.swift, shapes NHWC without the batch axis.
"""
import json, sys

KINDS = ["CONV", "DWCONV", "FC", "AVGPOOL", "MAXPOOL", "ADD", "SOFTMAX"]


def lenet5():
    # Sources/Graph/ModelZoo.swift: LeNet-5 on 28x28x1.
    n = [{"name": "input", "op": "input", "shape": [1, 28, 28]}]
    def add(name, op, **f):
        n.append({"name": name, "op": op, "inputs": [n[-1]["name"]], **f})
    add("conv1", "conv2d", out_channels=6, kernel=[5, 5], stride=[1, 1], padding=[2, 2], groups=1)
    add("relu1", "relu"); add("pool1", "max_pool2d", kernel=[2, 2])
    add("conv2", "conv2d", out_channels=16, kernel=[5, 5], stride=[1, 1], padding=[0, 0], groups=1)
    add("relu2", "relu"); add("pool2", "max_pool2d", kernel=[2, 2]); add("flatten", "flatten")
    add("fc1", "linear", out_features=120); add("relu3", "relu")
    add("fc2", "linear", out_features=84); add("relu4", "relu")
    add("fc3", "linear", out_features=10)
    return n


def L(name, kind, inp, out, k=(1, 1), s=(1, 1), p=(0, 0), relu=1):
    return {"name": name, "kind": kind, "in": inp, "out": out, "k": k, "s": s, "p": p, "relu": relu}


def conv_layer(hw, cin, cout, k, s, p=None, name=None):
    p = k // 2 if p is None else p
    o = (hw - k + 2 * p) // s + 1
    return L(name or f"c{hw}x{cin}-{cout}k{k}s{s}p{p}", "CONV", (hw, hw, cin), (o, o, cout), (k, k), (s, s), (p, p))


def sweep(name):
    out = []
    if name == "sweep-conv":  # im2col + mat-mult path (and its K % 4 tails)
        for hw, cin, cout, k, s in [(8, 3, 8, 3, 1), (16, 3, 16, 3, 1), (16, 3, 32, 3, 2), (12, 1, 8, 5, 1),
                                    (12, 1, 16, 3, 1), (8, 8, 8, 3, 1), (16, 8, 16, 3, 1), (8, 16, 16, 3, 1),
                                    (16, 16, 32, 3, 2), (8, 16, 32, 3, 1), (8, 32, 32, 3, 1), (8, 32, 64, 3, 2),
                                    (6, 64, 64, 3, 1), (8, 6, 16, 5, 1), (10, 12, 24, 5, 1), (8, 16, 8, 5, 2),
                                    (9, 7, 13, 3, 1), (11, 5, 6, 3, 1), (7, 24, 40, 3, 1), (16, 4, 8, 3, 1)]:
            out.append(conv_layer(hw, cin, cout, k, s))
        out.append(L("c20x8-1k10x4s2", "CONV", (20, 8, 1), (10, 4, 32), (10, 4), (2, 2), (5, 1)))
    elif name == "sweep-pointwise":  # 1x1 convolutions, unit and stride 2
        for hw, cin, cout, s in [(8, 8, 16, 1), (16, 16, 16, 1), (8, 32, 32, 1), (8, 64, 64, 1),
                                 (4, 128, 128, 1), (12, 16, 48, 1), (8, 24, 8, 1), (5, 64, 64, 1),
                                 (8, 20, 36, 1), (16, 8, 8, 1), (16, 16, 32, 2), (8, 32, 64, 2),
                                 (9, 12, 20, 2)]:
            out.append(conv_layer(hw, cin, cout, 1, s, 0))
    elif name == "sweep-depthwise":  # 3x3 fast path (padding <= 1) and the general path
        for hw, c, k, s, p in [(16, 8, 3, 1, 1), (8, 16, 3, 1, 1), (16, 16, 3, 2, 1), (8, 32, 3, 1, 1),
                               (8, 64, 3, 2, 1), (6, 128, 3, 1, 1), (12, 24, 3, 1, 1), (10, 12, 3, 1, 0),
                               (7, 20, 3, 1, 1), (8, 16, 5, 1, 2), (12, 32, 5, 2, 2), (8, 8, 3, 1, 2),
                               (10, 24, 5, 1, 2), (6, 64, 3, 2, 2)]:
            o = (hw - k + 2 * p) // s + 1
            out.append(L(f"d{hw}x{c}k{k}s{s}p{p}", "DWCONV", (hw, hw, c), (o, o, c), (k, k), (s, s), (p, p)))
    elif name == "sweep-dense":  # fully connected, pooling, add, softmax
        for i, o in [(64, 10), (256, 32), (400, 120), (640, 128), (128, 8), (1024, 64), (120, 84), (37, 11)]:
            out.append(L(f"fc{i}-{o}", "FC", (1, 1, i), (1, 1, o)))
        for hw, c, k in [(16, 16, 2), (8, 32, 2), (24, 8, 3), (12, 12, 2), (28, 6, 2), (10, 64, 2),
                         (12, 20, 3), (6, 3, 2)]:
            out.append(L(f"max{hw}x{c}k{k}", "MAXPOOL", (hw, hw, c), (hw // k, hw // k, c), (k, k), (k, k), relu=0))
            out.append(L(f"avg{hw}x{c}k{k}", "AVGPOOL", (hw, hw, c), (hw // k, hw // k, c), (k, k), (k, k), relu=0))
        for hw, c in [(8, 64), (4, 128), (6, 32)]:
            out.append(L(f"gap{hw}x{c}", "AVGPOOL", (hw, hw, c), (1, 1, c), (hw, hw), (hw, hw), relu=0))
        for n in [(16, 16, 16), (8, 8, 32), (4, 4, 8), (1, 1, 100)]:
            out.append(L(f"add{n[0]}x{n[1]}x{n[2]}", "ADD", n, n))
        for n in [10, 100, 1000, 37]:
            out.append(L(f"softmax{n}", "SOFTMAX", (1, 1, n), (1, 1, n), relu=0))
    else:
        raise SystemExit(f"unknown sweep {name}")
    return out


def lower(nodes):
    """[(name, kind, in_shape, out_shape, fields)] in execution order."""
    shape, layers, owner = {}, [], {}
    for node in nodes:
        op, name = node["op"], node["name"]
        ins = node.get("inputs", [])
        src = shape[ins[0]] if ins else None
        if op == "input":
            c, h, w = node["shape"] if len(node["shape"]) == 3 else (node["shape"][0], 1, 1)
            shape[name] = (h, w, c)
            continue
        if op in ("batch_norm2d", "dropout", "flatten"):
            shape[name] = src if op != "flatten" else (1, 1, src[0] * src[1] * src[2])
            owner[name] = owner.get(ins[0])
            continue
        if op == "relu":
            shape[name] = src
            layer = owner.get(ins[0])
            if layer is not None: layer["relu"] = 1
            owner[name] = layer
            continue
        h, w, c = src
        f = {"k": (1, 1), "s": (1, 1), "p": (0, 0), "relu": 0}
        if op == "conv2d":
            k, s, p = node["kernel"], node.get("stride", [1, 1]), node.get("padding", [0, 0])
            oc, g = node["out_channels"], node.get("groups", 1)
            oh, ow = (h - k[0] + 2 * p[0]) // s[0] + 1, (w - k[1] + 2 * p[1]) // s[1] + 1
            kind = "DWCONV" if g == c and g > 1 else "CONV"
            f.update(k=tuple(k), s=tuple(s), p=tuple(p))
            out = (oh, ow, oc)
        elif op == "linear":
            kind, out = "FC", (1, 1, node["out_features"])
            src = (1, 1, h * w * c)
        elif op in ("avg_pool2d", "max_pool2d", "global_avg_pool"):
            k = node.get("kernel", [h, w]) if op != "global_avg_pool" else [h, w]
            s = node.get("stride", k)
            kind = "MAXPOOL" if op == "max_pool2d" else "AVGPOOL"
            f.update(k=tuple(k), s=tuple(s))
            out = ((h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1, c)
        elif op == "add":
            kind, out = "ADD", src
        elif op == "softmax":
            kind, out = "SOFTMAX", src
        else:
            raise SystemExit(f"{name}: op {op} is not lowered by the harness")
        layer = {"name": name, "kind": kind, "in": src, "out": out, **f}
        layers.append(layer)
        shape[name] = out
        owner[name] = layer
    return layers


def header(layers):
    lines = ["// Generated by bench/estimator/kernels/layers.py; do not edit.",
             "#include \"harness.h\"", "static const layer_t layers[] = {"]
    for L in layers:
        (ih, iw, ic), (oh, ow, oc) = L["in"], L["out"]
        lines.append(
            f"  {{\"{L['name']}\", L_{L['kind']}, {ih}, {iw}, {ic}, {oh}, {ow}, {oc}, "
            f"{L['k'][0]}, {L['k'][1]}, {L['s'][0]}, {L['s'][1]}, {L['p'][0]}, {L['p'][1]}, "
            f"{L['relu']}}},")
    lines += ["};", f"#define LAYER_COUNT {len(layers)}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    src, out = sys.argv[1], sys.argv[2]
    if src.startswith("sweep-"):
        text = header(sweep(src))
    else:
        nodes = lenet5() if src == "lenet5" else json.load(open(src))["nodes"]
        text = header(lower(nodes))
    with open(out + ".tmp", "w") as f: f.write(text)
    import os; os.replace(out + ".tmp", out)
