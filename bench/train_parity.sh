#!/usr/bin/env bash
# Training parity with Keras (issue 14): the same architecture on the same data, trained by
# TinyCNN and by Keras (bench/.venv's TensorFlow) with the same batch, optimizer, learning rate,
# schedule and epochs, over several seeds; prints both mean test accuracies side by side,
# the difference, and the ratio of the median epoch times (TinyCNN / Keras, epochs after the
# first; Keras's first epoch includes tracing). Keras's nets are the zoo's graphs layer for layer
# (bench/refs/parity_keras.py says how); the trainable parameter counts are checked to match.
#
# Datasets (DATASETS, space-separated):
#   fashion-mnist   the Debian package's Fashion-MNIST (FMNIST_LIMIT images of each split,
#                   FMNIST_EPOCHS epochs)
#   shapes-png      a generated PNG folder: 3 shapes on random backgrounds, SHAPES_SIZE px RGB,
#                   the PNG flavours mixed (RGB, palette, RGBA, gray), SHAPES_TRAIN / SHAPES_TEST
#                   images per class (bench/refs/shapes_folder.py), SHAPES_EPOCHS epochs
#   shapes-cifar    the same kind of images at 32x32 in CIFAR-10's binary format
#                   (data_batch_1.bin, test_batch.bin, batches.meta.txt), SHAPES_EPOCHS epochs
#
#   bench/train_parity.sh                           # the quick run: every dataset, lenet5,
#                                                   # cnn-small, resnet8, seeds 0 1 2
#   MODELS=cnn-small DATASETS=shapes-png bench/train_parity.sh
#   FMNIST_LIMIT=0 FMNIST_EPOCHS=10 SHAPES_TRAIN=2000 bench/train_parity.sh   # the full run
#   OPTIMIZER=sgd LR=0.05 bench/train_parity.sh     # any optimizer and rate, both sides
#   SCHEDULE=cosine bench/train_parity.sh           # TinyCNN's default schedule; Keras's
#                                                   # CosineDecay over all steps is the same
#   TINYCNN=/path/to/tinycnn bench/train_parity.sh  # use that binary, build nothing
#
# Defaults: batch 64, Adam 0.002 (TinyCNN's default rate), constant rate (Keras's default;
# with a constant rate the last epoch's test accuracy swings by several points on the small
# shapes sets, on both sides: SCHEDULE=cosine settles it), seeds 0 1 2,
# Fashion-MNIST 10,000 + 10,000 images x 3 epochs, shapes 600 + 200 per class (1,800 training,
# 600 test images) x 10 epochs at 40 px. At most one training runs at a time (nice -n 5); both
# sides use every core (THREADS=N pins both). Every run's JSON stays in OUT (default
# bench/out/parity, git-ignored); RESUME=1 skips runs whose JSON is already there, so an
# interrupted sweep continues. SUMMARY_ONLY=1 prints the table from OUT without training.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DATASETS="${DATASETS:-fashion-mnist shapes-png shapes-cifar}"
MODELS="${MODELS:-lenet5 cnn-small resnet8}"
SEEDS="${SEEDS:-0 1 2}"
BATCH="${BATCH:-64}"
OPTIMIZER="${OPTIMIZER:-adam}"
LR="${LR:-0.002}"
SCHEDULE="${SCHEDULE:-constant}"
THREADS="${THREADS:-0}"
FMNIST_LIMIT="${FMNIST_LIMIT:-10000}"
FMNIST_EPOCHS="${FMNIST_EPOCHS:-3}"
SHAPES_SIZE="${SHAPES_SIZE:-40}"
SHAPES_TRAIN="${SHAPES_TRAIN:-600}"
SHAPES_TEST="${SHAPES_TEST:-200}"
SHAPES_EPOCHS="${SHAPES_EPOCHS:-10}"
OUT="${OUT:-$ROOT/bench/out/parity}"
PY="$("$HERE/setup_venv.sh" | tail -n 1)"
mkdir -p "$OUT"

log() { echo "train_parity: $*" >&2; }

# The data each dataset name stands for: sets DATA (the --dataset argument), EPOCHS and LIMIT.
dataset_args() {
  local shapes="$OUT/data/shapes-${SHAPES_SIZE}px-${SHAPES_TRAIN}-${SHAPES_TEST}"
  local cifar="$OUT/data/shapes-cifar-${SHAPES_TRAIN}-${SHAPES_TEST}"
  case "$1" in
    fashion-mnist) DATA=fashion-mnist EPOCHS="$FMNIST_EPOCHS" LIMIT="$FMNIST_LIMIT" ;;
    shapes-png)
      if [[ ! -d "$shapes/test" ]]; then
        log "generating $shapes"
        "$PY" "$HERE/refs/shapes_folder.py" "$shapes.tmp" --size "$SHAPES_SIZE" \
          --train "$SHAPES_TRAIN" --test "$SHAPES_TEST" --seed 14
        rm -rf "$shapes" && mv "$shapes.tmp" "$shapes"
      fi
      DATA="$shapes" EPOCHS="$SHAPES_EPOCHS" LIMIT=0 ;;
    shapes-cifar)
      if [[ ! -f "$cifar/test_batch.bin" ]]; then
        log "generating $cifar"
        "$PY" "$HERE/refs/shapes_folder.py" "$cifar.tmp" --format cifar \
          --train "$SHAPES_TRAIN" --test "$SHAPES_TEST" --seed 15
        rm -rf "$cifar" && mv "$cifar.tmp" "$cifar"
      fi
      DATA="cifar10:$cifar" EPOCHS="$SHAPES_EPOCHS" LIMIT=0 ;;
    *) log "unknown dataset '$1' (fashion-mnist, shapes-png, shapes-cifar)"; exit 64 ;;
  esac
}

# The settings that name a run's files, so runs with other settings never mix in the summary.
run_key() {
  local schedule=""
  [[ "$SCHEDULE" != "constant" ]] && schedule="-$SCHEDULE"
  echo "$1-$2-e${EPOCHS}-l${LIMIT}-b${BATCH}-${OPTIMIZER}${LR}${schedule}-s$3"
}

train_pair() {
  local dataset="$1" model="$2" seed="$3" key
  key="$(run_key "$dataset" "$model" "$seed")"
  local limit_flag=() thread_flag=()
  [[ "$LIMIT" != "0" ]] && limit_flag=(--limit "$LIMIT")
  [[ "$THREADS" != "0" ]] && thread_flag=(--threads "$THREADS")
  if [[ "${RESUME:-0}" != "1" || ! -s "$OUT/$key.tinycnn.json" ]]; then
    log "TinyCNN $model on $dataset, seed $seed, $EPOCHS epochs"
    nice -n 5 "$TINYCNN" train --model "$model" --dataset "$DATA" --epochs "$EPOCHS" \
      --batch-size "$BATCH" --optimizer "$OPTIMIZER" --lr "$LR" --schedule "$SCHEDULE" \
      --seed "$seed" "${limit_flag[@]}" "${thread_flag[@]}" --quiet --json \
      --out "$OUT/models/$key.safetensors" > "$OUT/$key.tinycnn.json.tmp"
    mv "$OUT/$key.tinycnn.json.tmp" "$OUT/$key.tinycnn.json"
  fi
  if [[ "${RESUME:-0}" != "1" || ! -s "$OUT/$key.keras.json" ]]; then
    log "Keras $model on $dataset, seed $seed, $EPOCHS epochs"
    nice -n 5 "$PY" "$HERE/refs/parity_keras.py" --model "$model" --dataset "$DATA" \
      --epochs "$EPOCHS" --batch "$BATCH" --optimizer "$OPTIMIZER" --lr "$LR" --seed "$seed" \
      --schedule "$SCHEDULE" \
      --threads "$THREADS" "${limit_flag[@]}" > "$OUT/$key.keras.json.tmp"
    mv "$OUT/$key.keras.json.tmp" "$OUT/$key.keras.json"
  fi
}

if [[ "${SUMMARY_ONLY:-0}" != "1" ]]; then
  source "$HERE/refs/tinycnn_binary.sh"
  tinycnn_binary train_parity
  mkdir -p "$OUT/models" "$OUT/data"
  for dataset in $DATASETS; do
    dataset_args "$dataset"
    for model in $MODELS; do
      for seed in $SEEDS; do train_pair "$dataset" "$model" "$seed"; done
    done
  done
fi

# One row per dataset and model, from the files of the runs these settings name.
ROWS=()
for dataset in $DATASETS; do
  dataset_args "$dataset"
  for model in $MODELS; do
    keys=()
    for seed in $SEEDS; do keys+=("$(run_key "$dataset" "$model" "$seed")"); done
    ROWS+=("$dataset|$model|$EPOCHS|$LIMIT|${keys[*]}")
  done
done
"$PY" "$HERE/refs/parity_summary.py" "$OUT" "$BATCH $OPTIMIZER $LR $SCHEDULE" "$(nproc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "${ROWS[@]}"
