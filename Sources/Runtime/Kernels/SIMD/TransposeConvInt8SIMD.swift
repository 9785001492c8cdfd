/// Int8 TRANSPOSE_CONV on vectors: the same bytes as `transposeConvPerChannelInt8Reference` (same
/// arguments).
///
/// Why it is exact: the reference scatters every input value into the output positions its taps
/// reach and sums in wrapping int32; this kernel gathers, per output pixel, the same products
/// (the input pixels and taps that land on it) and sums them in another order. Wrapping int32
/// addition is addition modulo 2^32, which is associative and commutative, so every order gives
/// the same accumulator, and from there bias, requantisation, zero point and clamp are the
/// reference's lane by lane. The products themselves are exact in int16 lanes:
/// |x + inputOffset| <= 255 and |w| <= 128, so |product| <= 32,640, and a pair of them summed
/// into one int32 lane (`pmaddwd`) cannot saturate.
///
/// How: the output pixel (outY, outX) receives tap (kY, kX) of input pixel (inY, inX) when
/// `outY = inY * strideH - padH + kY` (the same for x), so for a given output row only the kY
/// congruent to `outY + padH` modulo the stride contribute, each from one input row. For each
/// such tap the input pixel's channels (contiguous, NHWC) meet the filter's `[outC][kY][kX][inC]`
/// row for four output channels at a time, 16 input channels per step, in int32 lanes; one
/// horizontal sum per output value at the end. The gather needs no output-sized accumulators, so
/// `scratch` holds only one pixel's `outC` sums.
public func transposeConvPerChannelInt8SIMD(
  _ p: ConvParams, outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>,
  scratch: UnsafeMutablePointer<Int32>
) {
  let taps = TransposeConvTaps(p, inputShape: inputShape, filterShape: filterShape)
  let sums = scratch  // [outC]: one output pixel's accumulators
  let range = LaneOutputRange(
    offset: p.outputOffset, minimum: p.quantizedActivationMin, maximum: p.quantizedActivationMax)
  let (strideY, strideX) = (p.strideHeight, p.strideWidth)
  for batch in 0..<outputShape.n {
    var row = TransposeConvPosition(out: 0, padding: p.paddingValues.height, stride: strideY)
    for outY in 0..<outputShape.h {
      let rows = TransposeConvWindow(
        row, stride: strideY, filterSize: filterShape.h, inputSize: inputShape.h)
      var column = TransposeConvPosition(out: 0, padding: p.paddingValues.width, stride: strideX)
      for outX in 0..<outputShape.w {
        let columns = TransposeConvWindow(
          column, stride: strideX, filterSize: filterShape.w, inputSize: inputShape.w)
        sums.update(repeating: 0, count: outputShape.c)
        var (kY, inY) = (rows.firstTap, rows.firstInput)
        while kY < rows.endTap {
          var (kX, inX) = (columns.firstTap, columns.firstInput)
          while kX < columns.endTap {
            taps.accumulate(
              pixel: input + inputShape.offset(batch, inY, inX, 0), kY: kY, kX: kX,
              filter: filter, into: sums)
            kX += strideX
            inX -= 1
          }
          kY += strideY
          inY -= 1
        }
        requantizePixel(
          sums, channels: outputShape.c, bias: bias, multiplier: outputMultiplier,
          shift: outputShift, range: range,
          into: output + outputShape.offset(batch, outY, outX, 0))
        column.advance(stride: strideX)
      }
      row.advance(stride: strideY)
    }
  }
}

/// `out + padding` as `quotient * stride + remainder`, kept from one output position to the
/// next without a division (the windows need both, and the input position of each tap follows
/// from them by subtraction).
struct TransposeConvPosition {
  var quotient: Int
  var remainder: Int

  init(out: Int, padding: Int, stride: Int) {
    quotient = (out + padding) / stride  // padding values are never negative
    remainder = (out + padding) % stride
  }

  /// The next output position's.
  @inline(__always)
  mutating func advance(stride: Int) {
    remainder += 1
    if remainder == stride {
      remainder = 0
      quotient += 1
    }
  }
}

/// The taps of a transposed convolution that reach one output row or column: `firstTap`,
/// `firstTap + stride`, ... below `endTap`, from input positions `firstInput`, `firstInput - 1`,
/// ...: exactly the taps by which the reference's scatter reaches that output position.
struct TransposeConvWindow {
  var firstTap: Int
  var endTap: Int
  var firstInput: Int

  /// Tap `remainder + j * stride` comes from input position `quotient - j`: inside the filter
  /// below `filterSize`, inside the input for `quotient - inputSize < j <= quotient`.
  @inline(__always)
  init(_ position: TransposeConvPosition, stride: Int, filterSize: Int, inputSize: Int) {
    let skipped = position.quotient >= inputSize ? position.quotient - inputSize + 1 : 0
    firstTap = position.remainder + skipped * stride
    firstInput = position.quotient - skipped
    let origin = position.quotient * stride + position.remainder  // the last tap is origin
    let end = origin + 1 < filterSize ? origin + 1 : filterSize
    endTap = firstTap < end ? end : firstTap
  }
}

/// The shapes and offsets `transposeConvPerChannelInt8SIMD` needs for each tap.
struct TransposeConvTaps {
  var inputOffset: Int32
  var inChannels: Int
  var outChannels: Int
  /// Filter elements per output channel, kH * kW * inC.
  var channelStride: Int
  var filterWidth: Int

  init(_ p: ConvParams, inputShape: Shape4, filterShape: Shape4) {
    inputOffset = p.inputOffset
    inChannels = inputShape.c
    outChannels = filterShape.n
    channelStride = filterShape.h * filterShape.w * filterShape.c
    filterWidth = filterShape.w
  }

  /// `sums[o] += Σ_c (pixel[c] + inputOffset) * filter[o][kY][kX][c]` for every output channel o.
  @inline(__always)
  func accumulate(
    pixel: UnsafePointer<Int8>, kY: Int, kX: Int, filter: UnsafePointer<Int8>,
    into sums: UnsafeMutablePointer<Int32>
  ) {
    let tap = filter + (kY * filterWidth + kX) * inChannels
    var o = 0
    while o + 4 <= outChannels {
      let w = tap + o * channelStride
      let s = dot4(
        pixel, w, w + channelStride, w + 2 * channelStride, w + 3 * channelStride)
      sums[o] &+= s.0
      sums[o + 1] &+= s.1
      sums[o + 2] &+= s.2
      sums[o + 3] &+= s.3
      o += 4
    }
    while o < outChannels {
      sums[o] &+= dot1(pixel, tap + o * channelStride)
      o += 1
    }
  }

  /// The input pixel's channels, offset, against four filter rows: 16 channels per step as
  /// `pmaddwd` pairs, then 8, then one at a time (never a load past `inChannels`).
  @inline(__always)
  func dot4(
    _ x: UnsafePointer<Int8>, _ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>,
    _ w2: UnsafePointer<Int8>, _ w3: UnsafePointer<Int8>
  ) -> (Int32, Int32, Int32, Int32) {
    let offset16 = SIMD16<Int32>(repeating: inputOffset)
    var a0 = Lanes()
    var a1 = Lanes()
    var a2 = Lanes()
    var a3 = Lanes()
    var c = 0
    while c + 16 <= inChannels {
      let v = loadWidened16(x + c) &+ offset16
      a0 &+= multiplyAddPairs(v, loadWidened16(w0 + c))
      a1 &+= multiplyAddPairs(v, loadWidened16(w1 + c))
      a2 &+= multiplyAddPairs(v, loadWidened16(w2 + c))
      a3 &+= multiplyAddPairs(v, loadWidened16(w3 + c))
      c += 16
    }
    if c + 8 <= inChannels {
      let v = loadWidened8(x + c) &+ Lanes(repeating: inputOffset)
      a0 &+= v &* loadWidened8(w0 + c)
      a1 &+= v &* loadWidened8(w1 + c)
      a2 &+= v &* loadWidened8(w2 + c)
      a3 &+= v &* loadWidened8(w3 + c)
      c += 8
    }
    var s = (a0.wrappedSum(), a1.wrappedSum(), a2.wrappedSum(), a3.wrappedSum())
    while c < inChannels {
      let v = Int32(x[c]) &+ inputOffset
      s.0 &+= v &* Int32(w0[c])
      s.1 &+= v &* Int32(w1[c])
      s.2 &+= v &* Int32(w2[c])
      s.3 &+= v &* Int32(w3[c])
      c += 1
    }
    return s
  }

  /// `dot4` for one filter row (the output channels past the last multiple of four).
  @inline(__always)
  func dot1(_ x: UnsafePointer<Int8>, _ w: UnsafePointer<Int8>) -> Int32 {
    let offset16 = SIMD16<Int32>(repeating: inputOffset)
    var a = Lanes()
    var c = 0
    while c + 16 <= inChannels {
      a &+= multiplyAddPairs(loadWidened16(x + c) &+ offset16, loadWidened16(w + c))
      c += 16
    }
    var s = a.wrappedSum()
    while c < inChannels {
      s &+= (Int32(x[c]) &+ inputOffset) &* Int32(w[c])
      c += 1
    }
    return s
  }
}

/// One output pixel: its `channels` sums plus the bias, requantised per channel, offset, clamped
/// and narrowed, eight channels per step.
@inline(__always)
private func requantizePixel(
  _ sums: UnsafeMutablePointer<Int32>, channels: Int, bias: UnsafePointer<Int32>?,
  multiplier: UnsafePointer<Int32>, shift: UnsafePointer<Int32>, range: LaneOutputRange,
  into output: UnsafeMutablePointer<Int8>
) {
  var c = 0
  while c < channels {
    let count = channels - c < 8 ? channels - c : 8
    var acc = loadLanes(UnsafePointer(sums + c), count: count)
    if let bias { acc &+= loadLanes(bias + c, count: count) }
    let requantization = LaneRequantization(
      channels: c, count: count, multiplier: multiplier, shift: shift)
    store(range.narrow(requantization.apply(acc)), to: output + c, count: count)
    c += 8
  }
}
