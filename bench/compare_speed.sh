#!/usr/bin/env bash
# Invoke latency of TinyCNN vs LiteRT (one thread; XNNPACK and its reference kernels) vs TFLite
# Micro's Python interpreter on the same .tflite files, batch 1 and 4, in one run on this
# machine, with the ratios TinyCNN time / their time (below 1: TinyCNN is faster).
#
#   bench/compare_speed.sh                       # builds tinycnn (release), all models:
#                                                # models/*-int8, the golden whole models and
#                                                # the suite (MLPerf Tiny architectures)
#   bench/compare_speed.sh --suite-only --rounds 3   # only the suite; --no-suite: without it
#   bench/compare_speed.sh models/cnn-small-int8.tflite --runs 5000
#   TINYCNN=/path/to/tinycnn bench/compare_speed.sh   # use that binary, build nothing
#   SCRATCH=.build-simd bench/compare_speed.sh        # SwiftPM scratch path for the build
#   VENV=/path/to/venv bench/compare_speed.sh         # reuse a venv made by setup_venv.sh
#
# Writes every measurement (with TinyCNN's per-layer table) to bench/out/speed.json.
# How each side is timed: bench/refs/compare_speed.py and bench/refs/speed.py.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY="$(RUNTIMES_ONLY=1 "$HERE/setup_venv.sh" | tail -n 1)"   # TensorFlow is not needed here

source "$HERE/refs/tinycnn_binary.sh"
tinycnn_binary compare_speed

mkdir -p "$ROOT/bench/out"
export TF_CPP_MIN_LOG_LEVEL=2
echo "compare_speed: $(uptime)" >&2
"$PY" "$HERE/refs/compare_speed.py" --tinycnn "$TINYCNN" --json "$ROOT/bench/out/speed.json" "$@" \
  2> >(grep -v -E "^INFO: |XNNPACK delegate" >&2)
echo "compare_speed: $(uptime)" >&2
