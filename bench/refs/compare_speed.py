"""TinyCNN vs LiteRT (XNNPACK, reference kernels) vs TFLM's Python interpreter: invoke latency.

    python bench/refs/compare_speed.py --tinycnn PATH [MODEL.tflite ...] [--runs N] [--json OUT]

Without model paths: models/lenet5-int8.tflite, models/cnn-small-int8.tflite, every
whole-model case of Tests/RuntimeTests/Golden (the converter-made Fashion-MNIST models of the
runtime issue) and every benchmark-suite case (suite_*: MLPerf Tiny architectures, random int8
input like every model here). --no-suite leaves the suite out, --suite-only takes only it.
For each model and batch (1 and 4) the runtimes are timed one after the other, so every ratio
compares numbers measured within seconds of each other. TinyCNN: `tinycnn bench --threads 1
--json` (median per image over --runs runs, input already set; batch 4 = 4 invokes of the
batch-1 model plus copying each image in). The others: speed.py (only `invoke()` timed, one
thread; see there). Ratio = TinyCNN's median / theirs: below 1 TinyCNN is faster.

The machine is shared and its speed drifts by tens of per cent within a minute, so TinyCNN and
XNNPACK (the close race) are timed in --rounds alternating rounds of --runs invokes each; each
round gives a ratio, and the table shows the median over rounds of each side's median and the
median of the rounds' ratios, with the range of those ratios. The reference kernels and TFLM
(40-200x slower) are timed once.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "Tests", "RuntimeTests", "Golden")


def default_models(kinds=("model", "suite")):
    models = []
    if "model" in kinds:
        models += [os.path.join(ROOT, "models", n)
                   for n in ("lenet5-int8.tflite", "cnn-small-int8.tflite")]
    with open(os.path.join(GOLDEN, "MANIFEST.json")) as f:
        cases = json.load(f)["cases"]
    models += [os.path.join(GOLDEN, c["name"], "model.tflite") for c in cases if c["kind"] in kinds]
    return [m for m in models if os.path.exists(m)]


def name_of(path):
    base = os.path.splitext(os.path.basename(path))[0]
    return os.path.basename(os.path.dirname(path)) if base == "model" else base


def tinycnn(binary, path, batch, runs, warmup):
    out = subprocess.run(
        [binary, "bench", "--model", path, "--batch", str(batch), "--threads", "1",
         "--runs", str(runs), "--warmup", str(warmup), "--json", "--quiet"],
        check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    lat = r["latencyMicroseconds"]
    return {"median_us": lat["median"], "p10_us": lat["p10"], "p90_us": lat["p90"],
            "min_us": lat["min"], "images_per_invoke": 1, "gmacs": r["gmacs"],
            "peak_fraction": r["peakFraction"], "cpu": r["cpu"], "layers": r["layers"]}


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="*")
    ap.add_argument("--tinycnn", required=True)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--batches", default="1,4")
    ap.add_argument("--rounds", type=int, default=5,
                    help="alternating TinyCNN / XNNPACK rounds per model and batch")
    ap.add_argument("--json", help="write every measurement here")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--no-suite", action="store_true",
                       help="default models without the suite_* cases")
    which.add_argument("--suite-only", action="store_true",
                       help="only the suite_* cases (MLPerf Tiny architectures)")
    args = ap.parse_args()
    kinds = ("model",) if args.no_suite else ("suite",) if args.suite_only else ("model", "suite")
    models = [os.path.abspath(m) for m in args.models] or default_models(kinds)
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        for path in models:
            row = {"model": name_of(path), "path": os.path.relpath(path, ROOT), "batch": batch}
            rounds = []
            for _ in range(args.rounds):
                t = tinycnn(args.tinycnn, path, batch, args.runs, args.warmup)
                s, per = speed.litert(path, batch, args.runs, args.warmup, "xnnpack")
                x = dict(speed.stats(s, batch), images_per_invoke=per)
                rounds.append({"tinycnn": t, "litert_xnnpack": x,
                               "ratio": t["median_us"] / x["median_us"]})
            row["rounds"] = rounds
            ratios = sorted(r["ratio"] for r in rounds)
            row["xnnpack_ratio"] = {"median": median(ratios), "min": ratios[0], "max": ratios[-1]}
            row["tinycnn"] = dict(rounds[0]["tinycnn"],
                                  median_us=median([r["tinycnn"]["median_us"] for r in rounds]))
            row["litert_xnnpack"] = dict(
                rounds[0]["litert_xnnpack"],
                median_us=median([r["litert_xnnpack"]["median_us"] for r in rounds]))
            ref_runs = max(50, args.runs // 10)
            s, per = speed.litert(path, batch, ref_runs, args.warmup // 10, "ref")
            row["litert_ref"] = dict(speed.stats(s, batch), images_per_invoke=per)
            s, per = speed.tflm(path, batch, ref_runs, max(5, args.warmup // 10))
            row["tflm"] = dict(speed.stats(s, batch), images_per_invoke=per)
            rows.append(row)
            t = row["tinycnn"]["median_us"]
            xr = row["xnnpack_ratio"]
            print(f"{row['model']:<24} batch {batch}  TinyCNN {t:8.2f} us  "
                  f"XNNPACK {row['litert_xnnpack']['median_us']:8.2f} us "
                  f"({xr['median']:.3f}x, rounds {xr['min']:.3f}-{xr['max']:.3f})  "
                  f"LiteRT ref {row['litert_ref']['median_us']:9.2f} us "
                  f"({t / row['litert_ref']['median_us']:.4f}x)  "
                  f"TFLM {row['tflm']['median_us']:9.2f} us ({t / row['tflm']['median_us']:.4f}x)",
                  flush=True)

    print()
    print("per-image invoke latency, median, microseconds; ratio = TinyCNN / theirs "
          "(below 1: TinyCNN faster); * = LiteRT ran the 4 images as one batch-4 invoke")
    print(f"(TinyCNN and XNNPACK: medians over {args.rounds} alternating rounds of {args.runs} "
          "invokes; their ratio is the median of the rounds' ratios, its range in brackets)")
    head = (f"| model | batch | TinyCNN | LiteRT XNNPACK | ratio | LiteRT reference | ratio "
            f"| TFLM (Python) | ratio |")
    print(head)
    print("|" + "---|" * 9)
    for r in rows:
        t = r["tinycnn"]["median_us"]
        x, ref, m = r["litert_xnnpack"], r["litert_ref"], r["tflm"]
        star = lambda d: "*" if d["images_per_invoke"] > 1 else ""
        xr = r["xnnpack_ratio"]
        print(f"| {r['model']} | {r['batch']} | {t:.2f} | {x['median_us']:.2f}{star(x)} | "
              f"**{xr['median']:.2f}** ({xr['min']:.2f}-{xr['max']:.2f}) | "
              f"{ref['median_us']:.1f}{star(ref)} | "
              f"{t / ref['median_us']:.3f} | {m['median_us']:.1f} | {t / m['median_us']:.3f} |")
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rows, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    sys.exit(main())
