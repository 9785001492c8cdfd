#!/usr/bin/env bash
# TinyCNN vs TFLite Micro on every benchmark-suite model (the suite_* golden cases: MLPerf Tiny
# architectures) over N seeded random int8 inputs (default 10,000), with both kernel sets
# (`tinycnn run --kernels reference` and `--kernels optimized`): differing output vectors.
#
#   bench/compare_suite.sh                         # builds tinycnn (release), 10,000 rows each
#   bench/compare_suite.sh --rows 500              # a quick check
#   bench/compare_suite.sh --only suite_resnet8,fc_per_tensor_ties --rows 2000
#   TINYCNN=/path/to/tinycnn bench/compare_suite.sh   # use that binary, build nothing
#   VENV=/path/to/venv bench/compare_suite.sh         # reuse a venv made by setup_venv.sh
#
# Exit status: 0 when TinyCNN equals TFLM everywhere, 1 when it differs.
# TFLM's Python interpreter is the slow part: 500 rows took it 4 minutes for the whole suite on
# 2 busy cores (MobileNet 2.5 of them), so 10,000 take over an hour; its outputs are cached in
# bench/out/compare/ (by model, rows and tflite-micro version), so reruns cost only TinyCNN.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY="$(RUNTIMES_ONLY=1 "$HERE/setup_venv.sh" | tail -n 1)"   # TensorFlow is not needed here

source "$HERE/refs/tinycnn_binary.sh"
tinycnn_binary compare_suite

export TF_CPP_MIN_LOG_LEVEL=2
exec nice -n 10 "$PY" "$HERE/refs/compare_suite.py" --tinycnn "$TINYCNN" "$@"
