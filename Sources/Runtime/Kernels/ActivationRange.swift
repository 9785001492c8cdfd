/// The .tflite `ActivationFunctionType` values a fused activation may take in an int8 model
/// (schema values). TANH and SIGN_BIT are never fused by the converter; the reader rejects them.
public enum FusedActivation: Int8, Sendable {
  case none = 0
  case relu = 1
  case reluN1To1 = 2
  case relu6 = 3
}

/// TFLite's `CalculateActivationRangeQuantized` (kernel_util.cc) for an int8 output: the clamp
/// bounds that fold a fused activation into requantisation. RELU clamps at the quantised 0.0,
/// RELU6 at 0.0 and 6.0, RELU_N1_TO_1 at -1.0 and 1.0, each `zeroPoint + round(value / scale)`
/// computed in Float with ties away from zero (TFLite's `Quantize` helper), then intersected
/// with [qmin, qmax].
public func calculateActivationRangeQuantized(
  _ activation: FusedActivation, outputScale: Float, outputZeroPoint: Int32,
  qmin: Int32 = Int32(Int8.min), qmax: Int32 = Int32(Int8.max)
) throws(KernelError) -> (min: Int32, max: Int32) {
  switch activation {
  case .none:
    return (qmin, qmax)
  case .relu:
    let zero = try quantizeActivationBound(0, outputScale, outputZeroPoint)
    return (max(qmin, zero), qmax)
  case .relu6:
    let zero = try quantizeActivationBound(0, outputScale, outputZeroPoint)
    let six = try quantizeActivationBound(6, outputScale, outputZeroPoint)
    return (max(qmin, zero), min(qmax, six))
  case .reluN1To1:
    let minusOne = try quantizeActivationBound(-1, outputScale, outputZeroPoint)
    let one = try quantizeActivationBound(1, outputScale, outputZeroPoint)
    return (max(qmin, minusOne), min(qmax, one))
  }
}

/// kernel_util.cc's `Quantize(scale, zero_point, f)`: `zero_point + round(f / scale)`, in Float,
/// failing when the rounded quotient leaves int32 (a scale TFLM rejects as well).
func quantizeActivationBound(_ value: Float, _ scale: Float, _ zeroPoint: Int32)
  throws(KernelError) -> Int32
{
  let q = (value / scale).rounded(.toNearestOrAwayFromZero)
  // Float(Int32.max) rounds up to 2^31, so compare against the exact bounds -2^31 and 2^31.
  guard q >= -2_147_483_648, q < 2_147_483_648 else { throw .activationRangeOverflow }
  return zeroPoint &+ Int32(q)
}
