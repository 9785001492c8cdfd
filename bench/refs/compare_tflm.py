"""TinyCNN vs TFLite Micro (the oracle) vs LiteRT on whole Fashion-MNIST test split.

    python bench/refs/compare_tflm.py --tinycnn PATH [MODEL.tflite ...] [--limit N]
    python bench/refs/compare_tflm.py --tinycnn PATH --golden-cases

Without model paths it takes every whole-model case of Tests/RuntimeTests/Golden/MANIFEST.json.
For each model: all test images (quantised with the model's input scale and zero point, or raw
uint8 / [0,1] float as the input tensor's type says) go through TFLM's Python interpreter, through
`tinycnn run MODEL --input x.npy --output y.npy`, and through LiteRT (reference kernels and the
default XNNPACK path). Prints the count of output vectors that differ from TFLM's, the largest
difference, top-1 accuracy of each, and the arena sizes (TFLM's minimum by bisection, TinyCNN's
from `tinycnn inspect MODEL --json`). Exit status 1 if TinyCNN differs from TFLM anywhere.

--golden-cases instead feeds every committed golden case (its input_<i>.npy files) to
`tinycnn run` and compares with the committed TFLM outputs: a quick end-to-end check of the CLI.

TFLM's outputs are cached in bench/out/compare/ by model hash (they are deterministic).
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np

import fmnist
import tflite_tools as tt

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN = os.path.join(REPO, "Tests", "RuntimeTests", "Golden")
CACHE = os.path.join(REPO, "bench", "out", "compare")


def log(s):
    print(s, flush=True)


def golden_manifest():
    with open(os.path.join(GOLDEN, "MANIFEST.json")) as f:
        return json.load(f)


def model_inputs(info, x_u8, path):
    if len(info["inputs"]) != 1:
        raise SystemExit(f"{path}: {len(info['inputs'])} inputs; Fashion-MNIST models have one")
    t = info["inputs"][0]
    if t["shape"][1:] not in ([28, 28, 1], [28, 28], [784]):
        raise SystemExit(f"{path}: input shape {t['shape']} is not a Fashion-MNIST image")
    dt = tt.np_dtype(t["dtype"])
    if dt == np.float32:
        x = fmnist.float_images(x_u8)
    elif "scale" not in t:
        raise SystemExit(f"{path}: {t['dtype']} input without quantisation parameters")
    else:
        x = fmnist.quantize_images(x_u8, t["scale"], t["zero_point"], dt)
    return x.reshape((len(x_u8),) + tuple(t["shape"][1:]))


def tflm_outputs(buf, x):
    """TFLM's outputs for x, cached by model hash, input hash and tflite-micro version."""
    import tflite_micro

    h = hashlib.sha256(buf)
    h.update(np.ascontiguousarray(x).tobytes())
    h.update(tflite_micro.__version__.encode())
    path = os.path.join(CACHE, h.hexdigest()[:24] + ".npz")
    if os.path.exists(path):
        with np.load(path) as z:
            return [z[f"out_{j}"] for j in range(len(z.files))]
    outs = tt.tflm_run(buf, [x])
    os.makedirs(CACHE, exist_ok=True)
    tmp = path + ".tmp.npz"
    np.savez(tmp, **{f"out_{j}": o for j, o in enumerate(outs)})
    os.replace(tmp, path)
    return outs


def tinycnn_run(tinycnn, model, xs, n_out):
    """Run `tinycnn run` (one --input per array of xs, in the model's input order); returns its
    outputs (y.npy, or y_<j>.npy for several outputs) or an error string."""
    with tempfile.TemporaryDirectory(prefix="tinycnn-cmp-") as tmp:
        yout = os.path.join(tmp, "y.npy")
        cmd = [tinycnn, "run", model]
        for i, x in enumerate(xs):
            np.save(os.path.join(tmp, f"x_{i}.npy"), x)
            cmd += ["--input", os.path.join(tmp, f"x_{i}.npy")]
        t0 = time.perf_counter()
        p = subprocess.run(cmd + ["--output", yout], capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
            return f"exit {p.returncode}: {msg[-1] if msg else ''}", dt
        if os.path.exists(yout) and n_out == 1:
            return [np.load(yout)], dt
        stem = yout[:-len(".npy")]
        paths = [f"{stem}_{j}.npy" for j in range(n_out)]
        if all(os.path.exists(p_) for p_ in paths):
            return [np.load(p_) for p_ in paths], dt
        return f"no output file ({os.listdir(tmp)})", dt


def tinycnn_arena(tinycnn, model):
    """The planned arena from `tinycnn inspect MODEL --json`: the first integer field whose key
    mentions "arena" (the field name is the runtime's choice; printed with the value)."""
    p = subprocess.run([tinycnn, "inspect", model, "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
        return None, f"inspect --json failed (exit {p.returncode}): {msg[0][:200] if msg else ''}"
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return None, f"inspect --json is not JSON: {e}"

    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                if "arena" in k.lower() and isinstance(v, int) and not isinstance(v, bool):
                    return v, path + k
            for k, v in o.items():
                r = walk(v, path + k + ".")
                if r:
                    return r
        return None

    r = walk(doc, "")
    return (r[0], r[1]) if r else (None, "no arena field in inspect --json")


def compare(ref, got):
    if isinstance(got, str):
        return got
    if len(got) != len(ref) or any(g.shape != r.shape for g, r in zip(got, ref)):
        return (f"shape mismatch: TFLM {[list(r.shape) for r in ref]} vs "
                f"{[list(g.shape) for g in got]} ({[str(g.dtype) for g in got]})")
    if any(g.dtype != r.dtype for g, r in zip(got, ref)):
        return f"dtype mismatch: TFLM {ref[0].dtype} vs {got[0].dtype}"
    return tt.diff_stats(ref, got)


def fmt(stats):
    if isinstance(stats, str):
        return f"ERROR {stats}"
    return f"{stats['differing_vectors']:5d} of {stats['of']} differ, max |diff| " \
           f"{stats['max_abs_diff']}"


def top1(outs, y):
    return float(np.mean(np.argmax(outs[0].reshape(len(y), -1), axis=1) == y))


def agreement(ref, got):
    """Share of images whose top-1 class (argmax of the first output) is the same."""
    n = len(ref[0])
    return float(np.mean(np.argmax(ref[0].reshape(n, -1), axis=1) ==
                         np.argmax(got[0].reshape(n, -1), axis=1)))


def whole_models(args, tinycnn):
    x_u8, y = fmnist.load("test")
    if args.limit:
        x_u8, y = x_u8[:args.limit], y[:args.limit]
    manifest = {c["name"]: c for c in golden_manifest()["cases"]}
    if args.models:
        def name_of(p):  # Golden/<case>/model.tflite is called <case>
            p = os.path.abspath(p)
            base = os.path.splitext(os.path.basename(p))[0]
            return os.path.basename(os.path.dirname(p)) if base == "model" else base

        models = [(name_of(p), os.path.abspath(p)) for p in args.models]
    else:
        models = [(c["name"], os.path.join(GOLDEN, c["name"], "model.tflite"))
                  for c in manifest.values() if c["kind"] == "model"]
    bad = 0
    summary = []
    for name, path in models:
        with open(path, "rb") as f:
            buf = f.read()
        info = tt.model_info(buf)
        x = model_inputs(info, x_u8, path)
        log(f"== {name} ({os.path.relpath(path, REPO) if path.startswith(REPO) else path}, "
            f"{len(buf)} B, {len(x)} images)")
        t0 = time.perf_counter()
        try:
            ref = tflm_outputs(buf, x)
        except (RuntimeError, ValueError) as e:  # TFLM refused the file: that is the finding
            log(f"  TFLM failed to run it: {str(e).strip().splitlines()[-1][:300]}")
            summary.append({"model": name, "path": path, "file_bytes": len(buf),
                            "tflm_error": str(e).strip()[:300]})
            bad += 1
            continue
        log(f"  TFLM                     top-1 {top1(ref, y):.4f}  ({time.perf_counter() - t0:.1f} s)")
        row = {"model": name, "path": path, "file_bytes": len(buf), "images": len(x),
               "tflm_top1": top1(ref, y)}
        if tinycnn:
            got, dt = tinycnn_run(tinycnn, path, [x], len(ref))
            st = compare(ref, got)
            acc = ""
            if not isinstance(st, str):
                st["top1"], st["top1_agreement"] = top1(got, y), agreement(ref, got)
                acc = f"top-1 {st['top1']:.4f} agree {st['top1_agreement']:.4f}  "
            log(f"  TinyCNN vs TFLM          {fmt(st)}  {acc}({dt:.1f} s incl. process start)")
            row["tinycnn_vs_tflm"] = st
            if isinstance(st, str) or st["differing_vectors"]:
                bad += 1
        else:
            row["tinycnn_vs_tflm"] = "not run (no tinycnn binary)"
        for resolver, label in (("BUILTIN_REF", "LiteRT reference"), ("AUTO", "LiteRT XNNPACK")):
            t0 = time.perf_counter()
            try:
                got = tt.litert_run(buf, [x], resolver)
            except (RuntimeError, ValueError) as e:
                got = str(e).strip().splitlines()[-1][:200]
            st = compare(ref, got)
            acc = ""
            if not isinstance(st, str):
                st["top1"], st["top1_agreement"] = top1(got, y), agreement(ref, got)
                acc = f"top-1 {st['top1']:.4f} agree {st['top1_agreement']:.4f}  "
            log(f"  {label + ' vs TFLM':24} {fmt(st)}  {acc}({time.perf_counter() - t0:.1f} s)")
            row[f"litert_{resolver.lower()}_vs_tflm"] = st
        golden = manifest.get(name)
        same_file = golden and os.path.abspath(path) == os.path.join(GOLDEN, name, "model.tflite")
        if same_file and golden.get("tflm"):
            arena = golden["tflm"]
            how = "from MANIFEST.json"
        else:
            arena = tt.tflm_arena(buf, [x[:1]])
            how = "bisected now"
        row["tflm_arena"] = arena["arena_size"]
        t_arena, field = tinycnn_arena(tinycnn, path) if tinycnn else (None, "no tinycnn binary")
        row["tinycnn_arena"] = t_arena
        log(f"  arena bytes              TFLM {arena['arena_size']} (min by bisection, {how}; "
            f"head {arena['arena_head']}, tail {arena['arena_tail']})   TinyCNN "
            f"{t_arena if t_arena is not None else '?'} ({field})")
        summary.append(row)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(summary, f, indent=1)
        os.replace(args.json + ".tmp", args.json)
        log(f"wrote {args.json}")
    if tinycnn:
        log("RESULT: " + ("TinyCNN equals TFLM on every output vector of every model"
                          if not bad else f"TinyCNN differs from TFLM on {bad} model(s)"))
    return 1 if bad else 0


def golden_cases(tinycnn):
    bad = 0
    for c in golden_manifest()["cases"]:
        d = os.path.join(GOLDEN, c["name"])
        xs = [np.load(os.path.join(d, i["file"])) for i in c["inputs"]]
        ref = [np.load(os.path.join(d, o["file"])) for o in c["outputs"]]
        got, _ = tinycnn_run(tinycnn, os.path.join(d, "model.tflite"), xs, len(ref))
        st = compare(ref, got)
        if isinstance(st, str) or st["differing_vectors"]:
            bad += 1
        log(f"  {c['name']:28} {fmt(st)}")
    log(f"RESULT: {bad} golden case(s) differ from TFLM" if bad else
        "RESULT: every golden case equals TFLM")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("models", nargs="*", help=".tflite files (default: the golden whole models)")
    ap.add_argument("--tinycnn", help="the tinycnn binary (omit to compare TFLM and LiteRT only)")
    ap.add_argument("--limit", type=int, help="first N test images only")
    ap.add_argument("--golden-cases", action="store_true")
    ap.add_argument("--json", help="also write the summary as JSON here")
    args = ap.parse_args()
    try:
        os.nice(10)
    except OSError:
        pass
    if args.golden_cases:
        if not args.tinycnn:
            raise SystemExit("--golden-cases needs --tinycnn")
        return golden_cases(args.tinycnn)
    return whole_models(args, args.tinycnn)


if __name__ == "__main__":
    sys.exit(main())
