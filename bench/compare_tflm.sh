#!/usr/bin/env bash
# TinyCNN vs TFLite Micro vs LiteRT over all 10,000 Fashion-MNIST test images, for every
# converter-made whole model of the golden set (or the .tflite files given as arguments).
#
#   bench/compare_tflm.sh                      # builds tinycnn (release), compares all models
#   bench/compare_tflm.sh my.tflite --limit 1000
#   bench/compare_tflm.sh --golden-cases       # every golden case through `tinycnn run`
#   TINYCNN=/path/to/tinycnn bench/compare_tflm.sh   # use that binary, build nothing
#   SCRATCH=.build-refs bench/compare_tflm.sh        # SwiftPM scratch path for the build
#
# Exit status: 0 when TinyCNN equals TFLM everywhere, 1 when it differs, 3 when there is no
# tinycnn with a `run` command (TFLM and LiteRT are still compared and printed).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY="$(RUNTIMES_ONLY=1 "$HERE/setup_venv.sh" | tail -n 1)"   # TensorFlow is not needed here

source "$HERE/refs/tinycnn_binary.sh"
tinycnn_binary compare_tflm

ARGS=()
status_if_missing=0
# ArgumentParser prints the top-level help (exit 0) for an unknown subcommand with --help, so
# look for `run` in the SUBCOMMANDS list instead.
if [[ -x "$TINYCNN" ]] && "$TINYCNN" --help 2>/dev/null | grep -qE '^ +run( |$)'; then
  ARGS+=(--tinycnn "$TINYCNN")
else
  echo "compare_tflm: $TINYCNN has no 'run' command (yet): comparing TFLM and LiteRT only" >&2
  status_if_missing=3
  for a in "$@"; do
    if [[ "$a" == "--golden-cases" ]]; then exit 3; fi
  done
fi

export TF_CPP_MIN_LOG_LEVEL=2
set +e
nice -n 10 "$PY" "$HERE/refs/compare_tflm.py" "${ARGS[@]}" "$@"
rc=$?
set -e
if [[ $rc -eq 0 && $status_if_missing -ne 0 ]]; then exit $status_if_missing; fi
exit $rc
