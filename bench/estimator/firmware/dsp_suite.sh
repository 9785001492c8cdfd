#!/usr/bin/env bash
# The DSP kernel set's measurements on the MLPerf Tiny suite models: `tinycnn firmware --kernels
# dsp --optimize speed --count --json` on one row of each Tests/RuntimeTests/Golden/suite_*
# input_0.npy, on the emulated Cortex-M4F (an386) and Cortex-M7 (an500), per operator the exact
# instructions, the executed mix and the estimated cycles (FirmwareCycles.swift). Writes
# bench/estimator/firmware/dsp/<model>-<board>.json; dsp_summary.py prints the tables of
# firmware/README.md from them; fit_dsp.py fits the estimator's "tinycnn-dsp" costs on them.
# dsp/kernel-sources.txt fingerprints the kernel sources measured (kernel_sources.py).
#
#   bench/estimator/firmware/dsp_suite.sh            # builds tinycnn (release) first
#   TINYCNN=/path/to/tinycnn bench/estimator/firmware/dsp_suite.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
source "$ROOT/bench/refs/tinycnn_binary.sh"
tinycnn_binary dsp_suite
GOLDEN="$ROOT/Tests/RuntimeTests/Golden"
OUT="$HERE/dsp"
mkdir -p "$OUT"
python3 "$HERE/kernel_sources.py" >"$OUT/kernel-sources.txt"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for board in an386 an500; do
  for model in suite_resnet8 suite_ds_cnn suite_mobilenet_v1_025 suite_dense_autoencoder; do
    echo "$model on $board" >&2
    "$TINYCNN" firmware --model "$GOLDEN/$model/model.tflite" \
      --input "$GOLDEN/$model/input_0.npy" --samples 1 --kernels dsp --optimize speed \
      --board "$board" --count --json --out "$WORK/$model-$board" >"$WORK/$model-$board.json"
    # The build folder is temporary: keep the measurements, not its paths.
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d.pop("elf", None); \
d["model"] = "Tests/RuntimeTests/Golden/" + sys.argv[2] + "/model.tflite"; \
print(json.dumps(d, indent=1, sort_keys=True))' "$WORK/$model-$board.json" "$model" \
      >"$OUT/$model-$board.json"
  done
done
