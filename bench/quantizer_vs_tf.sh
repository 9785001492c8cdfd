#!/usr/bin/env bash
# TinyCNN's quantizer vs TensorFlow's converter on the same float weights and the same
# calibration images (bench/refs/quantizer_vs_tf.py explains the port and the checks).
#
#   bench/quantizer_vs_tf.sh                          # every models/*.safetensors
#   bench/quantizer_vs_tf.sh models/lenet5.safetensors
#   TINYCNN=/path/to/tinycnn SCRATCH=.build-x VENV=/path/to/venv SAMPLES=500 bench/quantizer_vs_tf.sh
#
# Needs the full venv (TensorFlow). Per model: our int8 file (as bench/compare_ours.sh picks
# it) and one made with --per-channel-dense, `tinycnn eval --json` on the first (the float side
# of the check), then the Python side; TF's files
# go to bench/out/quantizer_vs_tf/, the summary to bench/out/ours/quantizer_vs_tf-<name>.json.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
log() { echo "quantizer_vs_tf: $*" >&2; }
source "$HERE/refs/ours.sh"
PY="$("$HERE/setup_venv.sh" | tail -n 1)"

MODELS=("$@")
if [[ ${#MODELS[@]} -eq 0 ]]; then
  MODELS=("$ROOT"/models/*.safetensors)
fi
tinycnn_binary quantizer_vs_tf
export TF_CPP_MIN_LOG_LEVEL=2
for m in "${MODELS[@]}"; do
  name="$(basename "${m%.safetensors}")"
  ours="$(our_int8 "$m")"
  ours_pcd="$(our_int8_per_channel_dense "$m")"
  eval_json="$ROOT/bench/out/ours/eval-$name.json"
  nice -n 10 "$TINYCNN" eval --float "$m" --int8 "$ours" --layer-images 0 --json --quiet \
    >"$eval_json.tmp"
  mv "$eval_json.tmp" "$eval_json"
  # TensorFlow's C++ logging ignores TF_CPP_MIN_LOG_LEVEL for a few absl lines: drop them.
  nice -n 10 "$PY" "$HERE/refs/quantizer_vs_tf.py" "$m" --ours "$ours" --ours "$ours_pcd" \
    --samples "$SAMPLES" --eval-json "$eval_json" --json "$ROOT/bench/out/ours/quantizer_vs_tf-$name.json" \
    2> >(grep -vE '^(W|I)0000 ' >&2)
done
