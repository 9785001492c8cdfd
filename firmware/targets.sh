#!/usr/bin/env bash
# Reads firmware/targets.txt, the one table of Cortex-M CPUs, boards and Embedded Swift flags.
#
# Sourced (firmware/build.sh, firmware/library.sh, bench/estimator/kernels/build_tinycnn.sh):
#   target_cpu NAME     sets SWIFT_TRIPLE, CLANG_TRIPLE, CPU_FLAGS (array), SWIFT_DEFINES
#                       (array of -D NAME), DSP (1: the DSP assembly is part of the build),
#                       SWIFTC_FLAGS (array: EMBEDDED_SWIFT_FLAGS, the target, the CPU flags
#                       through -Xcc, the DSP module's folder, the defines)
#   target_board NAME   sets CPU, MACHINE, LDSCRIPT, STACK (TINYCNN_STACK overrides it), then
#                       target_cpu CPU
#   EMBEDDED_SWIFT_FLAGS (array): the flags every Embedded build of Sources/Runtime passes
# Both functions return 64 with a message naming the known ones for an unknown name.
#
# Run: `firmware/targets.sh swiftc-arguments CPU` prints SWIFTC_FLAGS one per line: what swiftc
# needs besides the sources and the optimisation level to build Sources/Runtime for CPU as the
# firmware does (EmbeddedBuildTests runs it).

TARGETS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TARGETS_FILE=$TARGETS_DIR/targets.txt

# The fields after KIND and NAME of the first row `KIND NAME ...`, or nothing.
target_row() {
  awk -v kind="$1" -v name="$2" \
    '$1 == kind && $2 == name { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' "$TARGETS_FILE"
}

# The names of every `KIND` row, comma-separated.
target_names() {
  awk -v kind="$1" '$1 == kind { printf "%s%s", sep, $2; sep = ", " }' "$TARGETS_FILE"
}

# A comma-separated field as an array ("-": empty).
split_list() {
  local -n into=$1
  into=()
  [[ $2 == - ]] || IFS=, read -r -a into <<<"$2"
}

mapfile -t _swiftc_row < <(awk '$1 == "swiftc" { print $2 }' "$TARGETS_FILE")
split_list EMBEDDED_SWIFT_FLAGS "${_swiftc_row[0]}"
unset _swiftc_row

target_cpu() {
  local row defines flags define
  row=$(target_row cpu "$1")
  [[ -n $row ]] || {
    echo "unknown cpu '$1' ($(target_names cpu); firmware/targets.txt)" >&2
    return 64
  }
  read -r SWIFT_TRIPLE defines flags <<<"$row"
  # clang spells the triple without the vendor: armv7em-none-eabi.
  CLANG_TRIPLE=${SWIFT_TRIPLE/-none-none-/-none-}
  split_list CPU_FLAGS "$flags"
  local list
  split_list list "$defines"
  SWIFT_DEFINES=()
  DSP=0
  for define in ${list[@]+"${list[@]}"}; do
    SWIFT_DEFINES+=(-D "$define")
    [[ $define != TINYCNN_DSP ]] || DSP=1
  done
  SWIFTC_FLAGS=("${EMBEDDED_SWIFT_FLAGS[@]}" -target "$SWIFT_TRIPLE")
  for flag in "${CPU_FLAGS[@]}"; do SWIFTC_FLAGS+=(-Xcc "$flag"); done
  # The DSP set's assembly loops are the clang module CortexMDSP (firmware/dsp), which the
  # Runtime imports under TINYCNN_DSP.
  ((DSP == 0)) || SWIFTC_FLAGS+=(-I "$TARGETS_DIR/dsp")
  SWIFTC_FLAGS+=(${SWIFT_DEFINES[@]+"${SWIFT_DEFINES[@]}"})
}

target_board() {
  local row
  row=$(target_row board "$1")
  [[ -n $row ]] || {
    echo "unknown board '$1' ($(target_names board); firmware/targets.txt)" >&2
    return 64
  }
  read -r CPU MACHINE LDSCRIPT STACK _ <<<"$row"
  STACK=${TINYCNN_STACK:-$STACK}
  target_cpu "$CPU"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    swiftc-arguments)
      target_cpu "${2:?usage: firmware/targets.sh swiftc-arguments CPU}"
      printf '%s\n' "${SWIFTC_FLAGS[@]}"
      ;;
    *)
      echo "usage: firmware/targets.sh swiftc-arguments CPU (or source it)" >&2
      exit 64
      ;;
  esac
fi
