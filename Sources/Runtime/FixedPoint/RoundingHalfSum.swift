/// gemmlowp's `RoundingHalfSum` (ARM's VRHADD) for int32: `(a + b) / 2` rounded half away from
/// zero, exact over the whole range.
///
/// gemmlowp sums in int64 and divides `sum ± 1` by two with C's truncation. Here the same value
/// comes from 32-bit halves (no `Int64`, see embedded/README.md): `floor((a + b) / 2)` is
/// `a >> 1 + b >> 1` plus the carry of the two low bits, and a non-negative odd sum rounds up.
/// Examples: `(1, 0) -> 1`, `(-1, 0) -> -1`, `(Int32.max, Int32.max) -> Int32.max`.
@inline(__always)
public func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
  let floorHalf = (a &>> 1) &+ (b &>> 1) &+ (a & b & 1)
  let odd = (a ^ b) & 1
  return floorHalf >= 0 ? floorHalf &+ odd : floorHalf
}
