"""TinyCNN vs TFLite Micro (the oracle) on the benchmark suite, over many seeded random inputs.

    python bench/refs/compare_suite.py --tinycnn PATH [--rows N] [--chunk C] [--only a,b]
                                       [--seed S] [--kernels k1,k2] [--json OUT]

For every "suite" case of Tests/RuntimeTests/Golden/MANIFEST.json (or those named by --only,
which may be any golden case with one int8 input): N rows (default 10,000) uniform over the int8
range, drawn from seeded generators (chunk k of C rows, default 1,000, from seed
S * 1,000,003 + k; S defaults to 12: the rows depend on S, C and N), go through TFLM's
Python interpreter and through `tinycnn run --kernels K` for each K of --kernels (default
reference,optimized; `all` is every set this CPU runs: reference, dsp, portable, avx2,
avx512-vnni as `tinycnn run --help` lists them).
Prints, per model and kernel set, the output vectors that differ from TFLM's and the largest
difference. Exit status 1 if any differs. TFLM's outputs are cached in bench/out/compare/ (by
model, input and tflite-micro version), so a rerun costs only TinyCNN's time.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np

import compare_tflm as ct
import tflite_tools as tt

DEFAULT_KERNELS = "reference,optimized"
EVERY_SET = ("reference", "dsp", "portable", "avx2", "avx512-vnni")


def log(s):
    print(s, flush=True)


def rows_for(shape, n, seed, chunk):
    """Chunks of the N seeded random int8 rows: yields (start, array)."""
    for k, start in enumerate(range(0, n, chunk)):
        rng = np.random.default_rng(seed * 1_000_003 + k)
        yield start, rng.integers(-128, 128, (min(chunk, n - start),) + shape).astype(np.int8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tinycnn", required=True)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--chunk", type=int, default=1000,
                    help="rows per TFLM / tinycnn call (memory: MobileNet rows are 27 KB)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--only", help="comma-separated golden case names (default: the suite)")
    ap.add_argument("--kernels", default=DEFAULT_KERNELS,
                    help="comma-separated `tinycnn run --kernels` values, or `all` (every set "
                         "this CPU runs)")
    ap.add_argument("--json", help="also write the summary as JSON here")
    args = ap.parse_args()
    KERNELS = available_sets(args.tinycnn) if args.kernels == "all" else args.kernels.split(",")
    try:
        os.nice(10)
    except OSError:
        pass
    cases = ct.golden_manifest()["cases"]
    if args.only:
        want = args.only.split(",")
        by_name = {c["name"]: c for c in cases}
        unknown = [n for n in want if n not in by_name]
        if unknown:
            raise SystemExit(f"unknown case(s): {', '.join(unknown)}")
        cases = [by_name[n] for n in want]
    else:
        cases = [c for c in cases if c["kind"] == "suite"]
    summary, bad = [], 0
    for c in cases:
        path = os.path.join(ct.GOLDEN, c["name"], "model.tflite")
        with open(path, "rb") as f:
            buf = f.read()
        info = tt.model_info(buf)
        if len(info["inputs"]) != 1 or info["inputs"][0]["dtype"] != "int8":
            raise SystemExit(f"{c['name']}: needs exactly one int8 input")
        shape = tuple(info["inputs"][0]["shape"][1:])
        log(f"== {c['name']} ({len(buf)} B, input {list(shape)}, {args.rows} random rows, "
            f"seed {args.seed})")
        t_tflm, t_ours = 0.0, {k: 0.0 for k in KERNELS}
        differing = {k: 0 for k in KERNELS}
        max_diff = {k: 0 for k in KERNELS}
        errors = {}
        for start, x in rows_for(shape, args.rows, args.seed, args.chunk):
            t0 = time.perf_counter()
            ref = ct.tflm_outputs(buf, x)
            t_tflm += time.perf_counter() - t0
            for k in KERNELS:
                if k in errors:
                    continue
                got, dt = tinycnn_run(args.tinycnn, path, x, len(ref), k)
                t_ours[k] += dt
                st = ct.compare(ref, got)
                if isinstance(st, str):
                    errors[k] = f"rows {start}..: {st}"
                    continue
                differing[k] += st["differing_vectors"]
                max_diff[k] = max(max_diff[k], st["max_abs_diff"])
        log(f"  TFLM                      {t_tflm:.1f} s (cached chunks are free)")
        row = {"model": c["name"], "rows": args.rows, "seed": args.seed, "chunk": args.chunk}
        for k in KERNELS:
            if k in errors:
                log(f"  TinyCNN {k:<11} vs TFLM  ERROR {errors[k]}")
                row[k] = errors[k]
                bad += 1
                continue
            log(f"  TinyCNN {k:<11} vs TFLM  {differing[k]:5d} of {args.rows} differ, max |diff| "
                f"{max_diff[k]}  ({t_ours[k]:.1f} s incl. process starts)")
            row[k] = {"differing_vectors": differing[k], "of": args.rows,
                      "max_abs_diff": max_diff[k]}
            bad += differing[k] > 0
        summary.append(row)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(summary, f, indent=1)
        os.replace(args.json + ".tmp", args.json)
        log(f"wrote {args.json}")
    log("RESULT: " + (f"TinyCNN equals TFLM on every output vector, kernel sets {','.join(KERNELS)}"
                      if not bad
                      else f"TinyCNN differs from TFLM in {bad} model / kernel-set pair(s)"))
    return 1 if bad else 0


def available_sets(tinycnn):
    """The kernel sets this binary runs on this CPU: its --help lists them after "this CPU runs:"."""
    import re
    import subprocess

    text = subprocess.run([tinycnn, "run", "--help"], capture_output=True, text=True).stdout
    m = re.search(r"this CPU runs:\s*([a-z0-9, -]+)\.", " ".join(text.split()), re.I)
    if not m:
        raise SystemExit(f"{tinycnn} run --help names no kernel sets")
    return [k.strip() for k in m.group(1).split(",") if k.strip() in EVERY_SET]


def tinycnn_run(tinycnn, model, x, n_out, kernels):
    """compare_tflm.tinycnn_run with a --kernels choice."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tinycnn-suite-") as tmp:
        xin, yout = os.path.join(tmp, "x.npy"), os.path.join(tmp, "y.npy")
        np.save(xin, x)
        t0 = time.perf_counter()
        p = subprocess.run([tinycnn, "run", model, "--input", xin, "--output", yout,
                            "--kernels", kernels, "--quiet"], capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
            return f"exit {p.returncode}: {msg[-1] if msg else ''}", dt
        if n_out == 1 and os.path.exists(yout):
            return [np.load(yout)], dt
        paths = [os.path.join(tmp, f"y_{j}.npy") for j in range(n_out)]
        if all(os.path.exists(q) for q in paths):
            return [np.load(q) for q in paths], dt
        return f"no output file ({os.listdir(tmp)})", dt


if __name__ == "__main__":
    sys.exit(main())
