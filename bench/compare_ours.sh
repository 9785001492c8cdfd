#!/usr/bin/env bash
# Our own int8 files (made by `tinycnn quantize`) vs TFLite Micro vs LiteRT over all 10,000
# Fashion-MNIST test images: TinyCNN's outputs must equal TFLM's on every vector; LiteRT's
# differing count, largest difference and top-1 agreement are reported; both arenas.
#
#   bench/compare_ours.sh                          # every models/*.safetensors
#   bench/compare_ours.sh models/lenet5.safetensors
#   TINYCNN=/path/to/tinycnn SCRATCH=.build-x VENV=/path/to/venv SAMPLES=500 bench/compare_ours.sh
#
# Our file for models/<name>.safetensors is the committed models/<name>-int8.tflite, or, when
# none is committed, a fresh `tinycnn quantize --samples $SAMPLES` (bench/out/ours/); the script
# says whether the committed file is still what the quantizer makes. A second file per model,
# made with --per-channel-dense, covers per-channel FULLY_CONNECTED weights. Summary JSON:
# bench/out/ours/compare.json. Exit status: that of bench/compare_tflm.sh (0: TinyCNN == TFLM).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
log() { echo "compare_ours: $*" >&2; }
source "$HERE/refs/ours.sh"

MODELS=("$@")
if [[ ${#MODELS[@]} -eq 0 ]]; then
  MODELS=("$ROOT"/models/*.safetensors)
fi
tinycnn_binary compare_ours
FILES=()
for m in "${MODELS[@]}"; do
  FILES+=("$(our_int8 "$m")" "$(our_int8_per_channel_dense "$m")")
done
exec "$HERE/compare_tflm.sh" "${FILES[@]}" --json "$ROOT/bench/out/ours/compare.json"
