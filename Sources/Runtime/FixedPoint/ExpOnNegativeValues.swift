// gemmlowp's fixed-point exponential (fixedpoint/fixedpoint.h), which TFLite's int8 SOFTMAX and
// LOGISTIC evaluate. A Q_m value is an int32 `raw` meaning `raw * 2^(m - 31)`: m integer bits,
// 31 - m fractional bits. gemmlowp makes m a template parameter; here it is an argument, and
// every branch gemmlowp takes at compile time is taken on it at run time, with the same result.
// FixedPoint `*` is `saturatingRoundingDoublingHighMul`; `+` and `-` wrap, as the C code does.

/// gemmlowp's `exp_on_interval_between_negative_one_quarter_and_0_excl`: `exp(a)` for `a` in
/// [-1/4, 0), Q0.31 in and out. A fourth-order Taylor series around -1/8, whose error there is
/// below 2^-24 (the caller's range reduction keeps it on this interval).
@inline(__always)
public func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
  let constantTerm: Int32 = 1_895_147_668  // exp(-1/8) in Q0.31
  let constant1Over3: Int32 = 715_827_883  // 1/3 in Q0.31
  let x = a &+ (1 << 28)  // x = a + 1/8
  let x2 = saturatingRoundingDoublingHighMul(x, x)
  let x3 = saturatingRoundingDoublingHighMul(x2, x)
  let x4 = saturatingRoundingDoublingHighMul(x2, x2)
  let x4Over4 = roundingDivideByPOT(x4, 2)
  let x4Over24PlusX3Over6PlusX2Over2 = roundingDivideByPOT(
    saturatingRoundingDoublingHighMul(x4Over4 &+ x3, constant1Over3) &+ x2, 1)
  // exp(a) = exp(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24)
  return constantTerm
    &+ saturatingRoundingDoublingHighMul(constantTerm, x &+ x4Over24PlusX3Over6PlusX2Over2)
}

/// gemmlowp's `exp_on_negative_values`: `exp(a)` for `a <= 0` given in Q`integerBits`
/// (0...29), result in Q0.31. `exp(0)` is `Int32.max` (Q0.31's largest value, gemmlowp's
/// `One()`).
///
/// Range reduction: `a = r - q / 4` with `r` in [-1/4, 0) evaluated by the Taylor series, and
/// `exp(-q / 4)` multiplied in bit by bit of `q` from the constants `exp(-2^k)`, k = -2...4
/// (a barrel shifter). With more than 5 integer bits, inputs below -32 give 0.
/// Error against `exp` is a few units of 2^-31 near 0 (see ExpOnNegativeValuesTests).
public func expOnNegativeValues(_ a: Int32, integerBits: Int32) -> Int32 {
  precondition(integerBits >= 0 && integerBits <= 29, "gemmlowp needs a representable 1/4")
  let fractionalBits = 31 - integerBits
  let oneQuarter = Int32(1) &<< (fractionalBits - 2)
  let mask = oneQuarter &- 1
  let aModQuarterMinusOneQuarter = (a & mask) &- oneQuarter
  var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits))  // Rescale<0>
  let remainder = aModQuarterMinusOneQuarter &- a  // q / 4, in the input's format

  // Multiply in exp(-2^k) (Q0.31) for each bit k = -2...4 set in the remainder, skipping
  // bits the input format does not have.
  @inline(__always) func barrelShift(_ result: Int32, _ exponent: Int32, _ multiplier: Int32)
    -> Int32
  {
    guard integerBits > exponent,
      remainder & (Int32(1) &<< (fractionalBits + exponent)) != 0
    else { return result }
    return saturatingRoundingDoublingHighMul(result, multiplier)
  }
  result = barrelShift(result, -2, 1_672_461_947)  // exp(-1/4)
  result = barrelShift(result, -1, 1_302_514_674)  // exp(-1/2)
  result = barrelShift(result, 0, 790_015_084)  // exp(-1)
  result = barrelShift(result, 1, 290_630_308)  // exp(-2)
  result = barrelShift(result, 2, 39_332_535)  // exp(-4)
  result = barrelShift(result, 3, 720_401)  // exp(-8)
  result = barrelShift(result, 4, 242)  // exp(-16)

  // exp(-32) is below Q0.31's resolution; formats that can hold -32 or less clamp to 0.
  if integerBits > 5 {
    let clamp = -(Int32(1) &<< (36 - integerBits))  // -32 in Q`integerBits`
    if a < clamp { result = 0 }
  }
  return a == 0 ? .max : result
}
