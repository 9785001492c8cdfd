import Foundation

/// Affine int8 parameters of one tensor: `real = scale * (q - zeroPoint)`.
public struct AffineQuantization: Hashable, Sendable, CustomStringConvertible {
  public var scale: Float
  public var zeroPoint: Int32

  public init(scale: Float, zeroPoint: Int32) {
    self.scale = scale
    self.zeroPoint = zeroPoint
  }

  /// TFLite's asymmetric int8 activation parameters for a calibrated range. The range is first
  /// widened to contain 0, so real 0 (ReLU's floor, zero padding) is exactly representable; the
  /// zero point is then nudged onto the integer grid as TFLite's `ChooseQuantizationParams` does.
  /// A range of width 0 (a constant-zero activation) gets scale 1/255, zero point -128: any
  /// positive scale represents it exactly. The width is taken in Double, so a range as wide as
  /// Float allows (±3.4e38, whose width overflows Float) still gets its true scale.
  public static func asymmetricInt8(min: Float, max: Float) -> AffineQuantization {
    let low = Double(Swift.min(min, 0))
    let high = Double(Swift.max(max, 0))
    guard high > low, (high - low).isFinite else {
      return AffineQuantization(scale: 1.0 / 255, zeroPoint: -128)
    }
    // A positive normal float32 scale: a subnormal one would lose the multiplier's precision
    // (and 0 would leave it undefined) in every kernel that divides by it.
    let scale = Float(Swift.max((high - low) / 255, Double(Float.leastNormalMagnitude)))
    let zeroPointFromMin = -128 - low / Double(scale)
    let zeroPoint = Int32(Swift.min(Swift.max(zeroPointFromMin.rounded(), -128), 127))
    return AffineQuantization(scale: scale, zeroPoint: zeroPoint)
  }

  /// Round half away from zero, as TFLite's reference `Quantize`; NaN maps to the zero point.
  public func quantize(_ x: Float) -> Int8 {
    guard !x.isNaN else { return Int8(zeroPoint) }
    let q = (Double(x) / Double(scale)).rounded() + Double(zeroPoint)
    return Int8(Swift.min(Swift.max(q, -128), 127))
  }

  public func dequantize(_ q: Int8) -> Float { scale * Float(Int32(q) - zeroPoint) }

  public var description: String { "scale \(scale) zp \(zeroPoint)" }
}

/// Symmetric int8 weights (zero point 0, values in [-127, 127], TFLite's int8 spec) with one
/// scale per output channel or one for the whole tensor.
public struct SymmetricWeights: Sendable {
  public var values: [Int8]
  public var scales: [Float]

  /// `channels` contiguous blocks of `values.count / channels` weights each get their own scale
  /// `max|w| / 127`. An all-zero channel gets scale 1/127: every value quantises to 0 whatever the
  /// scale, and a positive scale keeps the requantisation multiplier defined.
  public static func quantize(_ weights: [Float], channels: Int) -> SymmetricWeights {
    precondition(channels > 0 && weights.count % channels == 0)
    let size = weights.count / channels
    var values = [Int8](repeating: 0, count: weights.count)
    var scales: [Float] = []
    for c in 0..<channels {
      let block = weights[c * size..<(c + 1) * size]
      let maxAbs = block.reduce(Float(0)) { Swift.max($0, abs($1)) }
      let scale = maxAbs > 0 ? maxAbs / 127 : 1.0 / 127
      scales.append(scale)
      for i in block.indices {
        let q = (Double(weights[i]) / Double(scale)).rounded()
        values[i] = Int8(Swift.min(Swift.max(q, -127), 127))
      }
    }
    return SymmetricWeights(values: values, scales: scales)
  }

  /// The weights as the int8 file stores them, dequantised back to float.
  public func dequantized(channels: Int) -> [Float] {
    let size = values.count / channels
    return values.indices.map { scales[$0 / size] * Float(values[$0]) }
  }
}

/// int32 biases at scale `inputScale * weightScale[c]`, zero point 0 (TFLite's int8 spec).
/// The scale is the product of the two float32 scales as stored in the file, so a reader that
/// recomputes it gets the same number.
public func quantizeBias(_ bias: [Float], inputScale: Float, weightScales: [Float]) -> (
  values: [Int32], scales: [Float]
) {
  let scales = bias.indices.map { c in
    inputScale * weightScales[weightScales.count == 1 ? 0 : c]
  }
  let values = bias.indices.map { c -> Int32 in
    let q = (Double(bias[c]) / Double(scales[c])).rounded()
    return Int32(Swift.min(Swift.max(q, Double(Int32.min)), Double(Int32.max)))
  }
  return (values, scales)
}

/// Signal-to-quantisation-noise ratio in dB: 10 log10(Σ x² / Σ (x - x̂)²). Infinite when the
/// reconstruction is exact.
public func signalToQuantizationNoise(_ reference: [Float], _ approximation: [Float]) -> Double {
  var signal = 0.0
  var noise = 0.0
  for (x, y) in zip(reference, approximation) {
    signal += Double(x) * Double(x)
    noise += (Double(x) - Double(y)) * (Double(x) - Double(y))
  }
  if noise == 0 { return .infinity }
  if signal == 0 { return -.infinity }
  return 10 * (signal / noise).log10
}

extension Double {
  fileprivate var log10: Double { Foundation.log10(self) }
}
