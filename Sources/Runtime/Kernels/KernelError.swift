/// What a kernel's prepare step can find wrong with an operator's parameters. Each case is a
/// property of the model file (TFLM returns `kTfLiteError` for it, or aborts on a failed
/// `TFLITE_CHECK`), never of our own code; the interpreter wraps it with the operator's index.
public enum KernelError: Error, Equatable, Sendable {
  /// SAME/VALID padding with a non-positive stride, dilation or filter size, or an output that
  /// would be empty (TFLite's `ComputePaddingHeightWidthChecked`).
  case invalidWindow
  /// The fused activation's bounds do not fit in int32 on this output scale (TFLite's `Quantize`
  /// in `CalculateActivationRangeQuantized`).
  case activationRangeOverflow
  /// A fused activation other than NONE, RELU, RELU_N1_TO_1 and RELU6, or one on an operator
  /// that takes none (CONCATENATION).
  case unsupportedActivation(code: Int8)
  /// A quantisation parameter TFLM rejects for this operator (e.g. a SOFTMAX int8 output that
  /// is not scale 1/256, zero point -128, or CONCATENATION inputs on another scale than the
  /// output), or a scale whose multiplier leaves the range TFLM's Prepare checks.
  case unsupportedQuantization
  /// A tensor shape with a negative dimension.
  case invalidShape
  /// A tensor of higher rank than the kernel handles (TFLM: 6 for most, 5 for PAD and
  /// STRIDED_SLICE, 4 for the window kernels and broadcasting ADD).
  case tooManyDimensions(rank: Int)
  /// Operand shapes the operator cannot combine (ADD shapes that do not broadcast,
  /// CONCATENATION inputs that differ off the axis), or an output shape other than the one the
  /// operator computes from its inputs.
  case shapeMismatch
  /// An axis (MEAN, CONCATENATION, PACK) outside `-rank..<rank`.
  case invalidAxis(Int32)
  /// More inputs than TFLM takes (CONCATENATION: 10).
  case tooManyInputs(count: Int)
  /// A PAD `paddings` tensor that is not `[rank, 2]` or holds a negative amount.
  case invalidPadding
  /// A STRIDED_SLICE stride of zero, or begin/end/strides vectors whose length is not the
  /// input's rank.
  case invalidSlice
}
