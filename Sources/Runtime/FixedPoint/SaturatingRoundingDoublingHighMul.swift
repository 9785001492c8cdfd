/// gemmlowp's `SaturatingRoundingDoublingHighMul` (ARM's VQRDMULH): the high 32 bits of `2 * a * b`,
/// rounded to nearest with ties away from zero, saturating the one overflowing product
/// `Int32.min * Int32.min` to `Int32.max`.
///
/// Reads as a product of two Q0.31 numbers in [-1, 1): `srdhm(1 << 30, 1 << 30) == 1 << 29`
/// (0.5 * 0.5 = 0.25).
///
/// gemmlowp computes `(a * b + nudge) / 2^31` in Int64, with `nudge = 2^30` for a non-negative
/// product and `1 - 2^30` for a negative one, and C's division truncating toward zero. Here the
/// same value comes from the two 32-bit halves of the product: Swift 6.3 rejects `Int64(x)` and
/// 64-bit shifts under `-no-allocations` on 32-bit targets (embedded/README.md).
@inline(__always)
public func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
  if a == .min && b == .min { return .max }  // the only product whose double exceeds Int32
  let (high, low) = a.multipliedFullWidth(by: b)  // a * b = high * 2^32 + low
  let negative = high < 0
  // Add the 64-bit nudge (2^30, or 1 - 2^30 = 0xFFFF_FFFF_C000_0001) to (high, low).
  let (sumLow, carry) = low.addingReportingOverflow(negative ? 0xC000_0001 : 0x4000_0000)
  let sumHigh = high &+ (negative ? -1 : 0) &+ (carry ? 1 : 0)
  // floor(sum / 2^31); the quotient fits in 32 bits because |a * b| <= 2^62.
  let floorQuotient = (sumHigh &<< 1) | Int32(bitPattern: sumLow &>> 31)
  // C division truncates: a negative sum with a non-zero remainder rounds up by one.
  let inexact = (sumLow & 0x7FFF_FFFF) != 0
  return negative && inexact ? floorQuotient &+ 1 : floorQuotient
}
