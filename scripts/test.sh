#!/usr/bin/env bash
# The test command of the README and of CI: every test, release build (the training and int8
# tests run real workloads, which a debug build makes 10-50x slower).
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift test -c release "$@"
