/// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest, ties away from zero
/// (a rounding arithmetic right shift). `exponent` is in 0...31.
///
/// Examples: `5 / 2 -> 3`, `-5 / 2 -> -3`, `-4 / 4 -> -1`, `-6 / 4 -> -2`, `-7 / 4 -> -2`.
/// The threshold trick: the remainder `x & mask` of a floor shift is compared with half the
/// divisor, plus one for negative `x` so that a negative tie rounds down in magnitude, not up.
@inline(__always)
public func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
  let mask = Int32(bitPattern: (UInt32(1) &<< UInt32(truncatingIfNeeded: exponent)) &- 1)
  let remainder = x & mask
  let threshold = (mask &>> 1) &+ (x < 0 ? 1 : 0)
  return (x &>> exponent) &+ (remainder > threshold ? 1 : 0)
}

/// gemmlowp's `SaturatingRoundingMultiplyByPOT` with a run-time exponent (TFLite's
/// `SaturatingRoundingMultiplyByPOTParam`): `x * 2^exponent`, saturating for a positive exponent,
/// rounding to nearest (`roundingDivideByPOT`) for a negative one. `exponent` is in -31...30.
@inline(__always)
public func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
  if exponent == 0 { return x }
  if exponent < 0 { return roundingDivideByPOT(x, -exponent) }
  let threshold = (Int32(1) &<< (31 &- exponent)) &- 1  // largest x whose shift still fits
  if x > threshold { return .max }
  if x < -threshold { return .min }
  return x &<< exponent
}
