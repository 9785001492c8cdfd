#!/usr/bin/env bash
# Builds the TinyCNN firmware for one QEMU board and, if asked, runs it.
#
#   firmware/build.sh --out DIR [--board an386|an500|microbit] [build|relink|run|count]
#
# The boards (their CPU, QEMU machine, linker script, stack) are rows of firmware/targets.txt.
#
# DIR/gen holds the generated model_data.{c,h} and module.modulemap (`tinycnn firmware` writes
# them: the model, the inputs, the host's outputs and the arena size). The build goes to
# DIR/fw.elf (+ fw.map). `run` runs it under qemu-system-arm: the firmware's lines on stdout,
# QEMU's exit status is the firmware's. `count` also loads the instruction-counting plugin and
# writes its lines to DIR/insncount.log. `relink` keeps DIR/app.o (the Swift side, which reads
# the arena's size through a function) and compiles only the C side again: how `tinycnn
# firmware` gives the arena the exact size the firmware's first run reported.
#
# Needs: the Swift 6.3 toolchain on PATH (swiftc; clang, ld.lld and llvm-nm beside it), the
# Arm GNU toolchain's newlib-nano and libgcc (gcc-arm-none-eabi, libnewlib-arm-none-eabi) and
# qemu-system-arm. scripts/setup.sh installs them on Debian.
set -euo pipefail

BOARD=an386
OUT=
ACTION=build
OPT=-Osize
while (($#)); do
  case "$1" in
    --board) BOARD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --opt) OPT=$2; shift 2 ;;   # -Osize (default) or -O
    build | relink | run | count) ACTION=$1; shift ;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
[[ -n "$OUT" ]] || { echo "build.sh: --out DIR is required" >&2; exit 64; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$(mkdir -p "$OUT" && cd "$OUT" && pwd)
GEN=$OUT/gen
[[ -f $GEN/model_data.c ]] || {
  echo "build.sh: $GEN/model_data.c missing: run tinycnn firmware --model M.tflite --out $OUT" >&2
  exit 66
}

need() { command -v "$1" >/dev/null || { echo "build.sh: $1 not found: $2" >&2; exit 69; }; }
need swiftc "install the Swift 6.3 toolchain"
need arm-none-eabi-gcc "run scripts/setup.sh (gcc-arm-none-eabi libnewlib-arm-none-eabi)"
TC=$(dirname "$(command -v swiftc)")   # clang, ld.lld, llvm-nm ship beside swiftc

# The board's CPU, QEMU machine, linker script and stack, the CPU's triple, flags and defines,
# and the Embedded Swift flags: firmware/targets.txt, the one table.
# shellcheck source=firmware/targets.sh
source "$HERE/targets.sh"
target_board "$BOARD" || exit 64
DSP_OBJECT=()
((DSP == 0)) || DSP_OBJECT=("$OUT/cortex_m_dsp.o")

# 1. Swift: the Runtime and the firmware's main as one whole module, Embedded
#    (SWIFTC_FLAGS: firmware/targets.txt).
mapfile -t RUNTIME < <(find "$ROOT/Sources/Runtime" -name '*.swift' | sort)
[[ $ACTION == relink && -f $OUT/app.o ]] || swiftc "${SWIFTC_FLAGS[@]}" "$OPT" \
  -I "$HERE" -I "$GEN" "${RUNTIME[@]}" "$HERE/main.swift" "$HERE/Output.swift" -c -o "$OUT/app.o"

# 2. C: start-up, board support and the generated data, with the same CPU and float ABI.
CFLAGS=(--target="$CLANG_TRIPLE" -mthumb "${CPU_FLAGS[@]}" -Os -ffreestanding -ffunction-sections
  -fdata-sections -Wall -I "$HERE" -I "$GEN")
"$TC/clang" "${CFLAGS[@]}" -c "$HERE/startup.c" -o "$OUT/startup.o"
"$TC/clang" "${CFLAGS[@]}" -c "$HERE/board.c" -o "$OUT/board.o"
"$TC/clang" "${CFLAGS[@]}" -c "$GEN/model_data.c" -o "$OUT/model_data.o"
if ((${#DSP_OBJECT[@]})); then
  "$TC/clang" "${CFLAGS[@]}" -c "$HERE/dsp/cortex_m_dsp.S" -o "${DSP_OBJECT[0]}"
fi

# 3. Link: memcpy/memset and __aeabi_mem* from newlib-nano, roundf/ceilf (the prepare math)
#    from its libm, __aeabi_*div* and the 64-bit helpers from libgcc, each of the multilib
#    matching the CPU flags. No malloc is linked:
#    an allocation that slipped through would be an undefined symbol here.
LIBC=$(arm-none-eabi-gcc -mthumb "${CPU_FLAGS[@]}" -print-file-name=libc_nano.a)
LIBM=$(arm-none-eabi-gcc -mthumb "${CPU_FLAGS[@]}" -print-file-name=libm.a)
LIBGCC=$(arm-none-eabi-gcc -mthumb "${CPU_FLAGS[@]}" -print-libgcc-file-name)
[[ -f $LIBC ]] || {
  echo "build.sh: newlib-nano not found: run scripts/setup.sh (libnewlib-arm-none-eabi)" >&2
  exit 69
}
"$TC/ld.lld" -T "$HERE/$LDSCRIPT" -L "$HERE" --defsym=tinycnn_stack_size="$STACK" --gc-sections \
  -Map "$OUT/fw.map" -o "$OUT/fw.elf.tmp" \
  "$OUT/app.o" "$OUT/startup.o" "$OUT/board.o" "$OUT/model_data.o" \
  ${DSP_OBJECT[@]+"${DSP_OBJECT[@]}"} \
  --start-group "$LIBC" "$LIBM" "$LIBGCC" --end-group
mv "$OUT/fw.elf.tmp" "$OUT/fw.elf"

[[ $ACTION == build || $ACTION == relink ]] && exit 0

need qemu-system-arm "run scripts/setup.sh (qemu-system-arm)"
# Semihosting output goes to a chardev on stdout (without one, QEMU 7.2 writes it to stderr);
# the UART and the monitor are off, so nothing else prints there.
QEMU=(qemu-system-arm -M "$MACHINE" -nographic -monitor none -serial none
  -chardev stdio,id=semihosting -semihosting-config enable=on,target=native,chardev=semihosting
  -kernel "$OUT/fw.elf")
# A firmware that never exits (it should not happen: faults exit 99) must not hang the caller.
TIMEOUT=${TINYCNN_QEMU_TIMEOUT:-300}
case "$ACTION" in
  run) exec timeout "$TIMEOUT" "${QEMU[@]}" ;;
  count)
    PLUGIN=$OUT/libinsncount.so
    if [[ ! -f $PLUGIN || $HERE/qemu-plugin/insncount.c -nt $PLUGIN ]]; then
      "$TC/clang" -shared -fPIC -O2 -o "$PLUGIN.tmp" "$HERE/qemu-plugin/insncount.c"
      mv "$PLUGIN.tmp" "$PLUGIN"
    fi
    sym() { "$TC/llvm-nm" "$OUT/fw.elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
    pairs="pair=invoke:$(sym tinycnn_invoke_begin):$(sym tinycnn_invoke_end)"
    pairs+=",pair=op:$(sym tinycnn_op_begin):$(sym tinycnn_op_end)"
    rm -f "$OUT/insncount.log"
    exec timeout "$TIMEOUT" "${QEMU[@]}" -d plugin -D "$OUT/insncount.log" \
      -plugin "$PLUGIN,$pairs" ;;
esac
