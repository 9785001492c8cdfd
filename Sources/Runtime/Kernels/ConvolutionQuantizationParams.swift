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
    let (multiplier, shift) = convolutionChannelMultiplier(
      inputScale: inputScale, filterScale: filterScale, outputScale: outputScale)
    outputMultiplier[channel] = multiplier
    outputShift[channel] = shift
  }
}

/// One channel of `populateConvolutionQuantizationParams`, and the per-tensor FULLY_CONNECTED
/// multiplier: TFLM's `CalculateOpDataFullyConnected`
/// (tensorflow/lite/micro/kernels/fully_connected_common.cc) calls `GetQuantizedConvolutionMultipler`
/// (tensorflow/lite/kernels/kernel_util.cc). The widening order matters: here each Float scale
/// becomes a Double before the product and the quotient,
///
///     double(input_scale) * double(filter_scale) / double(output_scale)
///
/// which is what the TFLM we are judged by computes: the pinned tflite-micro build
/// (0.dev20261023182759, bench/setup_venv.sh) gives these outputs on the golden cases
/// `fc_per_tensor_ties` (32 of 50 rows would differ by one with a Float product) and
/// `suite_dense_autoencoder`, and on rows of patched scales (bench/refs). Older TFLite, and the
/// tflite-micro source of August 2026 (90b983c2, the 5-argument overload), take the product
/// `input_scale * filter_scale` in Float first; if the oracle is ever re-pinned, those golden
/// cases say which one it uses.
@inline(__always)
public func convolutionChannelMultiplier(
  inputScale: Float, filterScale: Float, outputScale: Float
) -> (multiplier: Int32, shift: Int32) {
  let effectiveOutputScale = Double(inputScale) * Double(filterScale) / Double(outputScale)
  return quantizeMultiplier(effectiveOutputScale)
}
