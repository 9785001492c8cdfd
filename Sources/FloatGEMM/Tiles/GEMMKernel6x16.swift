/// The register tile of the GEMM: 6 rows of A times 16 columns of B, kept in 12 named
/// `SIMD8<Float>` accumulators (6 rows x 2 halves), which is 12 of the 16 ymm registers; the other
/// 4 hold the two B vectors and the broadcast A value. Each k step is 2 loads, 6 broadcasts and 12
/// FMAs, so the loop runs at the FMA ports' rate (2 per cycle on Zen 3) when the panels are in L1.
/// Named variables, not an array or tuple, are what keeps them in registers (recipe §6).
enum GEMMKernel {
  @inline(__always)
  static func madd(_ c: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if FMA
      // Only in FloatGEMMFMA (-target-cpu haswell; Package.swift adds both): without FMA in the
      // target, addingProduct is a per-lane fmaf call, ~100x slower.
      return c.addingProduct(a, b)
    #else
      return c + a * b  // Swift never contracts this into an FMA by itself
    #endif
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  /// `C[6 x 16] (+)= packedA · B` over `depth` steps.
  /// - Parameters:
  ///   - a: a packed A panel, `[depth][6]`
  ///   - b: 16 columns of B, `[depth][16]` with rows `bRowStride` floats apart: 16 for a packed
  ///     panel, B's own row stride when the kernel reads B in place
  ///   - c: the tile's top-left element; rows are `rowStride` floats apart
  // Not inlined, so that one copy of the loop exists to read in the disassembly.
  @inline(never)
  static func tile(
    depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, bRowStride: Int,
    c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool
  ) {
    var c00 = SIMD8<Float>()
    var c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>()
    var c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>()
    var c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>()
    var c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>()
    var c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>()
    var c51 = SIMD8<Float>()
    var pa = a
    var pb = b
    for _ in 0..<depth {
      let b0 = load(pb)
      let b1 = load(pb + 8)
      var av = SIMD8<Float>(repeating: pa[0])
      c00 = madd(c00, av, b0)
      c01 = madd(c01, av, b1)
      av = SIMD8<Float>(repeating: pa[1])
      c10 = madd(c10, av, b0)
      c11 = madd(c11, av, b1)
      av = SIMD8<Float>(repeating: pa[2])
      c20 = madd(c20, av, b0)
      c21 = madd(c21, av, b1)
      av = SIMD8<Float>(repeating: pa[3])
      c30 = madd(c30, av, b0)
      c31 = madd(c31, av, b1)
      av = SIMD8<Float>(repeating: pa[4])
      c40 = madd(c40, av, b0)
      c41 = madd(c41, av, b1)
      av = SIMD8<Float>(repeating: pa[5])
      c50 = madd(c50, av, b0)
      c51 = madd(c51, av, b1)
      pa += 6
      pb += bRowStride
    }
    let r0 = c
    let r1 = c + rowStride
    let r2 = r1 + rowStride
    let r3 = r2 + rowStride
    let r4 = r3 + rowStride
    let r5 = r4 + rowStride
    if accumulate {
      c00 += load(r0)
      c01 += load(r0 + 8)
      c10 += load(r1)
      c11 += load(r1 + 8)
      c20 += load(r2)
      c21 += load(r2 + 8)
      c30 += load(r3)
      c31 += load(r3 + 8)
      c40 += load(r4)
      c41 += load(r4 + 8)
      c50 += load(r5)
      c51 += load(r5 + 8)
    }
    store(c00, r0)
    store(c01, r0 + 8)
    store(c10, r1)
    store(c11, r1 + 8)
    store(c20, r2)
    store(c21, r2 + 8)
    store(c30, r3)
    store(c31, r3 + 8)
    store(c40, r4)
    store(c41, r4 + 8)
    store(c50, r5)
    store(c51, r5 + 8)
  }
}
