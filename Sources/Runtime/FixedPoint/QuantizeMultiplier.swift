/// A real number split as `significand * 2^exponent` with `significand` in [0.5, 1) (C's
/// `frexp`), with the significand kept as the 53-bit integer `significandBits = significand * 2^53`
/// so that nothing below needs floating-point rounding. Zero gives `(0, 0)`; a subnormal is
/// normalised first, as `std::frexp` does.
///
/// Read from the IEEE-754 bit pattern: Runtime imports no libm, and TFLite's own
/// `IntegerFrExp` (TFLITE_EMULATE_FLOAT) does the same.
struct FrExp {
  var negative: Bool
  var significandBits: UInt64  // 0 or in [2^52, 2^53)
  var exponent: Int32

  init(_ x: Double) {
    let bits = x.bitPattern
    negative = (bits &>> 63) != 0
    let fraction = bits & 0x000F_FFFF_FFFF_FFFF
    let biasedExponent = Int32(truncatingIfNeeded: (bits &>> 52) & 0x7FF)
    if biasedExponent == 0 {
      if fraction == 0 {  // +0 or -0
        significandBits = 0
        exponent = 0
        return
      }
      // Subnormal: scale by 2^64 (exact) to make it normal, split that, and undo the scaling.
      // (A shift by the leading-zero count would need a 64-bit conversion of an Int, which the
      // 32-bit -no-allocations build rejects.)
      self = FrExp(x * 18_446_744_073_709_551_616.0)
      exponent -= 64
      return
    } else {
      // Normal: value = (2^52 + fraction) * 2^(biased - 1075) = (bits / 2^53) * 2^(biased - 1022).
      significandBits = fraction | 0x0010_0000_0000_0000
      exponent = biasedExponent - 1022
    }
  }
}

/// TFLite's `QuantizeMultiplier`: encodes a real multiplier as a Q0.31 `multiplier` and a power of
/// two `shift` with `real ≈ multiplier * 2^(shift - 31)`, the form `multiplyByQuantizedMultiplier`
/// takes. `multiplier` is in [2^30, 2^31) for non-zero input (its sign follows the input).
///
/// As in TFLite: `q, shift = frexp(real)`, `multiplier = round(q * 2^31)` (ties away from zero),
/// a multiplier that rounds up to 2^31 is halved with `shift + 1`, and any `shift < -31`
/// (|real| < ~2^-32, including every subnormal) flushes to `(0, 0)`. Zero gives `(0, 0)`.
/// Examples: `1.0 -> (1 << 30, 1)`, `0.5 -> (1 << 30, 0)`, `0.75 -> (3 << 29, 0)`.
/// A non-finite input (TFLite would abort) also gives `(0, 0)`: the model reader rejects
/// non-finite scales before any kernel is prepared.
public func quantizeMultiplier(_ real: Double) -> (multiplier: Int32, shift: Int32) {
  guard real.isFinite else { return (0, 0) }
  let parts = FrExp(real)
  if parts.significandBits == 0 { return (0, 0) }
  // q * 2^31 = significandBits / 2^22; round half away from zero on the magnitude.
  var qFixed = (parts.significandBits &+ (1 &<< 21)) &>> 22  // in [2^30, 2^31]
  var shift = parts.exponent
  if qFixed == 1 &<< 31 {
    qFixed = qFixed &>> 1
    shift += 1
  }
  if shift < -31 { return (0, 0) }
  let magnitude = Int32(truncatingIfNeeded: qFixed)
  return (parts.negative ? -magnitude : magnitude, shift)
}

/// TFLite's `QuantizeMultiplierGreaterThanOne`: for a real multiplier above one; the returned
/// shift is a left shift (>= 0). SOFTMAX prepares its input rescaling with it.
public func quantizeMultiplierGreaterThanOne(_ real: Double) -> (
  multiplier: Int32, leftShift: Int32
) {
  let (multiplier, shift) = quantizeMultiplier(real)
  return (multiplier, shift)
}

/// TFLite's `QuantizeMultiplierSmallerThanOneExp`: for a real multiplier in (0, 1); the returned
/// `leftShift` is <= 0 (LOGISTIC and ADD's output rescaling use this form).
public func quantizeMultiplierSmallerThanOneExp(_ real: Double) -> (
  multiplier: Int32, leftShift: Int32
) {
  let (multiplier, shift) = quantizeMultiplier(real)
  return (multiplier, shift)
}
