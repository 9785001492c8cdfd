// CONV_2D as a packed int8 GEMM (PackedGEMMInt8SIMD.swift), with the activations prepared one of
// two ways:
//
// - `.paddedImage`: the input image once as int16 with its zero border; each output pixel reads
//   its `kH` filter rows straight from it (one contiguous run each). Needs dilation 1 along x.
//   Costs `H * W * inC` conversions per image instead of `kH * kW * inC` per pixel: for a 3x3 or
//   5x5 filter it is 2-3x faster than im2col on the first layer of LeNet-5 and cnn-small
//   (1 input channel, where im2col's per-pixel work dominates) and a few per cent on the rest.
// - `.im2col`: blocks of 8 pixels copied into rows first; any dilation, and a bounded scratch
//   when the padded image would be large.

/// How `conv2DPerChannelInt8SIMD` prepares its activations.
public enum Conv2DSIMDMethod: Equatable, Sendable {
  /// Grouped convolution: the reference kernel.
  case reference
  case paddedImage(height: Int, width: Int)
  case im2col
}

/// Output pixels per im2col block: enough for two 4-pixel tiles, small enough that the rows stay
/// in L1 beside the packed weights.
let conv2DBlockPixels = 8

/// The padded image is used up to this size (bytes); past it, im2col's bounded scratch. A
/// microcontroller's RAM is the arena: there the padded image (twice the input, alive beside the
/// input and output) would outgrow TFLM's arena, so only small images take it. The portable set
/// (the Runtime module's compilation) keeps that limit on every machine, so the host sizes and
/// packs a firmware's plan as the chip does; the x86-64 sets take the padded image up to 1 MiB.
#if AVX2 || AVX512
  @usableFromInline let conv2DPaddedImageLimit = 1 << 20
#else
  @usableFromInline let conv2DPaddedImageLimit = microcontrollerPaddedImageLimit
#endif
@usableFromInline let microcontrollerPaddedImageLimit = 4096

/// The method `conv2DPerChannelInt8SIMD` uses for these shapes (`limit`: another compilation's,
/// `VectorKernels.paddedImageLimit`, to size its memory).
public func conv2DInt8SIMDMethod(
  _ p: ConvParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4,
  limit: Int = conv2DPaddedImageLimit
) -> Conv2DSIMDMethod {
  guard inputShape.c == filterShape.c else { return .reference }
  let height =
    (outputShape.h - 1) * p.strideHeight + (filterShape.h - 1) * p.dilationHeightFactor + 1
  let width = (outputShape.w - 1) * p.strideWidth + filterShape.w
  if p.dilationWidthFactor == 1 && 2 * height * width * inputShape.c <= limit {
    return .paddedImage(height: height, width: width)
  }
  return .im2col
}

/// The scratch `conv2DPerChannelInt8SIMD` needs for these shapes.
public func conv2DInt8SIMDScratchBytes(
  _ p: ConvParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4
) -> Int {
  conv2DInt8SIMDScratchBytes(
    conv2DInt8SIMDMethod(
      p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape),
    inputShape: inputShape, filterShape: filterShape)
}

func conv2DInt8SIMDScratchBytes(
  _ method: Conv2DSIMDMethod, inputShape: Shape4, filterShape: Shape4
) -> Int {
  switch method {
  case .reference: return 0
  case .paddedImage(let height, let width):
    return 2 * height * width * inputShape.c + activationRowSlack
  case .im2col:
    let rowBytes = 4 * filterShape.h * ((filterShape.w * filterShape.c + 1) / 2)
    return conv2DBlockPixels * rowBytes + activationRowSlack
  }
}

/// The bytes `packConv2DFilter` writes (this module's layout: with the vpdpbusd packing in the
/// AVX-512 VNNI one).
func packedConv2DFilterBytes(filterShape: Shape4) -> Int {
  let bytes = PackedInt8Weights.byteCount(
    channels: filterShape.n, segments: filterShape.h, segmentLength: filterShape.w * filterShape.c)
  #if AVX512 && canImport(X86DotProduct)
    // Plus the vpdpbusd packing, 16-aligned after it.
    return DotProductWeights.offset(afterBytes: bytes)
      + DotProductWeights.byteCount(
        channels: filterShape.n, segments: filterShape.h,
        segmentLength: filterShape.w * filterShape.c)
  #else
    return bytes
  #endif
}

/// The packing `packConv2DFilter` wrote at `memory` (perhaps on another machine: the host packs a
/// firmware's filters into its flash).
func packedConv2DFilter(at memory: UnsafeRawPointer, filterShape: Shape4)
  -> PackedInt8Weights
{
  PackedInt8Weights(
    packedAt: memory, channels: filterShape.n, segments: filterShape.h,
    segmentLength: filterShape.w * filterShape.c)
}

/// The CONV_2D filter of `filterShape` (OHWI) packed for `conv2DPerChannelInt8SIMD`: one run per
/// filter row, in this module's layout (the AVX-512 VNNI one adds the `vpdpbusd` packing).
func packConv2DFilter(
  filterShape: Shape4, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
  outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  into memory: UnsafeMutableRawPointer
) -> PackedInt8Weights {
  let segmentLength = filterShape.w * filterShape.c
  let packed = PackedInt8Weights(
    packing: filter, channels: filterShape.n, segments: filterShape.h,
    segmentLength: segmentLength, bias: bias, multiplier: outputMultiplier,
    shift: outputShift, perChannel: true, into: memory)
  #if AVX512 && canImport(X86DotProduct)
    let bytes = PackedInt8Weights.byteCount(
      channels: filterShape.n, segments: filterShape.h, segmentLength: segmentLength)
    _ = DotProductWeights(
      packing: filter, channels: filterShape.n, segments: filterShape.h,
      segmentLength: segmentLength, bias: bias, multiplier: outputMultiplier,
      shift: outputShift, into: memory + DotProductWeights.offset(afterBytes: bytes))
  #endif
  return packed
}

/// Int8 convolution, NHWC, per-channel weights: the same bytes as `conv2DPerChannelInt8Reference`,
/// whose parameters it takes, plus the filter packed at prepare time (`packed`, from
/// `packConv2DFilter` on the same filter, bias and multipliers) and `scratch` of
/// `conv2DInt8SIMDScratchBytes`. Grouped convolution, or a call without `packed` or `scratch`,
/// runs the reference.
func conv2DPerChannelInt8SIMD(
  _ p: ConvParams, outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>,
  packed: PackedInt8Weights?, scratch: UnsafeMutableRawPointer?
) {
  conv2DPerChannelInt8SIMD(
    p, outputMultiplier: outputMultiplier, outputShift: outputShift, inputShape: inputShape,
    input: input, filterShape: filterShape, filter: filter, bias: bias,
    outputShape: outputShape, output: output, packed: packed, scratch: scratch,
    method: conv2DInt8SIMDMethod(
      p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape))
}

/// `conv2DPerChannelInt8SIMD` with the method chosen by the caller (the tests run both).
func conv2DPerChannelInt8SIMD(
  _ p: ConvParams, outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>,
  packed: PackedInt8Weights?, scratch: UnsafeMutableRawPointer?, method: Conv2DSIMDMethod
) {
  guard let packed, let scratch, method != .reference else {
    return conv2DPerChannelInt8Reference(
      p, outputMultiplier: outputMultiplier, outputShift: outputShift, inputShape: inputShape,
      input: input, filterShape: filterShape, filter: filter, bias: bias,
      outputShape: outputShape, output: output)
  }
  #if AVX512 && canImport(X86DotProduct)
    if dotProductSupports(inputOffset: p.inputOffset) {
      return conv2DDotProduct(
        p, inputShape: inputShape, input: input, filterShape: filterShape,
        outputShape: outputShape, output: output, dot: DotProductWeights(after: packed),
        scratch: scratch, method: method)
    }
  #endif
  let range = LaneOutputRange(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax)
  let channels = outputShape.c
  let plane = outputShape.h * outputShape.w
  switch method {
  case .reference: break
  case .paddedImage(let height, let width):
    for batch in 0..<outputShape.n {
      paddedInt16Image(
        inputShape: inputShape, input: input, batch: batch, inputOffset: p.inputOffset,
        padTop: p.paddingValues.height, padLeft: p.paddingValues.width, height: height,
        width: width, image: scratch)
      var rows = PaddedImageRows(
        image: UnsafeRawPointer(scratch), p, width: width, channels: inputShape.c,
        outputWidth: outputShape.w)
      gemmInt8SIMD(
        &rows, pixels: plane, packed: packed, range: range,
        output: output + batch * plane * channels, outputStride: channels)
    }
  case .im2col:
    let pixels = outputShape.n * plane
    var first = 0
    while first < pixels {
      let count = min(conv2DBlockPixels, pixels - first)
      im2colInt16(
        p, inputShape: inputShape, input: input, filterShape: filterShape,
        outputShape: outputShape, first: first, count: count, rows: scratch)
      var rows = ContiguousActivationRows(UnsafeRawPointer(scratch), for: packed)
      gemmInt8SIMD(
        &rows, pixels: count, packed: packed, range: range,
        output: output + first * channels, outputStride: channels)
      first += count
    }
  }
}

/// Output pixels of one image in order, each at the top-left tap of its window in the padded
/// image; its filter rows are `dilationHeight` image rows apart.
struct PaddedImageRows: ActivationRows {
  private var rowStart: UnsafeRawPointer
  private var current: UnsafeRawPointer
  private var outX = 0
  private let outputWidth: Int
  private let pixelStep: Int  // bytes between horizontally adjacent output pixels
  private let rowStep: Int  // bytes between output rows
  let segmentStride: Int

  /// `valueBytes`: 2 for the int16 image, 1 for the u8 one of the VNNI path.
  init(
    image: UnsafeRawPointer, _ p: ConvParams, width: Int, channels: Int, outputWidth: Int,
    valueBytes: Int = 2
  ) {
    let rowBytes = valueBytes * width * channels
    rowStart = image
    current = image
    self.outputWidth = outputWidth
    pixelStep = valueBytes * p.strideWidth * channels
    rowStep = p.strideHeight * rowBytes
    segmentStride = p.dilationHeightFactor * rowBytes
  }

  @inline(__always)
  mutating func next() -> UnsafeRawPointer {
    let pixel = current
    outX += 1
    if outX == outputWidth {
      outX = 0
      rowStart += rowStep
      current = rowStart
    } else {
      current += pixelStep
    }
    return pixel
  }
}
