"""Invoke latency of LiteRT (XNNPACK and its reference kernels) and TFLM's Python interpreter.

    python bench/refs/speed.py MODEL.tflite [...] --batch 1 --runs 2000 --warmup 200

Prints one JSON object per line: {"model", "runtime", "batch", "images_per_invoke", "runs",
"median_us", "p10_us", "p90_us", "min_us"}, the times per image.

How it is timed (the fairest we can): the interpreter is built and allocated once, one input
batch is set once (random int8/uint8 bytes or float32 in [0, 1), like `tinycnn bench`), and only
`invoke()` is inside the timer (time.perf_counter_ns, one sample per invoke), after `--warmup`
untimed invokes. One thread (LiteRT num_threads=1; TFLM is single-threaded). Batch 4: LiteRT
resizes the input to batch 4 and invokes once when the model allows it (dynamic batch), else
it and TFLM invoke 4 times on batch 1 like TinyCNN does; each sample is then the 4 invokes.
"images_per_invoke" says which.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def stats(samples_ns, per):
    s = np.sort(np.asarray(samples_ns, dtype=np.float64)) / 1000.0 / per
    q = lambda p: float(s[int(round((len(s) - 1) * p))])
    return {"median_us": q(0.5), "p10_us": q(0.1), "p90_us": q(0.9), "min_us": float(s[0])}


def random_input(detail, batch, rng):
    shape = list(detail["shape"])
    shape[0] = batch
    dt = detail["dtype"]
    if dt == np.float32:
        return rng.random(shape, dtype=np.float32)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max + 1, size=shape, dtype=dt)


def time_loop(invoke, runs, warmup):
    for _ in range(warmup):
        invoke()
    out = []
    clock = time.perf_counter_ns
    for _ in range(runs):
        t0 = clock()
        invoke()
        out.append(clock() - t0)
    return out


def litert(path, batch, runs, warmup, resolver):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kind = {"xnnpack": OpResolverType.AUTO, "ref": OpResolverType.BUILTIN_REF}[resolver]
    rng = np.random.default_rng(1)
    per_invoke = 1
    it = None
    if batch > 1:
        try:
            it = Interpreter(model_path=path, num_threads=1, experimental_op_resolver_type=kind)
            d = it.get_input_details()
            for x in d:
                it.resize_tensor_input(x["index"], [batch] + list(x["shape"][1:]))
            it.allocate_tensors()
            for x in it.get_input_details():
                it.set_tensor(x["index"], random_input(x, batch, rng))
            it.invoke()
            per_invoke = batch
        except (RuntimeError, ValueError):
            it = None
    if it is None:
        it = Interpreter(model_path=path, num_threads=1, experimental_op_resolver_type=kind)
        it.allocate_tensors()
        for x in it.get_input_details():
            it.set_tensor(x["index"], random_input(x, 1, rng))
    invoke = it.invoke
    if per_invoke != batch:
        def invoke():
            for _ in range(batch):
                it.invoke()
    return time_loop(invoke, runs, warmup), per_invoke


def tflm_input_count(path):
    # TFLM's Python interpreter has no input count: ask LiteRT's reader of the same file.
    from ai_edge_litert.interpreter import Interpreter
    return len(Interpreter(model_path=path).get_input_details())


def tflm(path, batch, runs, warmup):
    from tflite_micro import runtime
    it = runtime.Interpreter.from_file(path)
    rng = np.random.default_rng(1)
    for i in range(tflm_input_count(path)):
        it.set_input(random_input(it.get_input_details(i), 1, rng), i)
    if batch == 1:
        invoke = it.invoke
    else:
        def invoke():
            for _ in range(batch):
                it.invoke()
    return time_loop(invoke, runs, warmup), 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--runtimes", default="litert-xnnpack,litert-ref,tflm")
    args = ap.parse_args()
    for path in args.models:
        for rt in args.runtimes.split(","):
            runs = args.runs
            if rt != "litert-xnnpack":  # reference kernels are 10-100x slower: fewer runs
                runs = max(50, args.runs // 10)
            if rt == "tflm":
                samples, per = tflm(path, args.batch, runs, max(5, args.warmup // 10))
            else:
                samples, per = litert(path, args.batch, runs, args.warmup, rt.split("-")[1])
            row = {"model": path, "runtime": rt, "batch": args.batch, "images_per_invoke": per,
                   "runs": runs}
            row.update(stats(samples, args.batch))
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    sys.exit(main())
