#!/usr/bin/env bash
# Installs what TinyCNN needs (idempotent) and builds the release binary .build/release/tinycnn.
#   scripts/setup.sh               install missing Debian packages, then build
#   scripts/setup.sh --no-build    only install
#   scripts/setup.sh --no-firmware without the Cortex-M toolchain and QEMU (`tinycnn firmware`
#                                  and its tests need them; the default test run includes those)
set -euo pipefail
cd "$(dirname "$0")/.."
# The hot modules for this machine's CPU (AVX-512 VNNI or AVX2 when it has them; Package.swift).
# A plain `swift build` makes a binary for any x86-64 instead.
export TINYCNN_CPU="${TINYCNN_CPU:-native}"

packages=(libpng-dev zlib1g-dev pkg-config dataset-fashion-mnist)
firmware_packages=(qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi)
build=1
firmware=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --no-firmware) firmware=0 ;;
    *) printf 'setup: unknown option %s\n' "$arg" >&2; exit 64 ;;
  esac
done
((firmware)) && packages+=("${firmware_packages[@]}")

say() { printf 'setup: %s\n' "$*" >&2; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)

wait_for_dpkg_lock() {
  local waited=0
  while fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock >/dev/null 2>&1; do
    ((waited % 30 == 0)) && say "waiting for another apt/dpkg run to finish..."
    sleep 5
    waited=$((waited + 5))
    ((waited > 900)) && { say "apt lock still held after 15 minutes"; return 1; }
  done
}

if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  ok=0
  # apt can fail half-way while another session's apt/dpkg holds the lock: wait and retry.
  for attempt in 1 2 3 4 5; do
    wait_for_dpkg_lock || true
    if "${sudo_cmd[@]}" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"; then
      ok=1
      break
    fi
    say "apt-get install failed (attempt $attempt of 5); retrying in 15 s"
    sleep 15
  done
  if ((!ok)); then
    say "could not install: ${missing[*]}"
    say "run by hand: apt-get update && apt-get install -y ${missing[*]}"
    exit 1
  fi
fi
say "packages present: ${packages[*]}"

if ((build)); then
  say "building tinycnn (release)"
  swift build -c release --product tinycnn
  say "ready: .build/release/tinycnn"
fi
