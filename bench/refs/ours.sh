# Sourced by bench/compare_ours.sh and bench/quantizer_vs_tf.sh: the tinycnn binary and our own
# int8 .tflite files.
#
#   tinycnn_binary                 sets TINYCNN (refs/tinycnn_binary.sh: builds it unless TINYCNN is set; SCRATCH is the
#                                  SwiftPM scratch path, default .build)
#   our_int8 MODEL.safetensors     prints the path of our int8 file for MODEL: the committed
#                                  models/<name>-int8.tflite when there is one, else a fresh
#                                  `tinycnn quantize MODEL --samples $SAMPLES` in bench/out/ours/.
#                                  Either way it quantizes afresh into bench/out/ours/ and says on
#                                  stderr whether the committed file is byte-identical to that.
#   our_int8_per_channel_dense MODEL.safetensors   (below)
# Needs ROOT (the repository) and log().

SAMPLES="${SAMPLES:-500}"

source "$(dirname "${BASH_SOURCE[0]}")/tinycnn_binary.sh"

our_int8() {
  local model="$1" name fresh committed
  name="$(basename "${model%.safetensors}")"
  fresh="$ROOT/bench/out/ours/$name-int8.tflite"
  mkdir -p "$ROOT/bench/out/ours"
  nice -n 10 "$TINYCNN" quantize "$model" --samples "$SAMPLES" --out "$fresh" --quiet \
    >"$ROOT/bench/out/ours/$name-quantize.txt"   # the per-layer table, for reference
  committed="$ROOT/models/$name-int8.tflite"
  if [[ -f "$committed" ]] && (cd "$ROOT" && git ls-files --error-unmatch "models/$name-int8.tflite" >/dev/null 2>&1); then
    if cmp -s "$committed" "$fresh"; then
      log "models/$name-int8.tflite is byte-identical to a fresh tinycnn quantize --samples $SAMPLES"
    else
      log "WARNING: models/$name-int8.tflite differs from a fresh tinycnn quantize --samples $SAMPLES ($fresh); using the committed file"
    fi
    echo "$committed"
  else
    echo "$fresh"
  fi
}

# our_int8_per_channel_dense MODEL.safetensors: prints the path of a fresh `tinycnn quantize
# MODEL --samples $SAMPLES --per-channel-dense` in bench/out/ours/ (never committed: the
# bundled models use per-tensor dense weights, TinyCNN's default).
our_int8_per_channel_dense() {
  local model="$1" name out
  name="$(basename "${model%.safetensors}")"
  out="$ROOT/bench/out/ours/$name-int8-pcdense.tflite"
  mkdir -p "$ROOT/bench/out/ours"
  nice -n 10 "$TINYCNN" quantize "$model" --samples "$SAMPLES" --per-channel-dense --out "$out" \
    --quiet >"$ROOT/bench/out/ours/$name-pcdense-quantize.txt"
  echo "$out"
}
