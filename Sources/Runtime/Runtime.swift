// The Runtime module; see ../../README.md and ARCHITECTURE.md.

/// The vector extension the Runtime was compiled for, as host tools report it: Package.swift
/// adds `-target-cpu haswell` and `-D FMA` when the build machine has AVX2 and FMA (the SIMD
/// kernels then use ymm registers and `vpmaddwd`); otherwise the target's baseline (SSE2 on
/// x86-64).
public var vectorISA: StaticString {
  #if FMA
    "AVX2"
  #else
    "baseline"
  #endif
}
