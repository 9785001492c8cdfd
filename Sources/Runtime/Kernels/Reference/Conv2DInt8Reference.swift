/// TFLite's `ConvParams` for the int8 path: the window geometry from the operator's options and
/// Prepare's `computePaddingHeightWidth`, the offsets that undo zero points, and the clamp.
/// The per-channel multipliers and shifts are passed to the kernel separately, as in TFLM.
public struct ConvParams: Equatable, Sendable {
  public var padding: Padding
  public var paddingValues: PaddingValues
  public var strideWidth: Int
  public var strideHeight: Int
  public var dilationWidthFactor: Int
  public var dilationHeightFactor: Int
  /// `-input_zero_point`: added to each input value (real = scale * (q + inputOffset)).
  public var inputOffset: Int32
  /// `-filter_zero_point`; always 0 for int8 per-channel weights and ignored by the kernel.
  public var weightsOffset: Int32
  /// The output zero point, added after requantisation.
  public var outputOffset: Int32
  public var quantizedActivationMin: Int32
  public var quantizedActivationMax: Int32

  public init(
    padding: Padding = .valid, paddingValues: PaddingValues = PaddingValues(),
    strideWidth: Int = 1, strideHeight: Int = 1,
    dilationWidthFactor: Int = 1, dilationHeightFactor: Int = 1,
    inputOffset: Int32 = 0, weightsOffset: Int32 = 0, outputOffset: Int32 = 0,
    quantizedActivationMin: Int32 = Int32(Int8.min), quantizedActivationMax: Int32 = Int32(Int8.max)
  ) {
    self.padding = padding
    self.paddingValues = paddingValues
    self.strideWidth = strideWidth
    self.strideHeight = strideHeight
    self.dilationWidthFactor = dilationWidthFactor
    self.dilationHeightFactor = dilationHeightFactor
    self.inputOffset = inputOffset
    self.weightsOffset = weightsOffset
    self.outputOffset = outputOffset
    self.quantizedActivationMin = quantizedActivationMin
    self.quantizedActivationMax = quantizedActivationMax
  }
}

/// Int8 convolution, NHWC, per-channel weights: the spec every other CONV_2D kernel must match
/// byte for byte. Mirrors TFLM's `reference_integer_ops::ConvPerChannel` (integer_ops/conv.h),
/// which TFLM's micro CONV_2D calls for int8.
///
/// - filter: `[outC, kH, kW, inC / groups]` (OHWI); grouped convolution when the input has a
///   multiple of the filter's input depth, as in TFLM.
/// - bias: `[outC]` int32 at scale `inputScale * filterScale[c]`, or nil.
/// - outputMultiplier, outputShift: `[outC]`, from `populateConvolutionQuantizationParams`.
public func conv2DPerChannelInt8Reference(
  _ p: ConvParams, outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) {
  let filterInputDepth = filterShape.c
  let groups = inputShape.c / filterInputDepth
  let filtersPerGroup = outputShape.c / groups
  for batch in 0..<outputShape.n {
    for outY in 0..<outputShape.h {
      let inYOrigin = outY * p.strideHeight - p.paddingValues.height
      for outX in 0..<outputShape.w {
        let inXOrigin = outX * p.strideWidth - p.paddingValues.width
        for outC in 0..<outputShape.c {
          let group = outC / filtersPerGroup
          var acc: Int32 = 0
          for kY in 0..<filterShape.h {
            let inY = inYOrigin + p.dilationHeightFactor * kY
            for kX in 0..<filterShape.w {
              let inX = inXOrigin + p.dilationWidthFactor * kX
              // Zero padding: a tap outside the image adds nothing (real 0 = q - zeroPoint).
              guard inX >= 0, inX < inputShape.w, inY >= 0, inY < inputShape.h else { continue }
              for inC in 0..<filterInputDepth {
                let x = Int32(
                  input[inputShape.offset(batch, inY, inX, inC + group * filterInputDepth)])
                let w = Int32(filter[filterShape.offset(outC, kY, kX, inC)])
                // Wrapping, as the C int32 accumulation compiles: |w * (x + offset)| < 2^15,
                // so 2^16 taps cannot overflow and no real model gets near.
                acc = acc &+ w &* (x &+ p.inputOffset)
              }
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
