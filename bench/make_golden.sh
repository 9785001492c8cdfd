#!/usr/bin/env bash
# Regenerate TinyCNN's TFLM golden data (Tests/RuntimeTests/Golden) with the pinned Python
# references; arguments go to bench/refs/make_golden.py (--check, --only a,b, --list, ...).
# Niced: the machine's cores are shared with Swift builds.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$("$HERE/setup_venv.sh" | tail -n 1)"
export TF_CPP_MIN_LOG_LEVEL=2
# TensorFlow's and absl's start-up chatter goes to stderr; keep real errors visible.
exec nice -n 10 "$PY" "$HERE/refs/make_golden.py" "$@" \
  2> >(grep -v -E '^(W0000|I0000)|UserWarning|warnings\.warn|oneDNN custom operations' >&2)
