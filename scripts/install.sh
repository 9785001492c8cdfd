#!/usr/bin/env bash
# Installs tinycnn for use outside the checkout:
#
#   scripts/install.sh PREFIX          e.g. ~/.local or /usr/local
#
# PREFIX/bin/tinycnn is the release binary (built first; TINYCNN_BINARY=path installs that one
# instead). PREFIX/share/tinycnn holds what the binary reads besides its own code: firmware/ (the
# build scripts, the target table, start-up code, linker scripts, the DSP assembly, the QEMU
# plugin) and Sources/Runtime (which every firmware and exported library compiles), for
# `tinycnn firmware`; images/ (its default inputs, and the README's examples); and
# models/lenet5-int8.tflite (what `tinycnn infer` runs without --model). The binary finds them
# from its own path, PREFIX/bin/../share/tinycnn (FirmwareToolchain, BundledModel); TINYCNN_ROOT
# still overrides. Installing again replaces the share folder whole.
set -euo pipefail
prefix=${1:?usage: scripts/install.sh PREFIX}
cd "$(dirname "$0")/.."
root=$(pwd)

if [[ -n ${TINYCNN_BINARY:-} ]]; then
  binary=$TINYCNN_BINARY
else
  swift build -c release --product tinycnn
  binary=$(swift build -c release --show-bin-path)/tinycnn
fi
[[ -x $binary ]] || { echo "install.sh: $binary is not an executable" >&2; exit 66; }

mkdir -p "$prefix/bin" "$prefix/share"
prefix=$(cd "$prefix" && pwd)
share=$prefix/share/tinycnn

# The files git tracks or would (not the ignored build folders); without git, the folders whole.
paths=(firmware Sources/Runtime images models/lenet5-int8.tflite)
staging=$(mktemp -d "$prefix/share/.tinycnn-XXXXXX")
trap 'rm -rf "$staging"' EXIT
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$root" ls-files -z --cached --others --exclude-standard -- "${paths[@]}" |
    tar -C "$root" --null -T - -cf - | tar -C "$staging" -xf -
else
  tar -C "$root" -cf - "${paths[@]}" | tar -C "$staging" -xf -
fi
[[ -x $staging/firmware/build.sh && -f $staging/firmware/targets.txt ]] || {
  echo "install.sh: firmware/ was not copied (run it from a TinyCNN checkout)" >&2
  exit 66
}

install -m 755 "$binary" "$prefix/bin/tinycnn.tmp"
mv "$prefix/bin/tinycnn.tmp" "$prefix/bin/tinycnn"
rm -rf "$share"
mv "$staging" "$share"
chmod 755 "$share"
trap - EXIT
echo "installed $prefix/bin/tinycnn and $share"
