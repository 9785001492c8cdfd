import Runtime

/// How a symmetric PyTorch-style padding maps onto TFLite, which only knows SAME and VALID: the
/// one place that decides it (the quantizer writes what it says, the estimator costs the same
/// operators). SAME's arithmetic is the Runtime's (`computeOutSize`, `computePaddingWithOffset`,
/// TFLite's padding.h), so the decision and the kernels cannot disagree.
public enum TFLitePadding: Equatable, Sendable {
  case same
  case valid
  /// Neither fits: a PAD operator adds `height`/`width` zeros on each side, then VALID.
  case explicit(Size2)

  /// SAME along one axis: the output size `ceil(input / stride)` and the padding TFLite puts
  /// before and after, `total = max((out - 1) * stride + k_eff - input, 0)` split as `total / 2`
  /// before and the odd remainder after.
  public static func same(input: Int, kernel: Int, stride: Int, dilation: Int = 1)
    -> (output: Int, before: Int, after: Int)
  {
    let output =
      (try? computeOutSize(
        .same, imageSize: input, filterSize: kernel, stride: stride, dilation: dilation)) ?? 0
    let split = computePaddingWithOffset(
      stride: stride, dilation: dilation, inSize: input, filterSize: kernel, outSize: output)
    return (output, split.padding, split.padding + split.offset)
  }

  /// SAME equals our symmetric padding when it yields the same output size and the same leading
  /// padding: then both read exactly the same input positions.
  public static func choose(
    input: FeatureShape, kernel: Size2, stride: Size2, padding: Size2, dilation: Size2
  ) -> TFLitePadding {
    if padding == Size2(0) { return .valid }
    func sameFits(_ inSize: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int) -> Bool {
      let same = same(input: inSize, kernel: k, stride: s, dilation: d)
      let ours = ConvArithmetic.outputSize(
        input: inSize, kernel: k, stride: s, padding: p, dilation: d)
      return ours == same.output && same.before == p
    }
    if sameFits(input.height, kernel.height, stride.height, padding.height, dilation.height)
      && sameFits(input.width, kernel.width, stride.width, padding.width, dilation.width)
    {
      return .same
    }
    return .explicit(padding)
  }

}
