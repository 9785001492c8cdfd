// The float GEMM's tiles (FloatGEMM/Tiles, symlinked here) compiled with `-target-cpu haswell
// -D FMA`: AVX2 ymm registers and fused multiply-add. The table type comes from FloatGEMM; the
// exported import makes it visible to every file of this module.
@_exported import FloatGEMM

/// This module's tiles, for CPUs with AVX2 and FMA.
public let fmaGEMMTiles = compiledGEMMTiles(name: "fma")
