#!/usr/bin/env bash
# Builds the kernel harness for one core and one kernel library, runs it under QEMU with the
# profile plugin and writes the per-operator profile.
#   measure.sh CPU LIBRARY MODEL OUTDIR [OPT]
#     CPU      cortex-m4 | cortex-m7 | cortex-m33 | cortex-m0 | cortex-m55
#     LIBRARY  cmsis-nn (needs CMSIS_NN=<checkout of ARM-software/CMSIS-NN>)
#              esp-nn (needs ESP_NN=<checkout of espressif/esp-nn>: its portable C kernels)
#              reference (needs TFLM=<checkout of tensorflow/tflite-micro>, GEMMLOWP=<google/gemmlowp>)
#              tinycnn (the Embedded Swift reference kernels of Sources/Runtime)
#              tinycnn-optimized (its KernelSet.optimized kernels: packed filters in RAM, SIMD)
#     MODEL    a bench/estimator/models/*.json file or lenet5
#     OPT      compiler optimisation for the kernels, default -O2 (TFLM's KERNEL_OPTIMIZATION_LEVEL)
# Needs arm-none-eabi-gcc, qemu-system-arm (7.2); see README.md.
set -euo pipefail
CPU=$1; LIB=$2; MODEL=$3; OUT=$4; OPT=${5:--O2}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
name=$(basename "$MODEL" .json)
work=$OUT/build-$CPU-$LIB${VARIANT:-}-$name
mkdir -p "$work"

case "$CPU" in
  cortex-m4)  FLAGS="-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16"; MACHINE=mps2-an386 ;;
  cortex-m33) FLAGS="-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16"; MACHINE=mps2-an386 ;;
  cortex-m7)  FLAGS="-mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16"; MACHINE=mps2-an500 ;;
  # Armv6-M code runs unchanged on the Armv7-M model (same instructions, same count); the
  # microbit's 16 KiB of RAM is too small for the MLPerf Tiny activations.
  cortex-m0)  FLAGS="-mcpu=cortex-m0 -mfloat-abi=soft"; MACHINE=mps2-an386 ;;
  # Armv8.1-M with Helium (MVE): CMSIS-NN's MVE paths, QEMU 7.2's Corstone-300 model.
  cortex-m55) FLAGS="-mcpu=cortex-m55 -mfloat-abi=hard"; MACHINE=mps3-an547 ;;
  # RV32IMC (ESP32-C3 class) with GCC, as ESP-IDF builds it (Debian's riscv64-unknown-elf-gcc
  # 12.2); it has no C++ library for bare metal, so the C++ headers are the (target-
  # independent) libstdc++/newlib ones of arm-none-eabi.
  rv32imc)    FLAGS=""; MACHINE=virt ;;
  *) echo "unknown cpu $CPU" >&2; exit 2 ;;
esac
CC="arm-none-eabi-gcc -mthumb $FLAGS -ffunction-sections -fdata-sections -fno-common"
if [ "$CPU" = rv32imc ]; then
  TC=$(dirname "$(command -v swiftc)")
  AINC=/usr/lib/arm-none-eabi/include
  RVFLAGS="-march=rv32imc -mabi=ilp32 -ffreestanding -ffunction-sections -fdata-sections -isystem $AINC"
  CC="riscv64-unknown-elf-gcc $RVFLAGS"
  CXX="riscv64-unknown-elf-g++ $RVFLAGS -nostdinc++ -isystem $AINC/c++/12.2.1 -isystem $AINC/c++/12.2.1/arm-none-eabi"
fi

python3 "$here/layers.py" "$MODEL" "$work/layers.h"
# The optimized kernels keep their packed filters beside their scratch (tinycnn_optimized_layer.swift).
HDEFS=""; [ "$LIB" = tinycnn-optimized ] && HDEFS="-DSCRATCH_BYTES=(1024*1024)"
$CC -Os $HDEFS -I"$work" -I"$here" -c "$here/harness.c" -o "$work/harness.o"
if [ "$CPU" = rv32imc ]; then
  $CC -c "$here/startup_rv32.S" -o "$work/startup.o"
  $CC -O2 -c "$here/rt_rv32.c" -o "$work/rt.o"
else
  $CC -Os -c "$here/startup.c" -o "$work/startup.o"
fi
objs=("$work/harness.o" "$work/startup.o")

case "$LIB" in
  cmsis-nn)
    : "${CMSIS_NN:?set CMSIS_NN to a checkout of ARM-software/CMSIS-NN}"
    # The library is built once per checkout, core and option.
    lib=$OUT/lib-$CPU-$(basename "$CMSIS_NN")$OPT.a
    if [ ! -f "$lib" ]; then
      libdir=$(mktemp -d)
      for f in $(cd "$CMSIS_NN/Source" && ls */*.c | grep -vE "_f16|_f32|_s4|Bindings"); do
        $CC $OPT ${CMSIS_NN_DEFS:-} -I"$CMSIS_NN/Include" -c "$CMSIS_NN/Source/$f" -o "$libdir/$(basename "$f" .c).o"
      done
      arm-none-eabi-ar rcs "$lib.tmp" "$libdir"/*.o && mv "$lib.tmp" "$lib" && rm -rf "$libdir"
    fi
    objs+=("$lib")
    $CC $OPT ${CMSIS_NN_DEFS:-} -I"$CMSIS_NN/Include" -I"$here" -c "$here/cmsis_nn_layer.c" -o "$work/layer.o"
    objs=("$work/layer.o" "${objs[@]}") ;;
  reference)
    : "${TFLM:?set TFLM to a checkout of tensorflow/tflite-micro}"
    : "${GEMMLOWP:?set GEMMLOWP to a checkout of google/gemmlowp}"
    CXX=${CXX:-arm-none-eabi-g++ -mthumb $FLAGS -ffunction-sections -fdata-sections}
    $CXX $OPT -std=c++17 \
      -fno-exceptions -fno-rtti -fno-threadsafe-statics -DTF_LITE_STATIC_MEMORY -DTF_LITE_MCU_DEBUG_LOG \
      -I"$TFLM" -I"$GEMMLOWP" -I"$here" -c "$here/reference_layer.cc" -o "$work/layer.o"
    $CXX $OPT -std=c++17 -fno-exceptions -fno-rtti -I"$TFLM" -I"$GEMMLOWP" \
      -c "$TFLM/tensorflow/lite/kernels/internal/common.cc" -o "$work/common.o"
    objs+=("$work/layer.o" "$work/common.o") ;;
  esp-nn)
    : "${ESP_NN:?set ESP_NN to a checkout of espressif/esp-nn}"
    for f in $(cd "$ESP_NN/src" && ls */*_ansi.c */*_opt.c); do
      o="$work/espnn_$(basename "$f" .c).o"
      $CC $OPT -DCONFIG_NN_OPTIMIZED=1 -I"$ESP_NN/include" -I"$ESP_NN/src/common" -c "$ESP_NN/src/$f" -o "$o"
      objs+=("$o")
    done
    $CC $OPT -I"$ESP_NN/include" -I"$here" -c "$here/esp_nn_layer.c" -o "$work/layer.o"
    objs=("$work/layer.o" "${objs[@]}") ;;
  tinycnn|tinycnn-optimized)
    # The Swift object does not depend on the model: built once per core, kernel set and
    # state of the sources.
    set_name=reference; [ "$LIB" = tinycnn-optimized ] && set_name=optimized
    key=$(cat $(find "$root/Sources/Runtime" -name '*.swift' | sort) "$here"/tinycnn*_layer.swift \
      "$here/build_tinycnn.sh" | sha1sum | cut -c1-12)
    obj=$OUT/lib-$CPU-$LIB-$key.o
    if [ ! -f "$obj" ]; then
      "$here/build_tinycnn.sh" "$CPU" "$obj.tmp.o" "$root" -Osize "$set_name" && mv "$obj.tmp.o" "$obj"
    fi
    objs+=("$obj") ;;
  *) echo "unknown library $LIB" >&2; exit 2 ;;
esac

if [ "$CPU" = rv32imc ]; then
  "$TC/ld.lld" -T "$here/rv32.ld" --gc-sections -o "$work/fw.elf" "${objs[@]}" "$work/rt.o" \
    "$(riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32 -print-libgcc-file-name)"
  "$TC/llvm-objdump" -d --no-show-raw-insn "$work/fw.elf" > "$work/fw.dis" 2>/dev/null ||
    llvm-objdump -d --no-show-raw-insn "$work/fw.elf" > "$work/fw.dis"
else
  LD_SCRIPT=$here/mps2.ld; [ "$CPU" = cortex-m55 ] && LD_SCRIPT=$here/an547.ld
  arm-none-eabi-gcc -mthumb $FLAGS -nostartfiles -T "$LD_SCRIPT" -Wl,--gc-sections \
    -Wl,-Map="$work/fw.map" -o "$work/fw.elf" "${objs[@]}" -lstdc++ -lm -lc_nano -lgcc -lnosys \
    2> >(grep -v "warning: .* is not implemented and will always fail" >&2)
  if [ "$CPU" = cortex-m55 ]; then  # binutils 2.40 does not decode MVE; LLVM's objdump does
    llvm-objdump -d --no-show-raw-insn --triple=thumbv8.1m.main-none-eabi --mattr=+mve.fp,+dsp \
      "$work/fw.elf" > "$work/fw.dis"
  else
    arm-none-eabi-objdump -d --no-show-raw-insn "$work/fw.elf" > "$work/fw.dis"
  fi
fi

plugin=$OUT/profile.so
[ -f "$plugin" ] || cc -shared -fPIC -O2 -o "$plugin" "$here/profile.c"
NM=arm-none-eabi-nm; [ "$CPU" = rv32imc ] && NM="$TC/llvm-nm"
sym() { $NM "$work/fw.elf" | awk -v s="$1" '$3==s{print "0x"$1}'; }
if [ "$CPU" = rv32imc ]; then
  timeout 900 qemu-system-riscv32 -M virt -nographic -monitor none -bios none -kernel "$work/fw.elf" -d plugin \
    -plugin "$plugin,begin=$(sym bench_begin),end=$(sym bench_end),code_base=0x80000000,flash_begin=0x80400000,flash_end=0x80600000,out=$work/profile.txt"
else
  MAP=""; [ "$CPU" = cortex-m55 ] && MAP=",code_base=0x10000000,flash_begin=0x70000000,flash_end=0x70200000"
  timeout 900 qemu-system-arm -M "$MACHINE" -nographic -monitor none \
    -semihosting-config enable=on,target=native -kernel "$work/fw.elf" -d plugin \
    -plugin "$plugin,begin=$(sym bench_begin),end=$(sym bench_end),out=$work/profile.txt$MAP"
fi
echo "$work/profile.txt"
