/// TFLM's `OpDataLogistic` for the int8 path, from `prepareLogistic`.
public struct LogisticParams: Equatable, Sendable {
  public var inputZeroPoint: Int32
  /// Inputs (minus the zero point) at or beyond ±radius saturate to the output's -128 / 127
  /// without evaluating the function: their Q4.27 rescaling would not fit.
  public var inputRangeRadius: Int32
  /// `inputScale * 2^27` (one input step in Q4.27) as a Q0.31 multiplier and a shift.
  public var inputMultiplier: Int32
  public var inputLeftShift: Int32

  public init(
    inputZeroPoint: Int32, inputRangeRadius: Int32, inputMultiplier: Int32,
    inputLeftShift: Int32
  ) {
    self.inputZeroPoint = inputZeroPoint
    self.inputRangeRadius = inputRangeRadius
    self.inputMultiplier = inputMultiplier
    self.inputLeftShift = inputLeftShift
  }
}

/// The integer bits of LOGISTIC's rescaled input (Q4.27): logistic(±16) is 0 or 1 to 2^-23.
let logisticInputIntegerBits: Int32 = 4

/// TFLM's `CalculateArithmeticOpDataLogistic` (micro/kernels/logistic_common.cc) for int8.
///
/// TFLM checks only the output zero point (-128); the output scale is taken to be 1/256, as
/// the converter always writes it, and not checked, as in TFLM. The input rescaling is
/// `frexp(inputScale * 2^27)` with the fraction rounded to Q0.31 (no `QuantizeMultiplier`
/// fix-ups: a Float scale has 24 significant bits, so the rounding is exact and never reaches
/// 2^31), and `radius = CalculateInputRadius(4, shift, 31)`. A scale below 2^-28 would make the
/// shift negative, where TFLite's radius computation is undefined: thrown.
public func prepareLogistic(inputScale: Float, inputZeroPoint: Int32, outputZeroPoint: Int32)
  throws(KernelError) -> LogisticParams
{
  guard outputZeroPoint == Int32(Int8.min) else { throw .unsupportedQuantization }
  let real = Double(inputScale) * Double(Int(1) << (31 - logisticInputIntegerBits))
  guard real.isFinite, real >= 0 else { throw .unsupportedQuantization }
  let parts = FrExp(real)
  // frexp's fraction q in [0.5, 1) times 2^31: significandBits / 2^22, rounded half up.
  let qFixed = (parts.significandBits &+ (1 &<< 21)) &>> 22
  precondition(qFixed < 1 &<< 31, "a Float scale rounds exactly")
  guard parts.exponent >= 0 else { throw .unsupportedQuantization }
  return LogisticParams(
    inputZeroPoint: inputZeroPoint,
    inputRangeRadius: calculateInputRadius(
      inputIntegerBits: logisticInputIntegerBits, inputLeftShift: parts.exponent),
    inputMultiplier: Int32(truncatingIfNeeded: qFixed), inputLeftShift: parts.exponent)
}

/// Int8 LOGISTIC (output scale 1/256, zero point -128) over `count` elements. Mirrors TFLite's
/// `reference_integer_ops::Logistic` (integer_ops/logistic.h), which TFLM calls: the input in
/// Q4.27, gemmlowp's fixed-point `logistic` to Q0.31, rounded to 8 fractional bits.
public func logisticInt8Reference(
  _ p: LogisticParams, count: Int, input: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  for i in 0..<count {
    let x = Int32(input[i]) - p.inputZeroPoint
    if x <= -p.inputRangeRadius {
      output[i] = .min
    } else if x >= p.inputRangeRadius {
      output[i] = .max
    } else {
      let inputInQ4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift)
      let outputInQ0 = logistic(inputInQ4, integerBits: logisticInputIntegerBits)
      // Q0.31 to 8 fractional bits: 1.0 becomes 256, which the clamp turns into 127.
      let outputInQ23 = roundingDivideByPOT(outputInQ0, 31 - 8) - 128
      output[i] = Int8(truncatingIfNeeded: min(max(outputInQ23, -128), 127))
    }
  }
}
