/// TFLM's `DequantizeOpData`: the input's zero point and scale (a Double holding the Float
/// scale, as TFLM keeps it).
public struct DequantizeParams: Equatable, Sendable {
  public var zeroPoint: Int32
  public var scale: Double

  public init(zeroPoint: Int32, scale: Double) {
    self.zeroPoint = zeroPoint
    self.scale = scale
  }
}

/// TFLM's `DequantizePrepare` (micro/kernels/dequantize_common.cc): int8, int16 or uint8 in,
/// float out (the types are the interpreter's to check).
public func prepareDequantize(inputScale: Float, inputZeroPoint: Int32) -> DequantizeParams {
  DequantizeParams(zeroPoint: inputZeroPoint, scale: Double(inputScale))
}

/// Int8 to float DEQUANTIZE over `count` elements. Mirrors TFLite's `reference_ops::Dequantize`
/// (reference/dequantize.h): `Float(scale * Double(q - zeroPoint))`, the product in Double and
/// rounded to Float once.
public func dequantizeInt8Reference(
  _ p: DequantizeParams, count: Int, input: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Float>
) {
  for i in 0..<count { output[i] = dequantizedValue(Int(input[i]), p) }
}

/// Uint8 to float DEQUANTIZE, as `dequantizeInt8Reference`.
public func dequantizeUInt8Reference(
  _ p: DequantizeParams, count: Int, input: UnsafePointer<UInt8>,
  output: UnsafeMutablePointer<Float>
) {
  for i in 0..<count { output[i] = dequantizedValue(Int(input[i]), p) }
}

@inline(__always)
func dequantizedValue(_ q: Int, _ p: DequantizeParams) -> Float {
  // Through `Int`: Double(Int32) trips the 32-bit -no-allocations false positive.
  Float(p.scale * Double(q - Int(p.zeroPoint)))
}
