/// The problem the optimized DEPTHWISE_CONV_2D runs: the operator's own, or its transpose when
/// the map is one pixel wide.
///
/// A 1-D net along time (keyword spotting, wake words) stores its maps as Hx1 with kx1 filters.
/// In NHWC an Hx1 map is the same bytes as a 1xH one, and a kx1 filter the same as a 1xk one, so
/// the kernel may run it with height and width exchanged (strides, dilations and padding with
/// them). It walks an output row in 64-byte segments after copying that row's input rows, so as
/// Hx1 it would run H rows of one pixel, each paying the row's set-up for a few dozen bytes of
/// work; as 1xH it runs one row of H pixels.
struct DepthwiseGeometry {
  var params: DepthwiseParams
  var inputShape: Shape4
  var filterShape: Shape4
  var outputShape: Shape4

  init(_ p: DepthwiseParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4) {
    (params, self.inputShape, self.filterShape, self.outputShape) = (
      p, inputShape, filterShape, outputShape
    )
    guard inputShape.w == 1, filterShape.w == 1, outputShape.w == 1, outputShape.h > 1 else {
      return
    }
    params.strideWidth = p.strideHeight
    params.strideHeight = p.strideWidth
    params.dilationWidthFactor = p.dilationHeightFactor
    params.dilationHeightFactor = p.dilationWidthFactor
    params.paddingValues = PaddingValues(
      width: p.paddingValues.height, height: p.paddingValues.width,
      widthOffset: p.paddingValues.heightOffset, heightOffset: p.paddingValues.widthOffset)
    self.inputShape = inputShape.rowForColumn
    self.filterShape = filterShape.rowForColumn
    self.outputShape = outputShape.rowForColumn
  }
}

extension Shape4 {
  /// An Hx1 shape as 1xH (the same bytes in NHWC).
  fileprivate var rowForColumn: Shape4 { Shape4(n: n, h: w, w: h, c: c) }
}
