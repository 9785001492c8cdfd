#!/usr/bin/env bash
# Builds one libFuzzer target of Fuzz/ and runs it (issue 16):
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   TARGET: tflite, safetensors, graph-json, target-json, npy, idx, png (or "build" to build
#   them all)
#
# The library modules are compiled once per change with -sanitize=fuzzer,address into
# .build/fuzz/ (swiftc directly: SwiftPM has no fuzzer products); the run is nice'd, keeps its
# corpus in .build/fuzz/corpus-TARGET (seeded from Fuzz/corpus/TARGET) and writes crashes as
# .build/fuzz/crash-*. Prints libFuzzer's final stats (executions, corpus size).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:-60}
shift 2 || shift $#
out=.build/fuzz
mkdir -p "$out"
# -package-name: the Runtime's kernel sets share its types with `package` access.
flags=(-parse-as-library -package-name TinyCNN -O -g -sanitize=fuzzer,address -I "$out"
  -I Sources/CLibPNG -I Sources/CZlib)

# module name, then extra flags; each depends only on those before it.
build_module() {
  local name=$1
  shift
  local sources
  sources=$(find "Sources/$name" -name '*.swift' | sort)
  local object="$out/$name.o"
  if [[ -f $object ]] && [[ -z $(find "Sources/$name" -name '*.swift' -newer "$object") ]]; then
    return
  fi
  echo "fuzz.sh: compiling $name" >&2
  # shellcheck disable=SC2086
  nice swiftc "${flags[@]}" "$@" -module-name "$name" -wmo -c $sources -o "$object" \
    -emit-module -emit-module-path "$out/$name.swiftmodule"
}

build_module InputChecks
build_module Runtime
build_module Graph
build_module Imaging
build_module Datasets -enable-testing
build_module Estimator -enable-testing

objects=("$out"/{InputChecks,Runtime,Graph,Imaging,Datasets,Estimator}.o)
source_for() {
  case $1 in
  tflite) echo Fuzz/TFLiteFuzz.swift ;;
  safetensors) echo Fuzz/SafetensorsFuzz.swift ;;
  graph-json) echo Fuzz/GraphJSONFuzz.swift ;;
  target-json) echo Fuzz/TargetJSONFuzz.swift ;;
  npy) echo Fuzz/NPYFuzz.swift ;;
  idx) echo Fuzz/IDXFuzz.swift ;;
  png) echo Fuzz/PNGFuzz.swift ;;
  *) echo "fuzz.sh: unknown target '$1' (tflite, safetensors, graph-json, target-json, npy, idx, png)" >&2
    exit 64 ;;
  esac
}
build_target() {
  local source binary
  source=$(source_for "$1")
  binary="$out/fuzz-$1"
  if [[ ! -x $binary || $source -nt $binary || -n $(find "${objects[@]}" -newer "$binary") ]]; then
    echo "fuzz.sh: linking $binary" >&2
    nice swiftc "${flags[@]}" "$source" "${objects[@]}" -lpng16 -lz -o "$binary"
  fi
}

if [[ $target == build ]]; then
  for t in tflite safetensors graph-json target-json npy idx png; do build_target "$t"; done
  exit 0
fi
build_target "$target"
corpus="$out/corpus-$target"
mkdir -p "$corpus"
# -rss_limit_mb: the readers promise bounded memory, so going past 2 GB is a finding too.
# The Swift runtime's backtracer reads other threads' memory, which ASan reports as a crash
# of its own; libFuzzer's handler prints the trap instead.
SWIFT_BACKTRACE=enable=no nice -n 19 "$out/fuzz-$target" "$corpus" "Fuzz/corpus/$target" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -timeout=10 -max_len=65536 -artifact_prefix="$out/crash-$target-" \
  -print_final_stats=1 "$@"
