"""Shared helpers of the Python references: convert Keras models to full-int8 .tflite, read a
.tflite's operators and I/O tensors, run it in TFLite Micro (the oracle) and in LiteRT, and find
TFLM's minimum arena by bisection. Facts behind every choice: docs/recipes/python-references.md.
"""

import contextlib
import os
import re
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN's fused CPU kernels reorder float sums between runs; off, so training is reproducible.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

from tflite_micro import runtime as tflm
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

_OP_NAMES = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
_TYPE_NAMES = {v: k for k, v in vars(fb.TensorType).items() if not k.startswith("_")}
_NP_TYPES = {"INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16, "INT32": np.int32,
             "FLOAT32": np.float32, "INT64": np.int64}


def convert_keras(model, representative, input_type="int8", output_type="int8",
                  dense_per_tensor=False):
    """Full-integer post-training quantisation of a Keras model with TF's converter.

    representative: a callable yielding lists of float32 arrays (one per Keras input, batch 1).
    input_type / output_type: "int8", "uint8" or "float32" (float keeps QUANTIZE / DEQUANTIZE
    at the model's edges)."""
    import tensorflow as tf

    types = {"int8": tf.int8, "uint8": tf.uint8, "float32": tf.float32}
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = types[input_type]
    conv.inference_output_type = types[output_type]
    if dense_per_tensor:
        # Private knob (TF 2.21): without it the converter quantises dense weights per channel.
        conv._experimental_disable_per_channel_quantization_for_dense_layers = True
    # The converter prints a SavedModel listing and calibration chatter on fd 1/2: silence them.
    with _quiet_fds():
        return bytes(conv.convert())


@contextlib.contextmanager
def _quiet_fds(fds=(1, 2)):
    """Redirect C-level stdout/stderr (which Python's redirect_* cannot catch) to /dev/null."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(fd) for fd in fds]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in fds:
            os.dup2(null, fd)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, s in zip(fds, saved):
            os.dup2(s, fd)
            os.close(s)
        os.close(null)


def _capture_fd2(fn):
    """Run fn() with fd 2 captured; return (result, captured text)."""
    with tempfile.TemporaryFile() as f:
        saved = os.dup(2)
        os.dup2(f.fileno(), 2)
        try:
            result = fn()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        f.seek(0)
        return result, f.read().decode(errors="replace")


def model_info(buf):
    """Operators (in execution order, with versions and fused activations) and the subgraph's
    input/output tensors (name, shape, shape_signature, dtype, quantisation) of a .tflite."""
    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    if len(m.subgraphs) != 1:
        raise ValueError(f"expected 1 subgraph, got {len(m.subgraphs)}")
    sg = m.subgraphs[0]
    codes = []
    for oc in m.operatorCodes:
        code = max(oc.builtinCode, oc.deprecatedBuiltinCode)  # the schema's two-field rule
        codes.append((_OP_NAMES.get(code, f"BUILTIN_{code}"), oc.version))
    ops = []
    for op in sg.operators:
        name, version = codes[op.opcodeIndex]
        entry = {"op": name, "version": version}
        act = getattr(op.builtinOptions, "fusedActivationFunction", None)
        if act is not None:
            entry["fused_activation"] = {v: k for k, v in vars(fb.ActivationFunctionType).items()
                                         if not k.startswith("_")}[act]
        ops.append(entry)

    def tensor(i):
        t = sg.tensors[i]
        q = t.quantization
        d = {"name": t.name.decode() if isinstance(t.name, bytes) else t.name,
             "shape": [int(v) for v in t.shape],
             "shape_signature": ([int(v) for v in t.shapeSignature]
                                 if t.shapeSignature is not None else [int(v) for v in t.shape]),
             "dtype": _TYPE_NAMES[t.type].lower()}
        if q is not None and q.scale is not None and len(q.scale) > 0:
            d["scale"] = [float(s) for s in q.scale] if len(q.scale) > 1 else float(q.scale[0])
            d["zero_point"] = ([int(z) for z in q.zeroPoint] if len(q.zeroPoint) > 1
                               else int(q.zeroPoint[0]))
        return d

    return {"ops": ops,
            "inputs": [tensor(i) for i in sg.inputs],
            "outputs": [tensor(i) for i in sg.outputs],
            "input_indices": [int(i) for i in sg.inputs],
            "output_indices": [int(i) for i in sg.outputs]}


def np_dtype(name):
    return _NP_TYPES[name.upper()]


def tflm_run(buf, inputs, arena_size=None):
    """Run every row of inputs (list, one [N, ...] array per model input) through TFLM, one
    invoke per row (batch 1). Returns one [N, ...] array per model output."""
    info = model_info(buf)
    it = tflm.Interpreter.from_bytes(buf, arena_size=arena_size)
    shapes = [tuple(int(v) for v in it.get_input_details(i)["shape"]) for i in range(len(inputs))]
    n = len(inputs[0])
    outs = [[] for _ in info["outputs"]]
    for k in range(n):
        for i, x in enumerate(inputs):
            it.set_input(np.ascontiguousarray(x[k].reshape(shapes[i])), i)
        it.invoke()
        for j in range(len(outs)):
            outs[j].append(it.get_output(j).copy())
    return [np.concatenate(o, axis=0) for o in outs]


def tflm_arena(buf, inputs=None):
    """TFLM's minimum arena_size (bytes) by bisection, plus the head/tail split the
    RecordingMicroAllocator reports at that size. A size works if the interpreter allocates and
    one invoke succeeds (on the first row of inputs, or zeros).

    Each probe runs in a forked child: TFLM's Python interpreter segfaults in its constructor at
    some too-small sizes (seen with the SHAPE/STRIDED_SLICE/PACK models: a failed temp
    allocation in Prepare followed by a crash), so a crash counts as "does not work" and the
    sizes where it happened are returned too."""
    n_in = len(model_info(buf)["inputs"])
    crashed = []

    def probe(size):
        try:
            it = tflm.Interpreter.from_bytes(buf, arena_size=size)
            for i in range(n_in):
                d = it.get_input_details(i)
                shape = tuple(int(v) for v in d["shape"])
                x = (inputs[i][0].reshape(shape) if inputs is not None
                     else np.zeros(shape, d["dtype"]))
                it.set_input(np.ascontiguousarray(x), i)
            it.invoke()
            return True
        except RuntimeError:
            return False

    def works(size):
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # child: quiet (each failure prints "Failed to resize buffer" on fd 2)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            ok = False
            try:
                ok = probe(size)
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            crashed.append(size)
            return False
        return os.WEXITSTATUS(status) == 0

    lo, hi = 0, 1 << 16
    while not works(hi):
        lo, hi = hi, hi * 2
        if hi > 1 << 28:
            raise RuntimeError("TFLM does not run this model in 256 MiB")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if works(mid) else (mid, hi)

    it = tflm.Interpreter.from_bytes(buf, arena_size=hi)
    _, report = _capture_fd2(it.print_allocations)
    head = re.search(r"Arena allocation head (\d+) bytes", report)
    tail = re.search(r"Arena allocation tail (\d+) bytes", report)
    out = {"arena_size": hi,
           "arena_head": int(head.group(1)) if head else None,
           "arena_tail": int(tail.group(1)) if tail else None}
    if crashed:
        out["probe_sizes_that_crashed_tflm"] = sorted(crashed)
    return out


def litert_run(buf, inputs, resolver="BUILTIN_REF"):
    """Same as tflm_run with LiteRT (resolver: BUILTIN_REF, BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    AUTO = optimized kernels + XNNPACK). Inputs are matched to LiteRT's by tensor index."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    info = model_info(buf)
    with _quiet_fds((2,)):  # "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
        it = Interpreter(model_content=buf, num_threads=1,
                         experimental_op_resolver_type=getattr(OpResolverType, resolver))
        it.allocate_tensors()
    by_index = {d["index"]: d for d in it.get_input_details()}
    in_details = [by_index[i] for i in info["input_indices"]]
    out_by_index = {d["index"]: d for d in it.get_output_details()}
    out_details = [out_by_index[i] for i in info["output_indices"]]
    outs = [[] for _ in out_details]
    for k in range(len(inputs[0])):
        for d, x in zip(in_details, inputs):
            it.set_tensor(d["index"], np.ascontiguousarray(x[k].reshape(d["shape"])))
        it.invoke()
        for j, d in enumerate(out_details):
            outs[j].append(it.get_tensor(d["index"]).copy())
    return [np.concatenate(o, axis=0) for o in outs]


def diff_stats(ref, got):
    """Differing vectors (rows) and max |diff| between two lists of [N, ...] output arrays."""
    n = len(ref[0])
    differ = np.zeros(n, bool)
    max_diff = 0.0
    for r, g in zip(ref, got):
        r64, g64 = r.reshape(n, -1).astype(np.float64), g.reshape(n, -1).astype(np.float64)
        differ |= np.any(r64 != g64, axis=1)
        max_diff = max(max_diff, float(np.abs(r64 - g64).max()) if r64.size else 0.0)
    if max_diff == int(max_diff):
        max_diff = int(max_diff)
    return {"differing_vectors": int(differ.sum()), "of": n, "max_abs_diff": max_diff}


def versions():
    import importlib.metadata as md

    import tflite_micro

    out = {"tflite-micro": tflite_micro.__version__, "numpy": np.__version__}
    for name in ("tensorflow-cpu", "keras", "ai-edge-litert"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out
