/// The dot-product tile of `GEMMDotKernel` (Training): 4 rows of A against 3 rows of B, both
/// contiguous along k. A 4x3 tile keeps 12 `SIMD8<Float>` accumulators, 3 B vectors and 1 A
/// vector: all 16 ymm registers (3x4 would need 17 and spill). It loads 7 vectors per 8 steps of
/// k, and sums the lanes once per call.
enum GEMMDotTile {
  /// `out[i*3 + j] = Σ_{t < depth} a_i[t] · b_j[t]` for i < 4, j < 3.
  @inline(never)
  static func tile4x3(
    depth: Int, _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>,
    _ a2: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ b0: UnsafePointer<Float>,
    _ b1: UnsafePointer<Float>, _ b2: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
  ) {
    var c00 = SIMD8<Float>()
    var c01 = SIMD8<Float>()
    var c02 = SIMD8<Float>()
    var c10 = SIMD8<Float>()
    var c11 = SIMD8<Float>()
    var c12 = SIMD8<Float>()
    var c20 = SIMD8<Float>()
    var c21 = SIMD8<Float>()
    var c22 = SIMD8<Float>()
    var c30 = SIMD8<Float>()
    var c31 = SIMD8<Float>()
    var c32 = SIMD8<Float>()
    var t = 0
    while t + 8 <= depth {
      let v0 = GEMMKernel.load(b0 + t)
      let v1 = GEMMKernel.load(b1 + t)
      let v2 = GEMMKernel.load(b2 + t)
      var u = GEMMKernel.load(a0 + t)
      c00 = GEMMKernel.madd(c00, u, v0)
      c01 = GEMMKernel.madd(c01, u, v1)
      c02 = GEMMKernel.madd(c02, u, v2)
      u = GEMMKernel.load(a1 + t)
      c10 = GEMMKernel.madd(c10, u, v0)
      c11 = GEMMKernel.madd(c11, u, v1)
      c12 = GEMMKernel.madd(c12, u, v2)
      u = GEMMKernel.load(a2 + t)
      c20 = GEMMKernel.madd(c20, u, v0)
      c21 = GEMMKernel.madd(c21, u, v1)
      c22 = GEMMKernel.madd(c22, u, v2)
      u = GEMMKernel.load(a3 + t)
      c30 = GEMMKernel.madd(c30, u, v0)
      c31 = GEMMKernel.madd(c31, u, v1)
      c32 = GEMMKernel.madd(c32, u, v2)
      t += 8
    }
    out[0] = c00.sum()
    out[1] = c01.sum()
    out[2] = c02.sum()
    out[3] = c10.sum()
    out[4] = c11.sum()
    out[5] = c12.sum()
    out[6] = c20.sum()
    out[7] = c21.sum()
    out[8] = c22.sum()
    out[9] = c30.sum()
    out[10] = c31.sum()
    out[11] = c32.sum()
    while t < depth {  // the last depth % 8 steps, one at a time
      for (i, a) in [a0, a1, a2, a3].enumerated() {
        out[i * 3] += a[t] * b0[t]
        out[i * 3 + 1] += a[t] * b1[t]
        out[i * 3 + 2] += a[t] * b2[t]
      }
      t += 1
    }
  }
}
