/// The float GEMM's register tiles as a table of functions, one table per instruction set: the
/// sources in Tiles/ compiled into this module (the target's baseline: SSE2 on x86-64, without
/// fused multiply-add) and into FloatGEMMFMA (`-target-cpu haswell -D FMA`, x86-64 only), each
/// compilation handing out its table. Swift has no per-function target attributes, so a module
/// per instruction set is how one binary holds both, as Runtime does for its int8 kernels
/// (Package.swift); Training picks the table from CPUID (`GEMMTiles.fastest`).
///
/// A tile sums a few hundred products per call, so the indirect call costs nothing measurable.
public struct GEMMTiles: Sendable {
  /// Names the instruction set, for tests and messages: "portable" or "fma".
  public var name: String

  /// `C[6 x 16] (+)= packedA · B` over `depth` steps (`GEMMKernel.tile`).
  public var tile6x16: GEMMTile6x16

  /// `out[i*3 + j] = Σ_{t < depth} a_i[t] · b_j[t]` for i < 4, j < 3 (`GEMMDotTile.tile4x3`).
  public var dot4x3: GEMMDotTile4x3

  public init(name: String, tile6x16: @escaping GEMMTile6x16, dot4x3: @escaping GEMMDotTile4x3) {
    self.name = name
    self.tile6x16 = tile6x16
    self.dot4x3 = dot4x3
  }
}

/// `(depth, packedA, b, bRowStride, c, cRowStride, accumulate)`: see `GEMMKernel.tile`.
public typealias GEMMTile6x16 =
  @Sendable (
    _ depth: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ bRowStride: Int,
    _ c: UnsafeMutablePointer<Float>, _ rowStride: Int, _ accumulate: Bool
  ) -> Void

/// `(depth, a0, a1, a2, a3, b0, b1, b2, out)`: see `GEMMDotTile.tile4x3`.
public typealias GEMMDotTile4x3 =
  @Sendable (
    _ depth: Int, _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>,
    _ a2: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ b0: UnsafePointer<Float>,
    _ b1: UnsafePointer<Float>, _ b2: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
  ) -> Void

/// The 6 x 16 tile's shape, the same in every compilation.
public enum GEMMTileShape {
  public static let rows = 6  // MR
  public static let columns = 16  // NR
}

/// The baseline compilation's tiles.
public let portableGEMMTiles = compiledGEMMTiles(name: "portable")
