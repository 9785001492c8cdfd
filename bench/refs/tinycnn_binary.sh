# Sourced by the bench scripts: `tinycnn_binary NAME` sets and exports TINYCNN, building the
# release binary for this CPU (TINYCNN_CPU=native unless set; SCRATCH is the SwiftPM scratch
# path, default .build) unless TINYCNN is already set. NAME prefixes its message. Needs ROOT.
tinycnn_binary() {
  if [[ -z "${TINYCNN:-}" ]]; then
    local scratch="${SCRATCH:-.build}"
    local cpu="${TINYCNN_CPU:-native}"
    echo "${1:-bench}: building tinycnn (TINYCNN_CPU=$cpu swift build -c release --product tinycnn --scratch-path $scratch)" >&2
    (cd "$ROOT" && TINYCNN_CPU="$cpu" nice -n 10 swift build -c release --product tinycnn --scratch-path "$scratch" >&2)
    TINYCNN="$(cd "$ROOT" && TINYCNN_CPU="$cpu" swift build -c release --scratch-path "$scratch" --show-bin-path)/tinycnn"
  fi
  export TINYCNN
}
