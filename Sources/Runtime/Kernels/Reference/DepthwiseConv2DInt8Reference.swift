/// TFLite's `DepthwiseParams` for the int8 path: `ConvParams` plus the depth multiplier (output
/// channels per input channel).
public struct DepthwiseParams: Equatable, Sendable {
  public var padding: Padding
  public var paddingValues: PaddingValues
  public var strideWidth: Int
  public var strideHeight: Int
  public var dilationWidthFactor: Int
  public var dilationHeightFactor: Int
  public var depthMultiplier: Int
  /// `-input_zero_point`.
  public var inputOffset: Int32
  /// `-filter_zero_point`; 0 for int8 per-channel weights and ignored by the kernel.
  public var weightsOffset: Int32
  public var outputOffset: Int32
  public var quantizedActivationMin: Int32
  public var quantizedActivationMax: Int32

  public init(
    padding: Padding = .valid, paddingValues: PaddingValues = PaddingValues(),
    strideWidth: Int = 1, strideHeight: Int = 1,
    dilationWidthFactor: Int = 1, dilationHeightFactor: Int = 1, depthMultiplier: Int = 1,
    inputOffset: Int32 = 0, weightsOffset: Int32 = 0, outputOffset: Int32 = 0,
    quantizedActivationMin: Int32 = Int32(Int8.min), quantizedActivationMax: Int32 = Int32(Int8.max)
  ) {
    self.padding = padding
    self.paddingValues = paddingValues
    self.strideWidth = strideWidth
    self.strideHeight = strideHeight
    self.dilationWidthFactor = dilationWidthFactor
    self.dilationHeightFactor = dilationHeightFactor
    self.depthMultiplier = depthMultiplier
    self.inputOffset = inputOffset
    self.weightsOffset = weightsOffset
    self.outputOffset = outputOffset
    self.quantizedActivationMin = quantizedActivationMin
    self.quantizedActivationMax = quantizedActivationMax
  }
}

/// Int8 depthwise convolution, NHWC, per-channel weights. Mirrors TFLM's
/// `reference_integer_ops::DepthwiseConvPerChannel` (integer_ops/depthwise_conv.h).
///
/// - filter: `[1, kH, kW, outC]` with `outC = inC * depthMultiplier`; output channel
///   `inC * depthMultiplier + m` reads input channel `inC`.
/// - bias, outputMultiplier, outputShift: `[outC]`.
public func depthwiseConv2DPerChannelInt8Reference(
  _ p: DepthwiseParams, outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) {
  for batch in 0..<outputShape.n {
    for outY in 0..<outputShape.h {
      let inYOrigin = outY * p.strideHeight - p.paddingValues.height
      for outX in 0..<outputShape.w {
        let inXOrigin = outX * p.strideWidth - p.paddingValues.width
        for inC in 0..<inputShape.c {
          for m in 0..<p.depthMultiplier {
            let outC = m + inC * p.depthMultiplier
            var acc: Int32 = 0
            for kY in 0..<filterShape.h {
              let inY = inYOrigin + p.dilationHeightFactor * kY
              for kX in 0..<filterShape.w {
                let inX = inXOrigin + p.dilationWidthFactor * kX
                guard inX >= 0, inX < inputShape.w, inY >= 0, inY < inputShape.h else { continue }
                let x = Int32(input[inputShape.offset(batch, inY, inX, inC)])
                let w = Int32(filter[filterShape.offset(0, kY, kX, outC)])
                acc = acc &+ w &* (x &+ p.inputOffset)
              }
            }
            if let bias { acc = acc &+ bias[outC] }
            acc = multiplyByQuantizedMultiplier(acc, outputMultiplier[outC], outputShift[outC])
            acc = acc &+ p.outputOffset
            acc = min(max(acc, p.quantizedActivationMin), p.quantizedActivationMax)
            output[outputShape.offset(batch, outY, outX, outC)] = Int8(truncatingIfNeeded: acc)
          }
        }
      }
    }
  }
}
