/// TFLite's `PopulateConvolutionQuantizationParams` (kernel_util.cc), which TFLM's CONV_2D and
/// DEPTHWISE_CONV_2D Prepare call, and the per-channel branch of TFLM's
/// `CalculateOpDataFullyConnected`: one `(multiplier, shift)` per output channel from
///
///     effective_output_scale = double(input_scale) * double(filter_scale[c]) / double(output_scale)
///
/// (each Float scale widened to Double first, the product and quotient in Double), encoded by
/// `quantizeMultiplier`. A per-tensor filter (`filterScales.count == 1`) is broadcast to every
/// channel. `outputMultiplier` and `outputShift` must hold the same count: the output channels.
/// - Throws: `unsupportedQuantization` when the filter has neither one scale nor one per output
///   channel (TFLM's `TF_LITE_ENSURE_EQ(scale->size, num_channels)`).
public func populateConvolutionQuantizationParams(
  inputScale: Float, filterScales: UnsafeBufferPointer<Float>, outputScale: Float,
  outputMultiplier: UnsafeMutableBufferPointer<Int32>,
  outputShift: UnsafeMutableBufferPointer<Int32>
) throws(KernelError) {
  precondition(outputMultiplier.count == outputShift.count)
  guard filterScales.count == 1 || filterScales.count == outputMultiplier.count else {
    throw .unsupportedQuantization
  }
  for channel in 0..<outputMultiplier.count {
    let filterScale = filterScales[filterScales.count == 1 ? 0 : channel]
    let effectiveOutputScale = Double(inputScale) * Double(filterScale) / Double(outputScale)
    let (multiplier, shift) = quantizeMultiplier(effectiveOutputScale)
    outputMultiplier[channel] = multiplier
    outputShift[channel] = shift
  }
}

/// The per-tensor FULLY_CONNECTED multiplier, TFLite's `GetQuantizedConvolutionMultipler` as TFLM's
/// `CalculateOpDataFullyConnected` calls it when the weights have a single scale. Unlike the
/// per-channel path, the product `input_scale * filter_scale` is taken in **Float** and only then
/// widened: `double(float(in * w)) / double(out)`. The two differ in the last bit of the
/// multiplier for some scales, so the interpreter must use this one for per-tensor FC.
///
/// With a bias, TFLite's `GetQuantizedConvolutionMultipler` also requires the bias scale to be
/// the input-times-filter scale within 2 % of the output scale (in Double): the kernel adds
/// the bias as if it were.
/// - Throws: `unsupportedQuantization` for a bias scale off by more, or a negative product.
public func fullyConnectedPerTensorMultiplier(
  inputScale: Float, filterScale: Float, outputScale: Float, biasScale: Float? = nil
) throws(KernelError) -> (multiplier: Int32, shift: Int32) {
  if let biasScale {
    let scaleDiff = abs(Double(inputScale) * Double(filterScale) - Double(biasScale))
    guard scaleDiff / Double(outputScale) <= 0.02 else { throw .unsupportedQuantization }
  }
  let inputProductScale = Double(inputScale * filterScale)
  guard inputProductScale >= 0 else { throw .unsupportedQuantization }
  return quantizeMultiplier(inputProductScale / Double(outputScale))
}
