import Graph

/// How a symmetric PyTorch-style padding maps onto TFLite, which only knows SAME and VALID.
enum TFLitePadding: Equatable {
  case same
  case valid
  /// Neither fits: a PAD operator adds `height`/`width` zeros on each side, then VALID.
  case explicit(Size2)

  /// SAME pads `total = max((out - 1) * stride + k_eff - in, 0)` with `total / 2` before (the
  /// rest after). It equals our symmetric padding when it yields the same output size and the
  /// same leading padding: then both read exactly the same input positions.
  static func choose(
    input: FeatureShape, kernel: Size2, stride: Size2, padding: Size2, dilation: Size2
  )
    -> TFLitePadding
  {
    if padding == Size2(0) { return .valid }
    func sameFits(_ inSize: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int) -> Bool {
      let sameOut = (inSize + s - 1) / s
      let total = max(
        (sameOut - 1) * s + ConvArithmetic.effectiveKernel(k, dilation: d) - inSize, 0)
      let ours = ConvArithmetic.outputSize(
        input: inSize, kernel: k, stride: s, padding: p, dilation: d)
      return ours == sameOut && total / 2 == p
    }
    if sameFits(input.height, kernel.height, stride.height, padding.height, dilation.height)
      && sameFits(input.width, kernel.width, stride.width, padding.width, dilation.width)
    {
      return .same
    }
    return .explicit(padding)
  }
}
