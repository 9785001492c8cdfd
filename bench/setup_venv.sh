#!/usr/bin/env bash
# Creates (or checks) bench/.venv with the pinned Python references: TensorFlow's converter,
# TFLite Micro's Python interpreter, LiteRT, numpy, safetensors. Idempotent: a venv whose
# installed versions already match the pins is left alone. Versions verified in
# docs/recipes/python-references.md.
#
#   bench/setup_venv.sh            # full venv (tensorflow-cpu included, ~1.6 GB)
#   RUNTIMES_ONLY=1 bench/setup_venv.sh   # no TensorFlow (~170 MB): enough to run TFLM/LiteRT
#                                          # on the committed .tflite files
# Prints the path of the venv's python as its last line, so callers can do
#   PY=$(bench/setup_venv.sh | tail -n 1)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${VENV:-$HERE/.venv}"
PY="$VENV/bin/python"

# The pins. tflite-micro publishes only nightly builds, so the exact one is pinned.
PINS=(
  "numpy==2.4.6"
  "safetensors==0.8.0"
  "tflite-micro==0.dev20261023182759"
  "ai-edge-litert==2.3.0"
)
if [[ -z "${RUNTIMES_ONLY:-}" ]]; then
  PINS+=("tensorflow-cpu==2.21.0")
fi

log() { echo "setup_venv: $*" >&2; }

# pip with retries: the network here has hiccups; a failed download is retried with backoff.
pip_retry() {
  local attempt
  for attempt in 1 2 3 4 5; do
    if "$PY" -m pip "$@"; then
      return 0
    fi
    log "pip $* failed (attempt $attempt of 5); retrying in $((attempt * 10)) s"
    sleep $((attempt * 10))
  done
  log "pip $* failed 5 times; giving up"
  return 1
}

# True when every pin is installed at exactly its version.
pins_satisfied() {
  [[ -x "$PY" ]] || return 1
  "$PY" - "${PINS[@]}" <<'PYEOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        sys.exit(1)
    if have != want:
        sys.exit(1)
PYEOF
}

if pins_satisfied; then
  log "$VENV already has ${PINS[*]}: nothing to do"
else
  if [[ ! -x "$PY" ]]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
    pip_retry install --quiet --upgrade pip
  else
    log "$VENV exists but some pins are missing or differ: installing"
  fi
  log "installing ${PINS[*]}"
  pip_retry install --quiet "${PINS[@]}"
  "$PY" -m pip check >&2
  log "installed: $("$PY" -m pip freeze | grep -Ei '^(numpy|safetensors|tflite-micro|tflite_micro|ai-edge-litert|ai_edge_litert|tensorflow-cpu|tensorflow_cpu|keras)==' | tr '\n' ' ')"
fi
echo "$PY"
