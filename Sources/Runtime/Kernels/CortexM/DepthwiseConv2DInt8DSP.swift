// DEPTHWISE_CONV_2D for the DSP kernel set (depth multiplier 1, channels a multiple of 4): four
// channels at a time, one input word per tap widened by two SXTAB16 (channels 0 and 2, 1 and 3,
// the input offset added) against weights widened at prepare time in the same order, each
// product one SMLABB or SMLATT (CMSIS-NN's arm_depthwise_conv_3x3_s8 does the same), taps
// outside the image skipped (they add nothing: the reference skips them too).

/// Whether `depthwiseConv2DInt8DSP` runs these shapes.
public func depthwiseConv2DInt8DSPSupports(_ p: DepthwiseParams, filterShape: Shape4) -> Bool {
  p.depthMultiplier == 1 && filterShape.c % 4 == 0 && filterShape.c > 0
}

/// The prepared depthwise weights: per channel a `DSPChannelRecord`, then per group of four
/// channels and per tap two words, (w[c0], w[c2]) and (w[c1], w[c3]).
public struct DSPDepthwiseWeights {
  public let channels: Int
  public let taps: Int
  public let folded: Bool
  let records: UnsafePointer<Int32>
  let weights: UnsafePointer<Int32>

  /// The bytes `init(packing:...)` writes: a header word (1: `folded`), the records, the
  /// weights.
  public static func byteCount(filterShape: Shape4) -> Int {
    4 * (1 + filterShape.c * (DSPChannelRecord.words + filterShape.h * filterShape.w / 2 + 1))
  }

  /// The weights `init(packing:...)` wrote at `memory` for `filterShape` (the host's packing,
  /// read in place).
  public init(at memory: UnsafeRawPointer, filterShape: Shape4) {
    channels = filterShape.c
    taps = filterShape.h * filterShape.w
    let ints = memory.assumingMemoryBound(to: Int32.self)
    folded = ints[0] != 0
    records = ints + 1
    weights = ints + 1 + channels * DSPChannelRecord.words
  }

  /// Packs the `[1, kH, kW, channels]` filter, bias (nil: zeros) and per-channel
  /// requantisation into `memory` (4-aligned, `byteCount` bytes).
  public init(
    packing filter: UnsafePointer<Int8>, filterShape: Shape4, bias: UnsafePointer<Int32>?,
    multiplier: UnsafePointer<Int32>, shift: UnsafePointer<Int32>,
    into memory: UnsafeMutableRawPointer
  ) {
    let channels = filterShape.c
    let taps = filterShape.h * filterShape.w
    let ints = memory.bindMemory(
      to: Int32.self, capacity: 1 + channels * DSPChannelRecord.words + channels / 2 * taps)
    var folded = true
    for c in 0..<channels {
      folded = folded && DSPChannelRecord.folds(multiplier: multiplier[c], shift: shift[c])
      DSPChannelRecord.write(
        bias: bias?[c] ?? 0, multiplier: multiplier[c], shift: shift[c],
        to: ints + 1 + DSPChannelRecord.words * c)
    }
    ints[0] = folded ? 1 : 0
    let words = ints + 1 + channels * DSPChannelRecord.words
    for g in 0..<channels / 4 {
      for t in 0..<taps {
        let w = filter + t * channels + 4 * g
        words[2 * (g * taps + t)] = int16Pair(Int32(w[0]), Int32(w[2]))
        words[2 * (g * taps + t) + 1] = int16Pair(Int32(w[1]), Int32(w[3]))
      }
    }
    self.init(at: UnsafeRawPointer(memory), filterShape: filterShape)
  }
}

/// Int8 depthwise convolution: the bytes of `depthwiseConv2DPerChannelInt8Reference` for a
/// depth multiplier of 1 and channels a multiple of 4, the weights prepared by
/// `DSPDepthwiseWeights`.
public func depthwiseConv2DInt8DSP(
  _ p: DepthwiseParams, inputShape: Shape4, input: UnsafePointer<Int8>, filterShape: Shape4,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>, packed: DSPDepthwiseWeights
) {
  let stage = DSPOutputStage(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax, folded: packed.folded)
  let offsets = int16Pair(p.inputOffset, p.inputOffset)
  let channels = outputShape.c
  let groups = channels / 4
  let rowStride = inputShape.w &* channels
  var out = output
  for batch in 0..<outputShape.n {
    let image = input + batch &* inputShape.h &* rowStride
    for outY in 0..<outputShape.h {
      let inYOrigin = outY &* p.strideHeight &- p.paddingValues.height
      // The filter rows inside the image (dilation: every dilationHeight-th input row).
      let kYFirst = firstInsideTap(inYOrigin, p.dilationHeightFactor)
      let kYEnd = endInsideTap(inYOrigin, p.dilationHeightFactor, inputShape.h, filterShape.h)
      for outX in 0..<outputShape.w {
        let inXOrigin = outX &* p.strideWidth &- p.paddingValues.width
        let kXFirst = firstInsideTap(inXOrigin, p.dilationWidthFactor)
        let kXEnd = endInsideTap(inXOrigin, p.dilationWidthFactor, inputShape.w, filterShape.w)
        let window = DepthwiseWindow(
          first: image + (inYOrigin &+ kYFirst &* p.dilationHeightFactor) &* rowStride
            + (inXOrigin &+ kXFirst &* p.dilationWidthFactor) &* channels,
          rows: kYEnd &- kYFirst, columns: kXEnd &- kXFirst,
          rowStep: p.dilationHeightFactor &* rowStride,
          columnStep: p.dilationWidthFactor &* channels,
          firstTap: kYFirst &* filterShape.w &+ kXFirst, tapRowStep: filterShape.w)
        for g in 0..<groups {
          let acc = window.accumulate(
            group: g, weights: packed.weights + 2 &* g &* packed.taps, offsets: offsets)
          let records = packed.records + 4 &* g &* DSPChannelRecord.words
          let o = out + 4 &* g
          if stage.folded {
            let words = DSPChannelRecord.words
            o[0] = stage.narrow(DSPFoldedChannel(records).requantize(acc.0))
            o[1] = stage.narrow(DSPFoldedChannel(records + words).requantize(acc.1))
            o[2] = stage.narrow(DSPFoldedChannel(records + 2 &* words).requantize(acc.2))
            o[3] = stage.narrow(DSPFoldedChannel(records + 3 &* words).requantize(acc.3))
          } else {
            o[0] = stage.apply(acc.0, records)
            o[1] = stage.apply(acc.1, records + DSPChannelRecord.words)
            o[2] = stage.apply(acc.2, records + 2 &* DSPChannelRecord.words)
            o[3] = stage.apply(acc.3, records + 3 &* DSPChannelRecord.words)
          }
        }
        out += channels
      }
    }
  }
}

/// The first filter tap whose input coordinate `origin + k * dilation` is not negative.
@inline(__always)
private func firstInsideTap(_ origin: Int, _ dilation: Int) -> Int {
  origin >= 0 ? 0 : (-origin + dilation &- 1) / dilation
}

/// One past the last filter tap whose input coordinate is below `size`.
@inline(__always)
private func endInsideTap(_ origin: Int, _ dilation: Int, _ size: Int, _ taps: Int) -> Int {
  let end = origin >= size ? 0 : (size &- origin &+ dilation &- 1) / dilation
  return end < taps ? end : taps
}

/// One output pixel's taps inside the image: `rows` x `columns` input pixels from `first`.
struct DepthwiseWindow {
  let first: UnsafePointer<Int8>
  let rows: Int
  let columns: Int
  let rowStep: Int
  let columnStep: Int
  let firstTap: Int
  let tapRowStep: Int

  /// The four accumulators of channel group `g` (channels 4g ... 4g + 3).
  @inline(__always)
  func accumulate(group g: Int, weights: UnsafePointer<Int32>, offsets: Int32)
    -> (Int32, Int32, Int32, Int32)
  {
    var a = (Int32(0), Int32(0), Int32(0), Int32(0))
    var row = UnsafeRawPointer(first + 4 &* g)
    var tapRow = weights + 2 &* firstTap
    if columns == 3 {
      // A 3-wide window (every interior pixel of a 3x3 filter): the row's taps unrolled.
      let step = columnStep
      for _ in 0..<rows {
        accumulateTap(&a, row.loadUnaligned(as: UInt32.self), tapRow, offsets)
        accumulateTap(&a, (row + step).loadUnaligned(as: UInt32.self), tapRow + 2, offsets)
        accumulateTap(&a, (row + 2 &* step).loadUnaligned(as: UInt32.self), tapRow + 4, offsets)
        row += rowStep
        tapRow += 2 &* tapRowStep
      }
      return a
    }
    for _ in 0..<rows {
      var x = row
      var w = tapRow
      for _ in 0..<columns {
        accumulateTap(&a, x.loadUnaligned(as: UInt32.self), w, offsets)
        x += columnStep
        w += 2
      }
      row += rowStep
      tapRow += 2 &* tapRowStep
    }
    return a
  }
}

/// One tap of four channels: the input word widened (channels 0 and 2, 1 and 3), each half
/// times its weight.
@inline(__always)
private func accumulateTap(
  _ a: inout (Int32, Int32, Int32, Int32), _ four: UInt32, _ w: UnsafePointer<Int32>,
  _ offsets: Int32
) {
  let even = sxtab16(offsets, four)
  let odd = sxtab16Odd(offsets, four)
  a.0 = smlabb(even, w[0], a.0)
  a.2 = smlatt(even, w[0], a.2)
  a.1 = smlabb(odd, w[1], a.1)
  a.3 = smlatt(odd, w[1], a.3)
}
