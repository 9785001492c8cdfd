#!/usr/bin/env bash
# Builds TinyCNN's Runtime kernels + tinycnn_layer.swift into one Embedded Swift object for the
# kernel harness, with the firmware's flags (firmware/targets.txt; -Osize by default).
#   build_tinycnn.sh CPU OUT.o REPO_ROOT [SWIFT_OPT] [reference|optimized]
# reference: tinycnn_layer.swift (KernelSet.reference, the *Int8Reference kernels);
# optimized: tinycnn_optimized_layer.swift (KernelSet.optimized: packed filters, *Int8SIMD).
set -euo pipefail
CPU=$1; OUT=$2; ROOT=$3; SOPT=${4:--Osize}; SET=${5:-reference}
here=$(cd "$(dirname "$0")" && pwd)
# The Cortex-M CPUs and the Embedded Swift flags are firmware/targets.txt's; the harness
# measures the reference and portable kernels, so the CPUs' defines (TINYCNN_DSP,
# TINYCNN_REFERENCE_DEPTHWISE_ADD) are left out. The RISC-V core is this harness's own.
# shellcheck source=firmware/targets.sh
source "$ROOT/firmware/targets.sh"
case "$CPU" in
  rv32imc) TRIPLE=riscv32-none-none-eabi; CPU_FLAGS=(-march=rv32imc -mabi=ilp32) ;;
  *) target_cpu "$CPU" || exit 2; TRIPLE=$SWIFT_TRIPLE ;;
esac
case "$SET" in
  reference) LAYER=tinycnn_layer.swift ;;
  optimized) LAYER=tinycnn_optimized_layer.swift ;;
  *) echo "unknown kernel set $SET" >&2; exit 2 ;;
esac
XCC=()
for f in "${CPU_FLAGS[@]}"; do XCC+=(-Xcc "$f"); done
mapfile -t RUNTIME < <(find "$ROOT/Sources/Runtime" -name '*.swift' | sort)
swiftc "${EMBEDDED_SWIFT_FLAGS[@]}" "$SOPT" -target "$TRIPLE" "${XCC[@]}" -I "$here/swift" \
  "${RUNTIME[@]}" "$here/$LAYER" -c -o "$OUT"
