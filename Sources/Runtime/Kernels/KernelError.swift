/// What a kernel's prepare step can find wrong with an operator's parameters. Each case is a
/// property of the model file (TFLM returns `kTfLiteError` for it), never of our own code; the
/// interpreter wraps it with the operator's index.
public enum KernelError: Error, Equatable, Sendable {
  /// SAME/VALID padding with a non-positive stride, dilation or filter size, or an output that
  /// would be empty (TFLite's `ComputePaddingHeightWidthChecked`).
  case invalidWindow
  /// The fused activation's bounds do not fit in int32 on this output scale (TFLite's `Quantize`
  /// in `CalculateActivationRangeQuantized`).
  case activationRangeOverflow
  /// A fused activation other than NONE, RELU, RELU_N1_TO_1 and RELU6.
  case unsupportedActivation(code: Int8)
  /// A quantisation parameter TFLM rejects for this operator (e.g. a SOFTMAX int8 output that
  /// is not scale 1/256, zero point -128).
  case unsupportedQuantization
}
