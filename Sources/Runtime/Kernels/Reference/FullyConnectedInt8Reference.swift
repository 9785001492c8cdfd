/// TFLite's `FullyConnectedParams` for the int8 path. `outputMultiplier`/`outputShift` are used by
/// the per-tensor kernel; the per-channel kernel takes arrays instead, as in TFLM.
public struct FullyConnectedParams: Equatable, Sendable {
  /// `-input_zero_point`.
  public var inputOffset: Int32
  /// `-filter_zero_point`: applied by the per-tensor kernel (TFLM keeps it "for backward
  /// compatibility"), ignored by the per-channel one (symmetric weights).
  public var weightsOffset: Int32
  public var outputOffset: Int32
  /// Per-tensor multiplier, from `convolutionChannelMultiplier` (one scale for every output).
  public var outputMultiplier: Int32
  public var outputShift: Int32
  public var quantizedActivationMin: Int32
  public var quantizedActivationMax: Int32

  public init(
    inputOffset: Int32 = 0, weightsOffset: Int32 = 0, outputOffset: Int32 = 0,
    outputMultiplier: Int32 = 0, outputShift: Int32 = 0,
    quantizedActivationMin: Int32 = Int32(Int8.min), quantizedActivationMax: Int32 = Int32(Int8.max)
  ) {
    self.inputOffset = inputOffset
    self.weightsOffset = weightsOffset
    self.outputOffset = outputOffset
    self.outputMultiplier = outputMultiplier
    self.outputShift = outputShift
    self.quantizedActivationMin = quantizedActivationMin
    self.quantizedActivationMax = quantizedActivationMax
  }
}

// Shapes: TFLM reads `batches` as the output's flat size without its last dimension, the output
// depth as the output's last dimension and the accumulation depth as the filter's last dimension.
// With right-aligned `Shape4`s (`Shape4(extending:)`): input `[.., batches * accumDepth]`,
// filter `[1, 1, outDepth, accumDepth]`, output `[1, 1, batches, outDepth]`.

/// Int8 FULLY_CONNECTED with per-tensor weights. Mirrors TFLM's
/// `reference_integer_ops::FullyConnected` (integer_ops/fully_connected.h), which TFLM's micro
/// FULLY_CONNECTED calls when the weights have one scale.
/// - filter: `[outDepth, accumDepth]`; bias: `[outDepth]` or nil.
public func fullyConnectedInt8Reference(
  _ p: FullyConnectedParams,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) {
  let outputDepth = outputShape.c
  let batches = outputShape.flatSize / outputDepth
  let accumDepth = filterShape.c
  for b in 0..<batches {
    for outC in 0..<outputDepth {
      var acc: Int32 = 0
      for d in 0..<accumDepth {
        let x = Int32(input[b * accumDepth + d])
        let w = Int32(filter[outC * accumDepth + d])
        acc = acc &+ (w &+ p.weightsOffset) &* (x &+ p.inputOffset)
      }
      if let bias { acc = acc &+ bias[outC] }
      acc = multiplyByQuantizedMultiplier(acc, p.outputMultiplier, p.outputShift)
      acc = acc &+ p.outputOffset
      acc = min(max(acc, p.quantizedActivationMin), p.quantizedActivationMax)
      output[outC + outputDepth * b] = Int8(truncatingIfNeeded: acc)
    }
  }
}

/// Int8 FULLY_CONNECTED with per-channel weights (the converter's default since TF 2.1x).
/// Mirrors TFLM's `reference_integer_ops::FullyConnectedPerChannel`, the overload taking integer
/// multipliers (TFLM's micro kernel calls that one, not the float-rescaling overload LiteRT has).
/// - outputMultiplier, outputShift: `[outDepth]`, from `populateConvolutionQuantizationParams`.
public func fullyConnectedPerChannelInt8Reference(
  _ p: FullyConnectedParams, outputMultiplier: UnsafePointer<Int32>,
  outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) {
  let outputDepth = outputShape.c
  let batches = outputShape.flatSize / outputDepth
  let accumDepth = filterShape.c
  for b in 0..<batches {
    for outC in 0..<outputDepth {
      var acc: Int32 = 0
      for d in 0..<accumDepth {
        let x = Int32(input[b * accumDepth + d])
        let w = Int32(filter[outC * accumDepth + d])
        acc = acc &+ w &* (x &+ p.inputOffset)
      }
      if let bias { acc = acc &+ bias[outC] }
      acc = multiplyByQuantizedMultiplier(acc, outputMultiplier[outC], outputShift[outC])
      acc = acc &+ p.outputOffset
      acc = min(max(acc, p.quantizedActivationMin), p.quantizedActivationMax)
      output[outC + outputDepth * b] = Int8(truncatingIfNeeded: acc)
    }
  }
}
