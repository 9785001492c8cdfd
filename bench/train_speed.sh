#!/usr/bin/env bash
# One training epoch of LeNet-5 on Fashion-MNIST (60,000 images) in TinyCNN and in Keras
# (tensorflow-cpu from bench/.venv), same batch size, same machine, in one run. Prints the
# images/s of both and the ratio TinyCNN time / Keras time (below 1.0: TinyCNN is faster).
#
#   bench/train_speed.sh                  # batch 64, all cores, best of 1 run each
#   BATCH=32 REPEAT=3 bench/train_speed.sh   # best of 3 alternating runs of each
#   THREADS=1 bench/train_speed.sh        # one thread for both
#   TINYCNN=/path/to/tinycnn bench/train_speed.sh   # use that binary, build nothing
#   SCRATCH=.build-train bench/train_speed.sh       # SwiftPM scratch path for the build
#
# Both sides time the training loop only: TinyCNN its epoch (batching, forward, backward,
# optimizer; not the data loading or the test evaluation), Keras `model.fit` for one epoch after
# a 20-batch warm-up fit (so graph tracing is not counted; KERAS_WARMUP=0 counts it). Both
# use Adam at 0.001 and shuffled batches. The machine is shared: the load average is printed
# with the result, REPEAT>1 takes each side's best run (the least disturbed), and each side's
# process CPU time over the epoch is printed too: on a busy machine wall time says how large a
# share of the cores a process got (TensorFlow runs more threads than cores, so it gets a larger
# share), CPU time what the epoch cost.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BATCH="${BATCH:-64}"
REPEAT="${REPEAT:-1}"
THREADS="${THREADS:-0}"
PY="$("$HERE/setup_venv.sh" | tail -n 1)"

source "$HERE/refs/tinycnn_binary.sh"
tinycnn_binary train_speed

OUT="$(mktemp -d "${TMPDIR:-/tmp}/train_speed.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT
THREAD_FLAG=()
if [[ "$THREADS" != "0" ]]; then THREAD_FLAG=(--threads "$THREADS"); fi
WARMUP_FLAG=()
if [[ "${KERAS_WARMUP:-1}" == "0" ]]; then WARMUP_FLAG=(--no-warmup); fi

for ((run = 1; run <= REPEAT; run++)); do
  echo "train_speed: run $run/$REPEAT: TinyCNN, batch $BATCH" >&2
  "$TINYCNN" train --model lenet5 --dataset fashion-mnist --epochs 1 --batch-size "$BATCH" \
    --lr 0.001 --schedule constant --seed "$run" "${THREAD_FLAG[@]}" --quiet --json \
    --out "$OUT/lenet5.safetensors" > "$OUT/tinycnn-$run.json"
  echo "train_speed: run $run/$REPEAT: Keras, batch $BATCH" >&2
  "$PY" "$HERE/keras_lenet5_epoch.py" --batch "$BATCH" --threads "$THREADS" --seed "$run" \
    "${WARMUP_FLAG[@]}" > "$OUT/keras-$run.json"
done

"$PY" - "$OUT" "$REPEAT" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PYEOF'
import json, sys
out, repeat, cores, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
tiny = [json.load(open(f"{out}/tinycnn-{i}.json")) for i in range(1, repeat + 1)]
keras = [json.load(open(f"{out}/keras-{i}.json")) for i in range(1, repeat + 1)]
t = max(tiny, key=lambda r: r["training"]["history"][0]["images_per_second"])
k = max(keras, key=lambda r: r["images_per_second"])
t_ips = t["training"]["history"][0]["images_per_second"]
t_sec = t["training"]["history"][0]["seconds"]
t_cpu = t["training"]["history"][0]["cpu_seconds"]
k_ips, k_sec, k_cpu = k["images_per_second"], k["seconds"], k["cpu_seconds"]
print(f"LeNet-5, Fashion-MNIST, one epoch of 60,000 images, batch {k['batch']}, "
      f"{cores} cores, best of {repeat}, load average {load}")
print(f"  TinyCNN  {t_ips:8,.0f} images/s  {t_sec:6.1f} s  CPU {t_cpu:6.1f} s  test accuracy "
      f"{t['test_accuracy'] * 100:.2f} %  ({t['training']['threads']} threads)")
print(f"  Keras    {k_ips:8,.0f} images/s  {k_sec:6.1f} s  CPU {k_cpu:6.1f} s  test accuracy "
      f"{k['test_accuracy'] * 100:.2f} %  (TensorFlow {k['tensorflow']}"
      f"{', after a warm-up' if k['warmup'] else ', first epoch incl. tracing'})")
print(f"  ratio (TinyCNN time / Keras time): {t_sec / k_sec:.3f}"
      f"  ->  TinyCNN is {k_sec / t_sec:.1f}x {'faster' if t_sec < k_sec else 'slower'}")
print(f"  CPU-time ratio (TinyCNN CPU s / Keras CPU s): {t_cpu / k_cpu:.3f}"
      f"  (what the epoch costs, whatever share of the cores each got)")
PYEOF
