// SIMD8 moves for the loops that run 8 floats at a time (Winograd's transforms): unaligned loads
// and stores. Lane shuffles are written as lane lists; the optimiser turns them into vector
// shuffles.

@inline(__always) func loadLanes(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func storeLanes(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// `p[2k] = a[k]`, `p[2k + 1] = b[k]` for k in 0..<8.
@inline(__always) func storeInterleaved(
  _ a: SIMD8<Float>, _ b: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>
) {
  storeLanes(SIMD8(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]), p)
  storeLanes(SIMD8(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]), p + 8)
}

/// The even and odd floats of `p[0..<16]`: `(p[0], p[2], ..., p[14])`, `(p[1], p[3], ..., p[15])`.
@inline(__always) func loadDeinterleaved(_ p: UnsafePointer<Float>) -> (
  even: SIMD8<Float>, odd: SIMD8<Float>
) {
  let (a, b) = (loadLanes(p), loadLanes(p + 8))
  return (
    SIMD8(a[0], a[2], a[4], a[6], b[0], b[2], b[4], b[6]),
    SIMD8(a[1], a[3], a[5], a[7], b[1], b[3], b[5], b[7])
  )
}
