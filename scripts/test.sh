#!/usr/bin/env bash
# The test command of the README and of CI: every test, release build (the training and int8
# tests run real workloads, which a debug build makes 10-50x slower).
set -euo pipefail
cd "$(dirname "$0")/.."
# The hot modules for this machine's CPU (AVX-512 VNNI or AVX2 when it has them; Package.swift).
# A plain `swift build` makes a binary for any x86-64 instead.
export TINYCNN_CPU="${TINYCNN_CPU:-native}"
exec swift test -c release "$@"
