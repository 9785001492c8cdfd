"""TinyCNN's quantizer vs TensorFlow's converter on the same float weights.

    python bench/refs/quantizer_vs_tf.py MODEL.safetensors --ours OURS.tflite \
        [--ours OURS-per-channel-dense.tflite] [--samples 500] [--eval-json EVAL.json]
        [--out DIR] [--json SUMMARY.json]
    python bench/refs/quantizer_vs_tf.py --self-test   # the Keras port on every op it knows

(bench/quantizer_vs_tf.sh makes OURS.tflite and EVAL.json with tinycnn and calls this.)

1. Reads the float model TinyCNN trained: the graph JSON in the safetensors `__metadata__`
   ("graph"), the weights in PyTorch names and layouts (conv [outC, inC/groups, kH, kW], linear
   [out, in], flatten in NCHW order).
2. Builds the same network in Keras, NHWC: conv weights transposed to HWIO (depthwise to
   [kH, kW, C, multiplier]), linear weights transposed, and the columns of a linear layer that
   reads a flattened feature map permuted from PyTorch's CHW order to Keras's HWC order.
3. Checks the port: a numpy forward pass straight from the PyTorch layouts (NCHW, no transposes)
   against Keras on every test image (largest logit difference), and Keras's float top-1 accuracy
   and confusion matrix against `tinycnn eval --json`'s float side.
4. Converts with TF's converter (full-integer PTQ, int8 input and output, fixed batch 1) using
   the calibration images `tinycnn quantize --samples N` uses: the first N of the training
   indices shuffled by TinyCNN's SplitMix64 Fisher-Yates with seed 0 (Sources/Datasets/
   SplitMix64.swift, Sources/Pipeline/Calibration.swift), preprocessed as pixel / 255.
   Twice: with per-tensor dense weights (TinyCNN's default scheme) and with the converter's
   default (per-channel dense weights).
5. Runs our file(s) and TF's files in TFLite Micro over the 10,000 test images: int8 top-1
   accuracy, agreement with float, file size, TFLM's minimum arena, operators, and per-operator
   output scales side by side. Each TF file is also compared with our file of the same dense
   scheme: byte-identical constants (weights, biases), identical scales and zero points,
   differing output vectors; and, when only scales differ, the TF file with our scales patched
   in (0 differing vectors there means the scales' last bits are the whole difference).
"""

import argparse
import itertools
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np

import fmnist
import tflite_tools as tt

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
MASK64 = (1 << 64) - 1


def log(s):
    print(s, flush=True)


# ---------------------------------------------------------------------------------------------
# TinyCNN's calibration sample


def splitmix64(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def shuffled_indices(count, seed):
    """Sources/Datasets/SplitMix64.swift's shuffledIndices(count:seed:), bit for bit."""
    rng = splitmix64(seed)
    idx = list(range(count))
    for i in range(count - 1, 0, -1):
        j = next(rng) % (i + 1)
        idx[i], idx[j] = idx[j], idx[i]
    return idx


def calibration_indices(n_train, samples, seed=0):
    """Calibration.sample: all images when samples >= count, else the first `samples` shuffled."""
    if samples >= n_train:
        return list(range(n_train))
    return shuffled_indices(n_train, seed)[:samples]


# ---------------------------------------------------------------------------------------------
# The float model


def read_model(path):
    from safetensors import safe_open

    with safe_open(path, framework="np") as f:
        meta = f.metadata() or {}
        weights = {k: f.get_tensor(k) for k in f.keys()}
    if "graph" not in meta:
        raise SystemExit(f"{path}: no 'graph' in the safetensors metadata (not a TinyCNN model)")
    graph = json.loads(meta["graph"])
    if meta.get("input_normalization", "pixel/255") != "pixel/255":
        raise SystemExit(f"{path}: input normalisation {meta['input_normalization']!r}; "
                         "this script knows pixel/255")
    return graph["nodes"], weights, meta


def _pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


def _shapes(nodes):
    """Output shape of every node: ("map", C, H, W) or ("flat", F, chw) where chw is the
    (C, H, W) the flat vector was flattened from in PyTorch order, or None."""
    shapes = {}
    for n in nodes:
        op = n["op"]
        ins = [shapes[i] for i in n.get("inputs", [])]
        x = ins[0] if ins else None
        if op == "input":
            c, h, w = n["shape"]
            s = ("map", c, h, w)
        elif op == "conv2d":
            k, st, p, d = (_pair(n["kernel"]), _pair(n.get("stride", 1)),
                           _pair(n.get("padding", 0)), _pair(n.get("dilation", 1)))
            h = (x[2] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // st[0] + 1
            w = (x[3] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // st[1] + 1
            s = ("map", n["out_channels"], h, w)
        elif op in ("max_pool2d", "avg_pool2d"):
            k = _pair(n["kernel"])
            st = _pair(n.get("stride", n["kernel"]))
            p = _pair(n.get("padding", 0))
            s = ("map", x[1], (x[2] + 2 * p[0] - k[0]) // st[0] + 1,
                 (x[3] + 2 * p[1] - k[1]) // st[1] + 1)
        elif op == "global_avg_pool":
            s = ("flat", x[1], None)
        elif op == "flatten":
            s = ("flat", x[1] * x[2] * x[3], (x[1], x[2], x[3])) if x[0] == "map" else x
        elif op == "linear":
            s = ("flat", n["out_features"], None)
        elif op == "concat":
            if x[0] == "map":
                s = ("map", sum(i[1] for i in ins), x[2], x[3])
            else:
                s = ("flat", sum(i[1] for i in ins), None)
        else:  # relu, relu6, dropout, batch_norm2d, add, softmax keep the shape
            s = x
        shapes[n["name"]] = s
    return shapes


def hwc_from_chw_columns(c, h, w):
    """perm such that W_keras_columns = W_pytorch[:, perm]: Keras column (y, x, ch) in HWC
    flatten order reads PyTorch's column ch*H*W + y*W + x."""
    ys, xs, chs = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return (chs * h * w + ys * w + xs).reshape(-1)


def build_keras(nodes, weights, batch_size=None):
    """The graph as a Keras functional model in NHWC with the PyTorch weights moved over."""
    import tensorflow as tf

    L = tf.keras.layers
    shapes = _shapes(nodes)
    tensors = {}
    assign = []  # (layer, [weights]) set after the model is built
    for n in nodes:
        name, op = n["name"], n["op"]
        ins = [tensors[i] for i in n.get("inputs", [])]
        x = ins[0] if ins else None
        in_shape = shapes[n["inputs"][0]] if n.get("inputs") else None
        if op == "input":
            c, h, w = n["shape"]
            y = tf.keras.Input(shape=(h, w, c), batch_size=batch_size, name=name)
        elif op == "conv2d":
            k, st, p, d = (_pair(n["kernel"]), _pair(n.get("stride", 1)),
                           _pair(n.get("padding", 0)), _pair(n.get("dilation", 1)))
            groups, cin, cout = n.get("groups", 1), in_shape[1], n["out_channels"]
            wt = weights[f"{name}.weight"]  # [outC, inC/groups, kH, kW]
            bias = n.get("bias", True)
            # PyTorch pads symmetrically; Keras "same" is symmetric only at stride 1 with an
            # odd effective kernel. Otherwise pad explicitly (the converter emits PAD then).
            same = all(st[i] == 1 and 2 * p[i] == d[i] * (k[i] - 1) for i in range(2))
            if not same and any(p):
                x = L.ZeroPadding2D(((p[0], p[0]), (p[1], p[1])), name=f"{name}_pad")(x)
            padding = "same" if same and any(p) else "valid"
            if groups == 1:
                layer = L.Conv2D(cout, k, strides=st, padding=padding, dilation_rate=d,
                                 use_bias=bias, name=name)
                kernel = wt.transpose(2, 3, 1, 0)  # HWIO
            elif groups == cin and cout % cin == 0:
                mult = cout // cin
                layer = L.DepthwiseConv2D(k, strides=st, padding=padding, dilation_rate=d,
                                          depth_multiplier=mult, use_bias=bias, name=name)
                # PyTorch output channel o = i * mult + m reads input channel i.
                kernel = wt[:, 0].reshape(cin, mult, k[0], k[1]).transpose(2, 3, 0, 1)
            else:
                raise SystemExit(f"{name}: grouped convolution (groups {groups}) not ported")
            y = layer(x)
            assign.append((layer, [kernel] + ([weights[f"{name}.bias"]] if bias else [])))
        elif op == "linear":
            wt = weights[f"{name}.weight"]  # [out, in]
            if in_shape[0] == "flat" and in_shape[2] is not None:
                c, h, w = in_shape[2]
                if h * w > 1:
                    wt = wt[:, hwc_from_chw_columns(c, h, w)]
            bias = n.get("bias", True)
            layer = L.Dense(n["out_features"], use_bias=bias, name=name)
            y = layer(x)
            assign.append((layer, [wt.T] + ([weights[f"{name}.bias"]] if bias else [])))
        elif op == "relu":
            y = L.ReLU(name=name)(x)
        elif op == "relu6":
            y = L.ReLU(max_value=6.0, name=name)(x)
        elif op == "max_pool2d" or op == "avg_pool2d":
            if any(_pair(n.get("padding", 0))):
                raise SystemExit(f"{name}: padded pooling not ported")
            cls = L.MaxPooling2D if op == "max_pool2d" else L.AveragePooling2D
            y = cls(_pair(n["kernel"]), strides=_pair(n.get("stride", n["kernel"])),
                    padding="valid", name=name)(x)
        elif op == "global_avg_pool":
            y = L.GlobalAveragePooling2D(name=name)(x)
        elif op == "flatten":
            y = L.Flatten(name=name)(x) if in_shape[0] == "map" else x
        elif op == "dropout":
            y = x  # inference: identity
        elif op == "batch_norm2d":
            layer = L.BatchNormalization(epsilon=n.get("epsilon", 1e-5), name=name)
            y = layer(x)
            assign.append((layer, [weights[f"{name}.{s}"] for s in
                                   ("weight", "bias", "running_mean", "running_var")]))
        elif op == "add":
            y = L.Add(name=name)(ins)
        elif op == "concat":
            if any(shapes[i][0] == "flat" and shapes[i][2] is not None and
                   shapes[i][2][1] * shapes[i][2][2] > 1 for i in n["inputs"]):
                raise SystemExit(f"{name}: concatenating flattened maps not ported")
            y = L.Concatenate(axis=-1, name=name)(ins)
        elif op == "softmax":
            y = L.Softmax(name=name)(x)
        else:
            raise SystemExit(f"{name}: op {op!r} not ported to Keras")
        tensors[name] = y
    model = tf.keras.Model(tensors[nodes[0]["name"]], tensors[nodes[-1]["name"]])
    for layer, ws in assign:
        layer.set_weights([np.asarray(w, np.float32) for w in ws])
    return model


def numpy_forward(nodes, weights, x_nchw):
    """Float forward pass straight from PyTorch's layouts (NCHW, weights untouched): the
    independent check that the Keras port's transposes and permutation are right."""
    vals = {}
    for n in nodes:
        name, op = n["name"], n["op"]
        ins = [vals[i] for i in n.get("inputs", [])]
        x = ins[0] if ins else None
        if op == "input":
            y = x_nchw
        elif op == "conv2d":
            k, st, p, d = (_pair(n["kernel"]), _pair(n.get("stride", 1)),
                           _pair(n.get("padding", 0)), _pair(n.get("dilation", 1)))
            g = n.get("groups", 1)
            wt = weights[f"{name}.weight"].astype(np.float64)
            xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
            nb, c, hh, ww = xp.shape
            oh = (hh - d[0] * (k[0] - 1) - 1) // st[0] + 1
            ow = (ww - d[1] * (k[1] - 1) - 1) // st[1] + 1
            cg, og = c // g, wt.shape[0] // g
            outs = []
            for gi in range(g):
                xs = xp[:, gi * cg:(gi + 1) * cg]
                patches = np.stack([xs[:, :, i * d[0]: i * d[0] + st[0] * (oh - 1) + 1: st[0],
                                       j * d[1]: j * d[1] + st[1] * (ow - 1) + 1: st[1]]
                                    for i in range(k[0]) for j in range(k[1])], axis=2)
                # patches [N, cg, kH*kW, oh, ow]; weights [og, cg, kH*kW]
                wg = wt[gi * og:(gi + 1) * og].reshape(og, cg, -1)
                outs.append(np.einsum("nckhw,ock->nohw", patches, wg))
            y = np.concatenate(outs, axis=1)
            if n.get("bias", True):
                y = y + weights[f"{name}.bias"][None, :, None, None]
        elif op == "linear":
            y = x @ weights[f"{name}.weight"].astype(np.float64).T
            if n.get("bias", True):
                y = y + weights[f"{name}.bias"]
        elif op == "relu":
            y = np.maximum(x, 0)
        elif op == "relu6":
            y = np.clip(x, 0, 6)
        elif op in ("max_pool2d", "avg_pool2d"):
            k = _pair(n["kernel"])
            st = _pair(n.get("stride", n["kernel"]))
            oh = (x.shape[2] - k[0]) // st[0] + 1
            ow = (x.shape[3] - k[1]) // st[1] + 1
            win = np.stack([x[:, :, i: i + st[0] * (oh - 1) + 1: st[0],
                              j: j + st[1] * (ow - 1) + 1: st[1]]
                            for i in range(k[0]) for j in range(k[1])], axis=0)
            y = win.max(axis=0) if op == "max_pool2d" else win.mean(axis=0)
        elif op == "global_avg_pool":
            y = x.mean(axis=(2, 3))
        elif op == "flatten":
            y = x.reshape(len(x), -1)  # NCHW order: PyTorch's
        elif op == "dropout":
            y = x
        elif op == "batch_norm2d":
            gm, bt, mu, var = (weights[f"{name}.{s}"] for s in
                               ("weight", "bias", "running_mean", "running_var"))
            inv = gm / np.sqrt(var.astype(np.float64) + n.get("epsilon", 1e-5))
            y = (x - mu[None, :, None, None]) * inv[None, :, None, None] + bt[None, :, None, None]
        elif op == "add":
            y = ins[0] + ins[1]
        elif op == "concat":
            y = np.concatenate(ins, axis=1)
        elif op == "softmax":
            e = np.exp(x - x.max(axis=1, keepdims=True))
            y = e / e.sum(axis=1, keepdims=True)
        else:
            raise SystemExit(f"{name}: op {op!r} not in the numpy reference")
        vals[name] = y
    return vals[nodes[-1]["name"]]


# ---------------------------------------------------------------------------------------------
# int8 files


def scales_by_op(buf):
    """(op name, output scale, output zero point) per operator, from the flatbuffer."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    info = tt.model_info(buf)
    out = []
    for op, meta in zip(sg.operators, info["ops"]):
        t = sg.tensors[op.outputs[0]]
        q = t.quantization
        if q is not None and q.scale is not None and len(q.scale):
            out.append((meta["op"], float(q.scale[0]), int(q.zeroPoint[0])))
        else:
            out.append((meta["op"], None, None))
    return out


def weight_scheme(buf):
    """'per-channel' / 'per-tensor' for the FULLY_CONNECTED weights of a .tflite."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    info = tt.model_info(buf)
    kinds = set()
    for op, meta in zip(sg.operators, info["ops"]):
        if meta["op"] == "FULLY_CONNECTED":
            q = sg.tensors[op.inputs[1]].quantization
            kinds.add("per-channel" if q is not None and q.scale is not None and
                      len(q.scale) > 1 else "per-tensor")
    return "/".join(sorted(kinds)) or "-"


def _op_tensors(buf):
    """Per operator, its input and output tensors as (shape, type, constant bytes or None,
    scales, zero points)."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    ops = []
    for op in sg.operators:
        ts = []
        for i in list(op.inputs) + list(op.outputs):
            if i < 0:
                continue
            t = sg.tensors[i]
            data = m.buffers[t.buffer].data
            q = t.quantization
            has_q = q is not None and q.scale is not None and len(q.scale) > 0
            ts.append(([int(v) for v in t.shape], t.type,
                       None if data is None or len(data) == 0 else bytes(np.asarray(data, np.uint8)),
                       np.asarray(q.scale, np.float64) if has_q else None,
                       np.asarray(q.zeroPoint, np.int64) if has_q else None))
        ops.append(ts)
    return ops


def compare_files(ours, theirs):
    """Tensor by tensor, operator by operator: how many constants (weights, biases, shapes) have
    identical bytes, how many tensors identical quantisation; the largest relative scale gap."""
    a, b = _op_tensors(ours), _op_tensors(theirs)
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b)):
        return {"comparable": False}
    consts = same_consts = same_zp = same_scales = tensors = 0
    worst = 0.0
    differing = []
    for k, (x, y) in enumerate(zip(a, b)):
        for j, (tx, ty) in enumerate(zip(x, y)):
            tensors += 1
            if tx[2] is not None or ty[2] is not None:
                consts += 1
                if tx[2] == ty[2] and tx[0] == ty[0]:
                    same_consts += 1
                else:
                    differing.append(f"op {k} tensor {j} {tx[0]}")
            if tx[3] is None or ty[3] is None or len(tx[3]) != len(ty[3]):
                same_scales += tx[3] is None and ty[3] is None
                same_zp += tx[3] is None and ty[3] is None
                continue
            same_scales += bool(np.array_equal(tx[3], ty[3]))
            same_zp += bool(np.array_equal(tx[4], ty[4]))
            worst = max(worst, float(np.max(np.abs(tx[3] - ty[3]) / np.abs(ty[3]))))
    return {"comparable": True, "constants": consts, "identical_constants": same_consts,
            "differing_constants": differing, "tensors": tensors,
            "identical_scales": same_scales, "identical_zero_points": same_zp,
            "max_relative_scale_diff": worst}


def with_scales_of(ours, theirs):
    """TF's file with every quantisation scale replaced by ours (same graph and tensors assumed):
    when the constants are byte-identical, running this shows whether the scales' last-bit
    differences are all that separates the two files' outputs. Returns (bytes, scales patched)."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    so = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(ours, 0)).subgraphs[0]
    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(theirs, 0))
    st = m.subgraphs[0]
    patched = 0
    for opo, opt in zip(so.operators, st.operators):
        for io, it in zip(list(opo.inputs) + list(opo.outputs), list(opt.inputs) + list(opt.outputs)):
            qo, qt = so.tensors[io].quantization, st.tensors[it].quantization
            if (qo is not None and qo.scale is not None and qt is not None and
                    qt.scale is not None and not np.array_equal(qo.scale, qt.scale)):
                qt.scale = np.array(qo.scale, np.float32)
                patched += 1
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output()), patched


def evaluate_int8(label, buf, x_u8, y, float_pred, ours_out=None, ours_buf=None,
                  ours_label="ours"):
    """TFLM over the test split: accuracy, agreement with float (and, for TF's files, how many
    int8 output vectors differ from our file's and how often top-1 agrees). Returns (row,
    outputs)."""
    import compare_tflm

    info = tt.model_info(buf)
    x = compare_tflm.model_inputs(info, x_u8, label)
    t0 = time.perf_counter()
    out = compare_tflm.tflm_outputs(buf, x)[0].reshape(len(y), -1)
    pred = np.argmax(out, axis=1)
    arena = tt.tflm_arena(buf, [x[:1]])
    row = {"file": label, "bytes": len(buf),
           "ops": [o["op"] for o in info["ops"]],
           "dense_weights": weight_scheme(buf),
           "tflm_top1": float(np.mean(pred == y)),
           "agreement_with_float": float(np.mean(pred == float_pred)),
           "tflm_arena": arena["arena_size"],
           "input": {k: info["inputs"][0].get(k) for k in ("dtype", "scale", "zero_point")},
           "output": {k: info["outputs"][0].get(k) for k in ("dtype", "scale", "zero_point")},
           "op_output_scales": scales_by_op(buf)}
    vs = ""
    if ours_buf is not None:
        c = compare_files(ours_buf, buf)
        row["tensors_vs_ours"] = c
        if c["comparable"]:
            vs += (f"\n  {'':34} vs {ours_label}: {c['identical_constants']} of {c['constants']} constant "
                   f"tensors byte-identical; scales identical on {c['identical_scales']} of "
                   f"{c['tensors']} operator inputs and outputs (largest relative gap {c['max_relative_scale_diff']:.1e}), "
                   f"zero points on {c['identical_zero_points']}")
        else:
            vs += f"\n  {'':34} vs {ours_label}: a different graph (operators or their tensors differ)"
        if (c["comparable"] and c["identical_constants"] == c["constants"] and
                ours_out is not None and c["identical_scales"] < c["tensors"]):
            patched, n_patched = with_scales_of(ours_buf, buf)
            pout = tt.tflm_run(patched, [x])[0].reshape(len(y), -1)
            row["with_our_scales_vectors_differing_from_ours"] = int(
                np.any(pout != ours_out, axis=1).sum())
            vs += (f"\n  {'':34} TF's file with our {n_patched} differing scales patched in: "
                   f"{row['with_our_scales_vectors_differing_from_ours']} output vectors differ "
                   f"from ours")
    if ours_out is not None and ours_out.shape == out.shape:
        row["vectors_differing_from_ours"] = int(np.any(out != ours_out, axis=1).sum())
        row["max_diff_from_ours"] = int(np.abs(out.astype(int) - ours_out.astype(int)).max())
        row["top1_agreement_with_ours"] = float(np.mean(pred == np.argmax(ours_out, axis=1)))
        vs += (f"\n  {'':34} vs {ours_label}: {row['vectors_differing_from_ours']} of {len(y)} output "
              f"vectors differ (max {row['max_diff_from_ours']}), top-1 agrees on "
              f"{row['top1_agreement_with_ours']:.4f}")
    log(f"  {label:34} TFLM int8 top-1 {row['tflm_top1']:.4f}  agreement with float "
        f"{row['agreement_with_float']:.4f}  {len(buf)} B  arena {arena['arena_size']} B  "
        f"dense {row['dense_weights']}  ({time.perf_counter() - t0:.1f} s){vs}")
    return row, out


SELF_TEST_GRAPH = [  # every op the port knows, in the shapes that need care
    {"name": "input", "op": "input", "shape": [3, 16, 16]},
    {"name": "c1", "op": "conv2d", "inputs": ["input"], "out_channels": 8, "kernel": [3, 3],
     "stride": [2, 2], "padding": [1, 1]},  # stride 2, symmetric padding: ZeroPadding2D
    {"name": "bn", "op": "batch_norm2d", "inputs": ["c1"], "epsilon": 1e-3},
    {"name": "r6", "op": "relu6", "inputs": ["bn"]},
    {"name": "dw", "op": "conv2d", "inputs": ["r6"], "out_channels": 16, "kernel": [3, 3],
     "padding": [1, 1], "groups": 8},  # depthwise, multiplier 2, "same"
    {"name": "pw", "op": "conv2d", "inputs": ["dw"], "out_channels": 8, "kernel": [1, 1],
     "bias": False},
    {"name": "add", "op": "add", "inputs": ["r6", "pw"]},
    {"name": "dil", "op": "conv2d", "inputs": ["add"], "out_channels": 5, "kernel": [3, 3],
     "padding": [2, 2], "dilation": [2, 2]},
    {"name": "cat", "op": "concat", "inputs": ["add", "dil"]},
    {"name": "ap", "op": "avg_pool2d", "inputs": ["cat"], "kernel": [2, 2]},
    {"name": "mp", "op": "max_pool2d", "inputs": ["ap"], "kernel": [3, 3], "stride": [1, 1]},
    {"name": "flat", "op": "flatten", "inputs": ["mp"]},
    {"name": "drop", "op": "dropout", "inputs": ["flat"], "rate": 0.5},
    {"name": "fc", "op": "linear", "inputs": ["drop"], "out_features": 12},
    {"name": "relu", "op": "relu", "inputs": ["fc"]},
    {"name": "fc2", "op": "linear", "inputs": ["relu"], "out_features": 10},
    {"name": "sm", "op": "softmax", "inputs": ["fc2"]},
]


def self_test():
    """The Keras port against the numpy reference on a random-weight graph with every op the
    port knows (LeNet-5 alone does not exercise depthwise, batch norm, strided padding, ...)."""
    rng = np.random.default_rng(0)
    nodes = SELF_TEST_GRAPH
    shapes = _shapes(nodes)
    weights = {}
    for n in nodes:
        x = shapes[n["inputs"][0]] if n.get("inputs") else None
        if n["op"] == "conv2d":
            k = _pair(n["kernel"])
            weights[n["name"] + ".weight"] = rng.normal(
                0, 0.3, (n["out_channels"], x[1] // n.get("groups", 1)) + k).astype(np.float32)
            if n.get("bias", True):
                weights[n["name"] + ".bias"] = rng.normal(0, 0.1, n["out_channels"]).astype(np.float32)
        elif n["op"] == "linear":
            weights[n["name"] + ".weight"] = rng.normal(0, 0.1, (n["out_features"], x[1])).astype(np.float32)
            weights[n["name"] + ".bias"] = rng.normal(0, 0.1, n["out_features"]).astype(np.float32)
        elif n["op"] == "batch_norm2d":
            c = x[1]
            for suffix, v in (("weight", rng.uniform(0.5, 2, c)), ("bias", rng.normal(0, 0.2, c)),
                              ("running_mean", rng.normal(0, 0.2, c)),
                              ("running_var", rng.uniform(0.3, 3, c))):
                weights[f"{n['name']}.{suffix}"] = v.astype(np.float32)
    x = rng.uniform(0, 1, (64, 16, 16, 3)).astype(np.float32)
    worst = 0.0
    for graph in (nodes, nodes[:-1]):  # with softmax, and the logits before it
        got = build_keras(graph, weights).predict(x, batch_size=64, verbose=0)
        want = numpy_forward(graph, weights, x.transpose(0, 3, 1, 2))
        diff = float(np.abs(got - want).max() / np.abs(want).max())
        worst = max(worst, diff)
        log(f"self-test: Keras port vs numpy reference, {len(graph)} nodes ending in "
            f"{graph[-1]['op']}, 64 random inputs: max |diff| / max |value| {diff:.2e}")
    return 0 if worst < 1e-5 else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("model", help="TinyCNN float model (.safetensors)")
    ap.add_argument("--ours", required=True, action="append",
                    help="an int8 .tflite `tinycnn quantize` made of it (repeatable: e.g. also "
                         "one with --per-channel-dense); --eval-json is about the first")
    ap.add_argument("--samples", type=int, default=500,
                    help="calibration images (the --samples given to tinycnn quantize)")
    ap.add_argument("--eval-json", help="`tinycnn eval --float MODEL --int8 OURS --json` output")
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "out", "quantizer_vs_tf"),
                    help="folder for TF's .tflite files")
    ap.add_argument("--json", help="write the summary as JSON here")
    args = ap.parse_args()
    try:
        os.nice(10)
    except OSError:
        pass

    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    name = os.path.splitext(os.path.basename(args.model))[0]
    nodes, weights, meta = read_model(args.model)
    x_train, _ = fmnist.load("train")
    x_test, y_test = fmnist.load("test")
    y_test = y_test.astype(np.int64)
    log(f"== {name} ({args.model}): {len(nodes)} nodes, "
        f"{sum(w.size for w in weights.values())} parameters")

    # Float: numpy (PyTorch layouts) vs Keras (NHWC port), all test images.
    keras_dyn = build_keras(nodes, weights)
    xf = fmnist.float_images(x_test)  # [N, 28, 28, 1] float32, pixel / 255
    c, h, w = nodes[0]["shape"]
    if (h, w, c) != xf.shape[1:]:
        raise SystemExit(f"{args.model}: input {c}x{h}x{w} is not a Fashion-MNIST image")
    t0 = time.perf_counter()
    k_logits = keras_dyn.predict(xf, batch_size=500, verbose=0)
    ref = np.concatenate([numpy_forward(nodes, weights, xf[i:i + 500].transpose(0, 3, 1, 2))
                          for i in range(0, len(xf), 500)])
    port_diff = float(np.abs(k_logits.astype(np.float64) - ref).max())
    k_pred = np.argmax(k_logits, axis=1)
    n_pred = np.argmax(ref, axis=1)
    float_acc = float(np.mean(k_pred == y_test))
    summary = {"model": args.model, "samples": args.samples,
               "keras_float_top1": float_acc,
               "numpy_float_top1": float(np.mean(n_pred == y_test)),
               "keras_vs_numpy_max_logit_diff": port_diff,
               "keras_vs_numpy_top1_differ": int(np.sum(k_pred != n_pred)),
               "versions": tt.versions()}
    log(f"  float: Keras top-1 {float_acc:.4f}, numpy (PyTorch layouts) top-1 "
        f"{summary['numpy_float_top1']:.4f}; max |logit diff| {port_diff:.2e}, "
        f"{summary['keras_vs_numpy_top1_differ']} top-1 differ ({time.perf_counter() - t0:.1f} s)")

    if args.eval_json:
        with open(args.eval_json) as f:
            ev = json.load(f)
        conf = np.zeros((10, 10), np.int64)
        np.add.at(conf, (y_test, k_pred), 1)
        ours_conf = np.array(ev["float"]["confusion"])
        # Which axis is the label in TinyCNN's matrix: rows sum to the per-class label counts.
        if not np.array_equal(ours_conf.sum(axis=1), np.bincount(y_test, minlength=10)):
            ours_conf = ours_conf.T
        summary["tinycnn_float_top1"] = ev["float"]["accuracy"]
        summary["tinycnn_int8_top1"] = ev["int8"]["accuracy"]
        summary["tinycnn_float_confusion_cells_differ"] = int(np.sum(ours_conf != conf))
        summary["tinycnn_float_predictions_differ_at_least"] = int(np.abs(ours_conf - conf).sum() // 2)
        log(f"  float: tinycnn eval top-1 {ev['float']['accuracy']:.4f} (Keras {float_acc:.4f}); "
            f"confusion matrices differ in {summary['tinycnn_float_confusion_cells_differ']} "
            f"cells; tinycnn's int8 top-1 {ev['int8']['accuracy']:.4f}")

    # TF's converter on the same weights and the same calibration images.
    idx = calibration_indices(len(x_train), args.samples)
    calib = fmnist.float_images(x_train[idx])
    summary["calibration_first_indices"] = [int(i) for i in idx[:8]]

    def representative():
        for i in range(len(calib)):
            yield [calib[i:i + 1]]

    keras_fixed = build_keras(nodes, weights, batch_size=1)
    fixed_logits = keras_fixed.predict(xf[:100], batch_size=1, verbose=0)
    if not np.allclose(fixed_logits, k_logits[:100], atol=1e-4):
        raise SystemExit("the fixed-batch Keras model computes something else than the dynamic one")
    os.makedirs(args.out, exist_ok=True)
    files = {}
    for label, per_tensor in (("tf-per-tensor-dense", True), ("tf-default", False)):
        t0 = time.perf_counter()
        buf = tt.convert_keras(keras_fixed, representative, dense_per_tensor=per_tensor)
        path = os.path.join(args.out, f"{name}-{label}.tflite")
        with open(path + ".tmp", "wb") as f:
            f.write(buf)
        os.replace(path + ".tmp", path)
        files[label] = (path, buf)
        log(f"  converted {label}: {os.path.relpath(path, REPO)} ({len(buf)} B, "
            f"{time.perf_counter() - t0:.1f} s)")

    # Each TF file is compared with our file of the same dense-weight scheme (else the first).
    ours_rows = []
    for path in args.ours:
        with open(path, "rb") as f:
            buf = f.read()
        row, out = evaluate_int8("TinyCNN " + os.path.basename(path), buf, x_test, y_test, k_pred)
        ours_rows.append((row, out, buf))
    rows = [r for r, _, _ in ours_rows]
    for label, (path, buf) in files.items():
        scheme = weight_scheme(buf)
        mate = next((o for o in ours_rows if o[0]["dense_weights"] == scheme), ours_rows[0])
        row, _ = evaluate_int8("TF converter " + label, buf, x_test, y_test, k_pred, mate[1],
                               mate[2], mate[0]["file"])
        row["compared_with"] = mate[0]["file"]
        rows.append(row)
    summary["int8"] = rows
    if "tinycnn_int8_top1" in summary and summary["tinycnn_int8_top1"] != rows[0]["tflm_top1"]:
        log(f"  NOTE: tinycnn eval's int8 top-1 {summary['tinycnn_int8_top1']} != TFLM's "
            f"{rows[0]['tflm_top1']} on our file")

    log("  output scale/zero point per operator (" + " | ".join(r["file"] for r in rows) + "):")
    for k, triple in enumerate(itertools.zip_longest(*(r["op_output_scales"] for r in rows),
                                                     fillvalue=("-", None, None))):
        cells = [f"{op:15} {s:.8g}/{zp}" if s is not None else f"{op:15} -"
                 for op, s, zp in triple]
        log(f"    {k:2d} " + " | ".join(cells))
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(summary, f, indent=1)
        os.replace(args.json + ".tmp", args.json)
        log(f"  wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
