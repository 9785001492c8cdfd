/// TFLM's `OpDataQuantizeReference`, from `prepareQuantize` (float input) or
/// `prepareRequantize` (integer input).
public struct QuantizeParams: Equatable, Sendable {
  public var outputZeroPoint: Int32
  /// The output scale, as TFLM keeps it (a Double holding the Float scale).
  public var outputScale: Double
  public var inputZeroPoint: Int32
  /// `inputScale / outputScale` for requantisation, from `quantizeMultiplier`.
  public var requantizeMultiplier: Int32
  public var requantizeShift: Int32

  public init(
    outputZeroPoint: Int32, outputScale: Double, inputZeroPoint: Int32 = 0,
    requantizeMultiplier: Int32 = 0, requantizeShift: Int32 = 0
  ) {
    self.outputZeroPoint = outputZeroPoint
    self.outputScale = outputScale
    self.inputZeroPoint = inputZeroPoint
    self.requantizeMultiplier = requantizeMultiplier
    self.requantizeShift = requantizeShift
  }
}

/// TFLM's `PrepareQuantizeReference` (micro/kernels/quantize_common.cc) for a float input.
/// TFLM's QUANTIZE takes float to int8 or int16 only (not uint8).
public func prepareQuantize(outputScale: Float, outputZeroPoint: Int32) -> QuantizeParams {
  QuantizeParams(outputZeroPoint: outputZeroPoint, outputScale: Double(outputScale))
}

/// TFLM's `PrepareQuantizeReference` for an integer input (int8 -> int8, int8 -> uint8,
/// uint8 -> int8 here): `effective_scale = Double(inputScale) / Double(outputScale)` encoded
/// by `quantizeMultiplier`.
public func prepareRequantize(
  inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32
) -> QuantizeParams {
  let (multiplier, shift) = quantizeMultiplier(Double(inputScale) / Double(outputScale))
  return QuantizeParams(
    outputZeroPoint: outputZeroPoint, outputScale: Double(outputScale),
    inputZeroPoint: inputZeroPoint, requantizeMultiplier: multiplier, requantizeShift: shift)
}

/// Float to int8 QUANTIZE over `count` elements. Mirrors TFLite's `reference_ops::AffineQuantize`
/// (reference/quantize.h): `round(x / scale) + zeroPoint` clamped to int8, the division in
/// Float, the rounding half away from zero (`std::round`).
///
/// A quotient outside int32 (or NaN) is undefined behaviour in the C code (a float-to-int
/// conversion out of range); here it saturates, so a huge input gives -128 or 127 and NaN the
/// zero point.
public func quantizeFloatToInt8Reference(
  _ p: QuantizeParams, count: Int, input: UnsafePointer<Float>,
  output: UnsafeMutablePointer<Int8>
) {
  let scale = Float(p.outputScale)
  for i in 0..<count {
    let q = (input[i] / scale).rounded(.toNearestOrAwayFromZero)
    let unclamped: Int32
    if q.isNaN {
      unclamped = 0
    } else if q >= 2_147_483_648 {
      unclamped = .max
    } else if q <= -2_147_483_648 {
      unclamped = .min
    } else {
      unclamped = Int32(q)
    }
    let y = unclamped.addingReportingOverflow(p.outputZeroPoint)
    let clampedSum = y.overflow ? (unclamped > 0 ? Int32.max : Int32.min) : y.partialValue
    output[i] = Int8(truncatingIfNeeded: min(max(clampedSum, -128), 127))
  }
}

/// Int8 to int8 QUANTIZE (requantisation to another scale / zero point). Mirrors TFLite's
/// `reference_ops::Requantize<int8_t, int8_t>` (reference/requantize.h).
public func requantizeInt8Reference(
  _ p: QuantizeParams, count: Int, input: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  for i in 0..<count {
    output[i] = Int8(truncatingIfNeeded: requantizedValue(Int32(input[i]), p, min: -128, max: 127))
  }
}

/// Int8 to uint8 QUANTIZE. Mirrors `Requantize<int8_t, uint8_t>`, including its fast path:
/// with the same scale and zero points 128 apart, each byte's top bit is flipped (the general
/// formula gives the same bytes).
public func requantizeInt8ToUInt8Reference(
  _ p: QuantizeParams, count: Int, input: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<UInt8>
) {
  if isSameScale(p) && p.inputZeroPoint - p.outputZeroPoint == -128 {
    for i in 0..<count { output[i] = UInt8(bitPattern: input[i]) ^ 0x80 }
    return
  }
  for i in 0..<count {
    output[i] = UInt8(truncatingIfNeeded: requantizedValue(Int32(input[i]), p, min: 0, max: 255))
  }
}

/// Uint8 to int8 QUANTIZE. Mirrors `Requantize<uint8_t, int8_t>` and its fast path (zero points
/// 128 apart at the same scale: flip the top bit).
public func requantizeUInt8ToInt8Reference(
  _ p: QuantizeParams, count: Int, input: UnsafePointer<UInt8>,
  output: UnsafeMutablePointer<Int8>
) {
  if isSameScale(p) && p.inputZeroPoint - p.outputZeroPoint == 128 {
    for i in 0..<count { output[i] = Int8(bitPattern: input[i] ^ 0x80) }
    return
  }
  for i in 0..<count {
    output[i] = Int8(truncatingIfNeeded: requantizedValue(Int32(input[i]), p, min: -128, max: 127))
  }
}

/// `quantizeMultiplier(1.0)`: the multiplier of equal input and output scales.
@inline(__always)
func isSameScale(_ p: QuantizeParams) -> Bool {
  p.requantizeMultiplier == 1 << 30 && p.requantizeShift == 1
}

/// `MultiplyByQuantizedMultiplier(x - inputZeroPoint) + outputZeroPoint`, clamped.
@inline(__always)
func requantizedValue(_ x: Int32, _ p: QuantizeParams, min lower: Int32, max upper: Int32) -> Int32
{
  let y =
    multiplyByQuantizedMultiplier(x &- p.inputZeroPoint, p.requantizeMultiplier, p.requantizeShift)
    &+ p.outputZeroPoint
  return min(max(y, lower), upper)
}
