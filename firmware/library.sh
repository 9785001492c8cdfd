#!/usr/bin/env bash
# Builds libtinycnn.a: Sources/Runtime and firmware/library/Library.swift (the C API of
# tinycnn.h) with Embedded Swift, and the model's bytes (tinycnn_model.c), for one Cortex-M.
#
#   firmware/library.sh --cpu cortex-m4|cortex-m7|cortex-m33|cortex-m0plus --out DIR
#
# DIR holds tinycnn.h, tinycnn_model.c and build/tinycnn_model.h (`tinycnn firmware --export
# DIR` writes them); the library goes to DIR/libtinycnn.a, the objects to DIR/build. The float
# ABI is the core's usual one: hard (FPv4-SP, FPv5) on M4, M7 and M33, soft on M0+; the user's
# code must be compiled with the same flags (DIR/README.md lists them).
set -euo pipefail

CPU=cortex-m4
OUT=
while (($#)); do
  case "$1" in
    --cpu) CPU=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "library.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
[[ -n "$OUT" ]] || { echo "library.sh: --out DIR is required" >&2; exit 64; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$(cd "$OUT" && pwd)
BUILD=$OUT/build
[[ -f $BUILD/tinycnn_model.h && -f $OUT/tinycnn_model.c ]] || {
  echo "library.sh: $OUT has no generated model: run tinycnn firmware --export $OUT M.tflite" >&2
  exit 66
}
command -v swiftc >/dev/null || { echo "library.sh: swiftc not found" >&2; exit 69; }
command -v arm-none-eabi-gcc >/dev/null || {
  echo "library.sh: arm-none-eabi-gcc not found: run scripts/setup.sh" >&2; exit 69; }
TC=$(dirname "$(command -v swiftc)")

# The CPU's triple, flags and defines and the Embedded Swift flags: firmware/targets.txt, the
# one table (the M33 builds the M4's armv7em code; an Armv6-M leaves the vector DEPTHWISE_CONV_2D
# and ADD out, as firmware/build.sh builds the micro:bit, whose measuring firmware sizes this
# library's arena).
# shellcheck source=firmware/targets.sh
source "$HERE/targets.sh"
target_cpu "$CPU" || exit 64
DSP_OBJECT=()
((DSP == 0)) || DSP_OBJECT=("$BUILD/cortex_m_dsp.o")

cat > "$BUILD/module.modulemap" <<MAP
module TinyCNNModel {
    header "tinycnn_model.h"
    export *
}
MAP

mapfile -t RUNTIME < <(find "$ROOT/Sources/Runtime" -name '*.swift' | sort)
swiftc "${SWIFTC_FLAGS[@]}" -Osize -I "$BUILD" \
  "${RUNTIME[@]}" "$HERE/library/Library.swift" -c -o "$BUILD/tinycnn.o"
CFLAGS=(--target="$CLANG_TRIPLE" -mthumb "${CPU_FLAGS[@]}")
"$TC/clang" "${CFLAGS[@]}" -Os -ffreestanding -ffunction-sections -fdata-sections -Wall -I "$OUT" \
  -c "$OUT/tinycnn_model.c" -o "$BUILD/tinycnn_model.o"
if ((${#DSP_OBJECT[@]})); then
  "$TC/clang" "${CFLAGS[@]}" -c "$HERE/dsp/cortex_m_dsp.S" -o "${DSP_OBJECT[0]}"
fi
rm -f "$OUT/libtinycnn.a.tmp"
arm-none-eabi-ar rcs "$OUT/libtinycnn.a.tmp" "$BUILD/tinycnn.o" "$BUILD/tinycnn_model.o" \
  ${DSP_OBJECT[@]+"${DSP_OBJECT[@]}"}
mv "$OUT/libtinycnn.a.tmp" "$OUT/libtinycnn.a"
