/// The .tflite `Padding` enum (schema values: SAME = 0, VALID = 1).
public enum Padding: UInt8, Sendable {
  case same = 0
  case valid = 1
}

/// TFLite's `TfLitePaddingValues`: padding before the first row/column. The `...Offset` fields
/// hold the odd extra row/column SAME puts after the image; the int8 kernels never read them
/// (they skip every tap outside the image), but they are kept for the SIMD kernels' bounds.
public struct PaddingValues: Equatable, Sendable {
  public var width: Int
  public var height: Int
  public var widthOffset: Int
  public var heightOffset: Int

  public init(width: Int = 0, height: Int = 0, widthOffset: Int = 0, heightOffset: Int = 0) {
    self.width = width
    self.height = height
    self.widthOffset = widthOffset
    self.heightOffset = heightOffset
  }
}

/// TFLite's `ComputeOutSize`: output length of a window op along one axis.
/// SAME: `ceil(in / stride)`; VALID: `floor((in - effectiveFilter) / stride) + 1`, where
/// `effectiveFilter = (filter - 1) * dilation + 1`.
public func computeOutSize(
  _ padding: Padding, imageSize: Int, filterSize: Int, stride: Int, dilation: Int = 1
) throws(KernelError) -> Int {
  guard imageSize >= 0, filterSize > 0, stride > 0, dilation > 0 else {
    throw .invalidWindow
  }
  let effectiveFilter = (filterSize - 1) * dilation + 1
  let out: Int
  switch padding {
  case .same: out = (imageSize + stride - 1) / stride
  case .valid: out = (imageSize + stride - effectiveFilter) / stride
  }
  guard out >= 0 else { throw .invalidWindow }
  return out
}

/// TFLite's `ComputePaddingWithOffset`: total padding `(out - 1) * stride + effectiveFilter - in`
/// (never negative), split as `total / 2` before and the odd remainder (the offset) after.
public func computePaddingWithOffset(
  stride: Int, dilation: Int, inSize: Int, filterSize: Int, outSize: Int
) -> (padding: Int, offset: Int) {
  let effectiveFilter = (filterSize - 1) * dilation + 1
  let total = max((outSize - 1) * stride + effectiveFilter - inSize, 0)
  return (total / 2, total % 2)
}

/// TFLite's `ComputePaddingHeightWidth` (padding.h), as TFLM's CONV_2D, DEPTHWISE_CONV_2D and
/// pooling Prepare call it: the output height and width and the padding before the first
/// row/column. Pooling passes dilation 1.
public func computePaddingHeightWidth(
  strideHeight: Int, strideWidth: Int, dilationHeight: Int, dilationWidth: Int,
  inHeight: Int, inWidth: Int, filterHeight: Int, filterWidth: Int, padding: Padding
) throws(KernelError) -> (padding: PaddingValues, outHeight: Int, outWidth: Int) {
  let outWidth = try computeOutSize(
    padding, imageSize: inWidth, filterSize: filterWidth, stride: strideWidth,
    dilation: dilationWidth)
  let outHeight = try computeOutSize(
    padding, imageSize: inHeight, filterSize: filterHeight, stride: strideHeight,
    dilation: dilationHeight)
  let y = computePaddingWithOffset(
    stride: strideHeight, dilation: dilationHeight, inSize: inHeight, filterSize: filterHeight,
    outSize: outHeight)
  let x = computePaddingWithOffset(
    stride: strideWidth, dilation: dilationWidth, inSize: inWidth, filterSize: filterWidth,
    outSize: outWidth)
  let values = PaddingValues(
    width: x.padding, height: y.padding, widthOffset: x.offset, heightOffset: y.offset)
  return (values, outHeight, outWidth)
}
