#!/usr/bin/env bash
# Builds TinyCNN's Runtime kernels + tinycnn_layer.swift into one Embedded Swift object for the
# kernel harness, with the firmware's flags (firmware/build.sh: -Osize, whole module).
#   build_tinycnn.sh CPU OUT.o REPO_ROOT [SWIFT_OPT] [reference|optimized]
# reference: tinycnn_layer.swift (KernelSet.reference, the *Int8Reference kernels);
# optimized: tinycnn_optimized_layer.swift (KernelSet.optimized: packed filters, *Int8SIMD).
set -euo pipefail
CPU=$1; OUT=$2; ROOT=$3; SOPT=${4:--Osize}; SET=${5:-reference}
here=$(cd "$(dirname "$0")" && pwd)
case "$CPU" in
  cortex-m4|cortex-m33) TRIPLE=armv7em-none-none-eabi; CPUF="-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
  cortex-m7) TRIPLE=armv7em-none-none-eabi; CPUF="-mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16" ;;
  cortex-m0) TRIPLE=armv6m-none-none-eabi; CPUF="-mcpu=cortex-m0 -mfloat-abi=soft" ;;
  rv32imc) TRIPLE=riscv32-none-none-eabi; CPUF="-march=rv32imc -mabi=ilp32" ;;
  *) echo "unknown cpu $CPU" >&2; exit 2 ;;
esac
case "$SET" in
  reference) LAYER=tinycnn_layer.swift ;;
  optimized) LAYER=tinycnn_optimized_layer.swift ;;
  *) echo "unknown kernel set $SET" >&2; exit 2 ;;
esac
XCC=""; for f in $CPUF; do XCC="$XCC -Xcc $f"; done
swiftc -enable-experimental-feature Embedded -wmo -parse-as-library $SOPT \
  -target "$TRIPLE" $XCC -Xfrontend -function-sections -Xfrontend -disable-stack-protector \
  -I "$here/swift" -module-name Runtime -package-name TinyCNN \
  $(find "$ROOT/Sources/Runtime" -name '*.swift' | sort) "$here/$LAYER" -c -o "$OUT"
