/// Output sizes of convolution and pooling along one axis, from "A guide to convolution arithmetic
/// for deep learning" (Dumoulin & Visin): the seed's formula `o = floor((i - k + 2p) / s) + 1`,
/// with dilation folded into the effective kernel size `k' = d(k - 1) + 1`.
public enum ConvArithmetic {
  /// Output size of a convolution or pooling window sliding over `input` cells; nil when the
  /// (padded) input is smaller than the effective kernel, i.e. no output position exists.
  public static func outputSize(
    input: Int, kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1
  ) -> Int? {
    let span = input + 2 * padding - effectiveKernel(kernel, dilation: dilation)
    guard input > 0, kernel > 0, stride > 0, dilation > 0, padding >= 0, span >= 0 else {
      return nil
    }
    return span / stride + 1
  }

  /// The cells a dilated kernel covers: `d(k - 1) + 1`.
  public static func effectiveKernel(_ kernel: Int, dilation: Int) -> Int {
    dilation * (kernel - 1) + 1
  }

  /// Output size of a transposed convolution, the inverse shape map of `outputSize`:
  /// `o = (i - 1)s - 2p + d(k - 1) + output_padding + 1`. `outputPadding` (< stride) picks one of
  /// the several input sizes a strided convolution maps to the same output size.
  public static func transposedOutputSize(
    input: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
    dilation: Int = 1
  ) -> Int? {
    guard input > 0, kernel > 0, stride > 0, dilation > 0, padding >= 0,
      outputPadding >= 0, outputPadding < max(stride, dilation)
    else { return nil }
    let size =
      (input - 1) * stride - 2 * padding + effectiveKernel(kernel, dilation: dilation)
      + outputPadding
    return size > 0 ? size : nil
  }
}
