// The Runtime module; see ../../README.md and ARCHITECTURE.md.

/// The vector extension the Runtime was compiled for, as host tools report it: Package.swift
/// adds `-target-cpu icelake-server -D AVX512` when the build machine has AVX-512 BW/VL/VNNI
/// (zmm tiles, `vpdpwssd`), `-target-cpu haswell` and `-D FMA` when it has AVX2 and FMA (ymm
/// registers and `vpmaddwd`); otherwise the target's baseline (SSE2 on x86-64).
public var vectorISA: StaticString {
  #if AVX512
    "AVX-512 VNNI"
  #elseif FMA
    "AVX2"
  #else
    "baseline"
  #endif
}
