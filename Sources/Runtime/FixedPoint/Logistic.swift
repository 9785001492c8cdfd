/// gemmlowp's `logistic`: `1 / (1 + exp(-a))` for `a` in Q`integerBits` (0...29), result in
/// Q0.31. LOGISTIC's int8 kernel evaluates it on Q4.27 inputs.
///
/// For `a > 0` it is `1 / (1 + exp(-a))` from `expOnNegativeValues` and
/// `oneOverOnePlusXForXIn01`; for `a < 0`, `1 - logistic(-a)` (with 1 = `Int32.max`); exactly
/// 1/2 at 0.
public func logistic(_ a: Int32, integerBits: Int32) -> Int32 {
  if a == 0 { return 1 << 30 }
  let absInput = a > 0 ? a : 0 &- a  // wraps for Int32.min, as gemmlowp's negation does
  let resultIfPositive = oneOverOnePlusXForXIn01(
    expOnNegativeValues(0 &- absInput, integerBits: integerBits))
  return a > 0 ? resultIfPositive : Int32.max &- resultIfPositive
}
