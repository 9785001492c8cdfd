// The Runtime module; see ../../README.md and ARCHITECTURE.md.

/// The vector extension the Runtime was compiled for, as host tools report it: Package.swift
/// adds `-target-cpu icelake-server -D AVX512` for TINYCNN_CPU=avx512-vnni (zmm tiles,
/// `vpdpbusd`), `-target-cpu haswell -D FMA` for TINYCNN_CPU=avx2 (ymm registers, `vpmaddwd`),
/// and TINYCNN_CPU=native picks the build machine's; the default is the target's baseline (SSE2
/// on x86-64), which runs on any x86-64.
public var vectorISA: StaticString {
  #if AVX512
    "AVX-512 VNNI"
  #elseif FMA
    "AVX2"
  #else
    "baseline"
  #endif
}
