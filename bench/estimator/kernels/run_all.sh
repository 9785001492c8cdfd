#!/usr/bin/env bash
# Measures every kernel library on every buildable core over the shape sweeps (what fit.py fits)
# and the validation models (held out: the fit is checked on them, never fitted to them), and
# writes measurements/<library>-<build>-<model>.json. Takes ~2 h on 2 cores (the reference
# kernels run ~70 instructions per MAC).
# LIBS="tinycnn tinycnn-optimized" run_all.sh measures only those libraries.
#   CMSIS_NN=... ESP_NN=... TFLM=... GEMMLOWP=... run_all.sh [WORKDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-/tmp/tinycnn-kernels}
mkdir -p "$here/measurements" "$work"
models="sweep-conv sweep-pointwise sweep-depthwise sweep-dense lenet5"
for m in ic-resnet8 kws-dscnn vww-mobilenetv1-025 ad-autoencoder; do
  models="$models $here/../models/mlperf-tiny-$m.json"
done
models="$models $here/../models/tflm-person-detection.json"
# build name, compiler CPU, cores whose timing rules apply to that build
builds=("armv7em-m4 cortex-m4 cortex-m4 cortex-m33" "armv7em-m7 cortex-m7 cortex-m7" "armv6m cortex-m0 cortex-m0plus"
        "rv32imc rv32imc rv32imc" "armv81m-m55 cortex-m55 cortex-m55")
for lib in ${LIBS:-cmsis-nn esp-nn tinycnn tinycnn-optimized reference}; do
  for b in "${builds[@]}"; do
    set -- $b; name=$1; cpu=$2; shift 2
    # CMSIS-NN is Arm's; ESP-NN's portable C is what Espressif's RISC-V (and LX6) parts run.
    [ "$lib" = cmsis-nn ] && [ "$cpu" = rv32imc ] && continue
    [ "$lib" = esp-nn ] && [ "$cpu" != rv32imc ] && continue
    # No Embedded Swift module for Armv8.1-M in this toolchain.
    case "$lib" in tinycnn*) [ "$cpu" = cortex-m55 ] && continue ;; esac
    for m in $models; do
      base=$(basename "$m" .json)
      out="$here/measurements/$lib-$name-$base.json"
      [ -f "$out" ] && continue
      "$here/measure.sh" "$cpu" "$lib" "$m" "$work" > "$work/log-$lib-$cpu-$base.txt" 2>&1 || { echo "FAILED $lib $cpu $base"; continue; }
      python3 "$here/collect.py" "$work/build-$cpu-$lib-$base" "$out" "$@"
      echo "measured $lib $name $base"
    done
  done
done
