/// TFLite's `MultiplyByQuantizedMultiplier` (double-rounding form, which TFLM builds):
/// `x * multiplier * 2^(shift - 31)`, where `(multiplier, shift)` come from `quantizeMultiplier`.
///
/// A positive `shift` is applied as an exact (wrapping, as in the C code) left shift before the
/// high multiply; a negative one as a rounding right shift after it. The two roundings are what
/// TFLM does and what LiteRT's single-rounding reference kernels do not (ARCHITECTURE.md).
@inline(__always)
public func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32
{
  let leftShift = shift > 0 ? shift : 0
  let rightShift = shift > 0 ? 0 : -shift
  return roundingDivideByPOT(
    saturatingRoundingDoublingHighMul(x &* (1 &<< leftShift), multiplier), rightShift)
}

/// TFLite's `MultiplyByQuantizedMultiplierSmallerThanOneExp`: the multiplier is below one, so
/// `leftShift <= 0` and only the rounding right shift is applied.
@inline(__always)
public func multiplyByQuantizedMultiplierSmallerThanOneExp(
  _ x: Int32, _ multiplier: Int32, _ leftShift: Int32
) -> Int32 {
  roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -leftShift)
}

/// TFLite's `MultiplyByQuantizedMultiplierGreaterThanOne`: `leftShift >= 0`, no final rounding
/// shift (used by SOFTMAX to rescale input differences).
@inline(__always)
public func multiplyByQuantizedMultiplierGreaterThanOne(
  _ x: Int32, _ multiplier: Int32, _ leftShift: Int32
) -> Int32 {
  saturatingRoundingDoublingHighMul(x &* (1 &<< leftShift), multiplier)
}
