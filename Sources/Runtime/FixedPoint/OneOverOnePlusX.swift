/// gemmlowp's `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for `a` in [0, 1), Q0.31 in and
/// out, by Newton-Raphson division.
///
/// The denominator `d = (1 + a) / 2` is in [1/2, 1); the first guess `48/17 - 32/17 * d` is the
/// minimax line for `1/d` on that interval, and three iterations `x += x * (1 - d * x)` take its
/// error below Q0.31's resolution. The intermediate `x` is Q2.29 (it approaches 2), the products
/// Q4.27 rescaled back to Q2.29 with a saturating shift, and the result `x / 2` is `1 / (1 + a)`.
/// `1/(1 + 0)` saturates to `Int32.max`.
public func oneOverOnePlusXForXIn01(_ a: Int32) -> Int32 {
  let halfDenominator = roundingHalfSum(a, .max)  // (a + 1) / 2, with 1 = Int32.max in Q0.31
  let constant48Over17: Int32 = 1_515_870_810  // Q2.29
  let constantNeg32Over17: Int32 = -1_010_580_540  // Q2.29
  let oneQ2: Int32 = 1 << 29
  var x =
    constant48Over17 &+ saturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17)
  for _ in 0..<3 {
    let halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x)  // Q2.29
    let oneMinusHalfDenominatorTimesX = oneQ2 &- halfDenominatorTimesX
    // Q2.29 * Q2.29 = Q4.27; back to Q2.29 is a saturating multiply by 2^2.
    x =
      x
      &+ saturatingRoundingMultiplyByPOT(
        saturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 2)
  }
  // x / 2 in Q2.29 is the same raw value read as Q1.30; to Q0.31 is a saturating doubling.
  return saturatingRoundingMultiplyByPOT(x, 1)
}
