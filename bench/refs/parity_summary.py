"""The table of bench/train_parity.sh: per dataset and model, TinyCNN's and Keras's mean test
accuracy over the seeds (and each seed's), the difference, the trainable parameter counts (which
must match) and the median-epoch-time ratio.

    python bench/refs/parity_summary.py OUT "BATCH OPTIMIZER LR SCHEDULE" CORES LOAD \\
        "dataset|model|epochs|limit|key1 key2 key3" ...

Each key names OUT/<key>.tinycnn.json (`tinycnn train --json`) and OUT/<key>.keras.json
(parity_keras.py). Epoch time: the median of the epochs after the first (Keras's first includes
tf.function tracing; with one epoch, that one). Exit 1 if a parameter count differs.
"""

import json
import os
import statistics
import sys


def epoch_time(seconds):
    return statistics.median(seconds[1:] if len(seconds) > 1 else seconds)


def load(out, key):
    tiny = json.load(open(os.path.join(out, f"{key}.tinycnn.json")))
    keras = json.load(open(os.path.join(out, f"{key}.keras.json")))
    history = tiny["training"]["history"]
    return {
        "tiny_acc": tiny["test_accuracy"] * 100, "keras_acc": keras["test_accuracy"] * 100,
        "tiny_params": tiny["parameters"], "keras_params": keras["trainable_parameters"],
        "tiny_epoch": epoch_time([e["seconds"] for e in history]),
        "keras_epoch": epoch_time(keras["epoch_seconds"]),
        "tiny_cpu": epoch_time([e["cpu_seconds"] for e in history]),
        "keras_cpu": epoch_time(keras["epoch_cpu_seconds"]),
        "images": keras["train_images"], "test_images": keras["test_images"],
    }


def main():
    out, settings, cores, load_avg = sys.argv[1:5]
    batch, optimizer, lr, schedule = settings.split()
    print(f"Training parity, TinyCNN vs Keras: batch {batch}, {optimizer} {lr}, {schedule} rate; "
          f"{cores} cores, load average {load_avg}")
    header = (f"{'dataset':<14}{'model':<10}{'epochs':>6}{'train':>7}{'params':>9}"
              f"{'TinyCNN %':>11}{'Keras %':>10}{'diff':>7}  {'per seed (TinyCNN / Keras)':<33}"
              f"{'epoch s T/K':>14}{'ratio':>7}{'CPU ratio':>10}")
    print(header)
    print("-" * len(header))
    mismatch = False
    for row in sys.argv[5:]:
        dataset, model, epochs, _limit, keys = row.split("|")
        runs = [load(out, k) for k in keys.split()
                if os.path.exists(os.path.join(out, f"{k}.tinycnn.json"))
                and os.path.exists(os.path.join(out, f"{k}.keras.json"))]
        if not runs:
            print(f"{dataset:<14}{model:<10}{epochs:>6}  (no finished runs)")
            continue
        tiny = statistics.mean(r["tiny_acc"] for r in runs)
        keras = statistics.mean(r["keras_acc"] for r in runs)
        params = {(r["tiny_params"], r["keras_params"]) for r in runs}
        ok = all(t == k for t, k in params)
        mismatch |= not ok
        t_params, k_params = next(iter(params))
        params_text = f"{t_params:,}" if ok else f"{t_params:,}!={k_params:,}"
        seeds = " ".join(f"{r['tiny_acc']:.1f}/{r['keras_acc']:.1f}" for r in runs)
        t_epoch = statistics.median(r["tiny_epoch"] for r in runs)
        k_epoch = statistics.median(r["keras_epoch"] for r in runs)
        t_cpu = statistics.median(r["tiny_cpu"] for r in runs)
        k_cpu = statistics.median(r["keras_cpu"] for r in runs)
        print(f"{dataset:<14}{model:<10}{epochs:>6}{runs[0]['images']:>7}{params_text:>9}"
              f"{tiny:>11.2f}{keras:>10.2f}{tiny - keras:>+7.2f}  {seeds:<33}"
              f"{t_epoch:>6.2f}/{k_epoch:<7.2f}{t_epoch / k_epoch:>7.2f}{t_cpu / k_cpu:>10.2f}")
    print("diff: TinyCNN minus Keras, in points; ratio: TinyCNN's median epoch time over Keras's "
          "(wall; CPU ratio: process CPU time)")
    if mismatch:
        print("parameter counts differ: the Keras net is not the zoo's graph", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
