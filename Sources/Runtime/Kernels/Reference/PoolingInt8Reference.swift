/// TFLite's `PoolParams` for the int8 path: window, stride, padding (from
/// `computePaddingHeightWidth` with dilation 1) and the fused-activation clamp.
public struct PoolParams: Equatable, Sendable {
  public var padding: Padding
  public var paddingValues: PaddingValues
  public var strideHeight: Int
  public var strideWidth: Int
  public var filterHeight: Int
  public var filterWidth: Int
  public var quantizedActivationMin: Int32
  public var quantizedActivationMax: Int32

  public init(
    padding: Padding = .valid, paddingValues: PaddingValues = PaddingValues(),
    strideHeight: Int = 1, strideWidth: Int = 1, filterHeight: Int = 1, filterWidth: Int = 1,
    quantizedActivationMin: Int32 = Int32(Int8.min), quantizedActivationMax: Int32 = Int32(Int8.max)
  ) {
    self.padding = padding
    self.paddingValues = paddingValues
    self.strideHeight = strideHeight
    self.strideWidth = strideWidth
    self.filterHeight = filterHeight
    self.filterWidth = filterWidth
    self.quantizedActivationMin = quantizedActivationMin
    self.quantizedActivationMax = quantizedActivationMax
  }
}

/// TFLM's `PoolingPrepare` (micro/kernels/pooling_common.cc) for int8 MAX_POOL_2D and
/// AVERAGE_POOL_2D: padding from `computePaddingHeightWidth` (dilation 1) and the activation
/// clamp. Pooling never rescales, so TFLM requires the output's quantisation to be the
/// input's: scales within 1e-6 (the difference taken in Float) and equal zero points.
/// - inputShape, outputShape: NHWC. The output's height and width must be the ones the window
///   gives (TFLM computes them but loops over the file's; a converter never writes others).
public func preparePool2D(
  padding: Padding, strideHeight: Int, strideWidth: Int, filterHeight: Int, filterWidth: Int,
  activation: FusedActivation, inputShape: Shape4, outputShape: Shape4,
  inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32
) throws(KernelError) -> PoolParams {
  let window = try computePaddingHeightWidth(
    strideHeight: strideHeight, strideWidth: strideWidth, dilationHeight: 1, dilationWidth: 1,
    inHeight: inputShape.h, inWidth: inputShape.w, filterHeight: filterHeight,
    filterWidth: filterWidth, padding: padding)
  guard outputShape.n == inputShape.n, outputShape.c == inputShape.c,
    outputShape.h == window.outHeight, outputShape.w == window.outWidth
  else { throw .shapeMismatch }
  let scaleDiff = Double(abs(inputScale - outputScale))
  guard scaleDiff <= 1.0e-6, inputZeroPoint == outputZeroPoint else {
    throw .unsupportedQuantization
  }
  let range = try calculateActivationRangeQuantized(
    activation, outputScale: outputScale, outputZeroPoint: outputZeroPoint)
  return PoolParams(
    padding: padding, paddingValues: window.padding, strideHeight: strideHeight,
    strideWidth: strideWidth, filterHeight: filterHeight, filterWidth: filterWidth,
    quantizedActivationMin: range.min, quantizedActivationMax: range.max)
}

/// The part of the filter window that lies inside the image, TFLM's
/// `filter_{x,y}_{start,end}`: pooling ignores padded positions rather than reading zeros.
@inline(__always)
@inlinable package func clampedWindow(origin: Int, filterSize: Int, inputSize: Int) -> Range<Int> {
  let start = max(0, -origin)
  let end = min(filterSize, inputSize - origin)
  return start..<max(start, end)
}

/// Int8 MAX_POOL_2D, NHWC. Mirrors TFLM's `reference_integer_ops::MaxPool` (integer_ops/pooling.h).
public func maxPool2DInt8Reference(
  _ p: PoolParams, inputShape: Shape4, input: UnsafePointer<Int8>,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) {
  for batch in 0..<outputShape.n {
    for outY in 0..<outputShape.h {
      let inYOrigin = outY * p.strideHeight - p.paddingValues.height
      let rows = clampedWindow(
        origin: inYOrigin, filterSize: p.filterHeight, inputSize: inputShape.h)
      for outX in 0..<outputShape.w {
        let inXOrigin = outX * p.strideWidth - p.paddingValues.width
        let cols = clampedWindow(
          origin: inXOrigin, filterSize: p.filterWidth, inputSize: inputShape.w)
        for channel in 0..<outputShape.c {
          var maximum = Int32(Int8.min)
          for kY in rows {
            for kX in cols {
              let x = input[inputShape.offset(batch, inYOrigin + kY, inXOrigin + kX, channel)]
              maximum = max(maximum, Int32(x))
            }
          }
          maximum = min(max(maximum, p.quantizedActivationMin), p.quantizedActivationMax)
          output[outputShape.offset(batch, outY, outX, channel)] = Int8(truncatingIfNeeded: maximum)
        }
      }
    }
  }
}

/// Int8 AVERAGE_POOL_2D, NHWC. Mirrors TFLM's `reference_integer_ops::AveragePool`
/// (integer_ops/pooling.h): the sum over the in-image part of the window divided by the number
/// of in-image taps (padding does not count), rounded half away from zero:
/// `(sum ± count / 2) / count` with C's truncating division.
///
/// Returns false, like TFLM, when some window has no tap inside the image (TFLM's Eval then
/// fails); output elements after that point are left unwritten.
@discardableResult
public func averagePool2DInt8Reference(
  _ p: PoolParams, inputShape: Shape4, input: UnsafePointer<Int8>,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) -> Bool {
  for batch in 0..<outputShape.n {
    for outY in 0..<outputShape.h {
      let inYOrigin = outY * p.strideHeight - p.paddingValues.height
      let rows = clampedWindow(
        origin: inYOrigin, filterSize: p.filterHeight, inputSize: inputShape.h)
      for outX in 0..<outputShape.w {
        let inXOrigin = outX * p.strideWidth - p.paddingValues.width
        let cols = clampedWindow(
          origin: inXOrigin, filterSize: p.filterWidth, inputSize: inputShape.w)
        let count = Int32(truncatingIfNeeded: rows.count * cols.count)
        if count == 0 { return false }
        for channel in 0..<outputShape.c {
          var acc: Int32 = 0
          for kY in rows {
            for kX in cols {
              acc &+= Int32(
                input[inputShape.offset(batch, inYOrigin + kY, inXOrigin + kX, channel)])
            }
          }
          acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
          acc = min(max(acc, p.quantizedActivationMin), p.quantizedActivationMax)
          output[outputShape.offset(batch, outY, outX, channel)] = Int8(truncatingIfNeeded: acc)
        }
      }
    }
  }
  return true
}
