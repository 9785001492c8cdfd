// CONV_2D for the DSP kernel set: blocks of 4 output pixels, each block's 4 im2col columns
// widened to int16 pairs (`ConvWindow` below) and interleaved pair by pair, then every pair of
// output channels against them in the 2x4 multiply-accumulate loop (DSPMicroKernels.swift), as
// CMSIS-NN's arm_convolve_s8 does with 2 columns; 4 columns let each weight word serve 4
// pixels. Any kernel size, stride, dilation and padding; grouped convolution stays the
// reference kernel's.

/// Whether `conv2DPerChannelInt8DSP` runs these shapes (not a grouped convolution).
public func conv2DInt8DSPSupports(inputShape: Shape4, filterShape: Shape4) -> Bool {
  inputShape.c == filterShape.c
}

/// Whether the columns are widened four bytes at a time (quad order): every filter tap's
/// channels are whole words, or 3 channels (an RGB image: the tap padded to one word, 33 %
/// more multiply-adds but a third of the widening work).
public func conv2DInt8DSPQuadOrder(filterShape: Shape4) -> Bool {
  filterShape.c % 4 == 0 || filterShape.c == 3
}

/// The values of one filter tap in the packed depth: its channels, padded to whole words in
/// quad order.
public func conv2DInt8DSPTapLength(filterShape: Shape4) -> Int {
  conv2DInt8DSPQuadOrder(filterShape: filterShape) ? (filterShape.c + 3) / 4 * 4 : filterShape.c
}

/// The scratch `conv2DPerChannelInt8DSP` needs: four columns and eight accumulators.
public func conv2DInt8DSPScratchBytes(filterShape: Shape4) -> Int {
  let depth = filterShape.h * filterShape.w * conv2DInt8DSPTapLength(filterShape: filterShape)
  return 4 * (4 * DSPPackedWeights.pairs(depth: depth) + 8)
}

/// The bytes `packConv2DFilterDSP` writes.
public func packedConv2DFilterDSPBytes(filterShape: Shape4) -> Int {
  DSPPackedWeights.byteCount(
    channels: filterShape.n, tileChannels: 2,
    depth: filterShape.h * filterShape.w * conv2DInt8DSPTapLength(filterShape: filterShape))
}

/// The CONV_2D filter (OHWI) packed for `conv2DPerChannelInt8DSP`.
public func packConv2DFilterDSP(
  filterShape: Shape4, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
  outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  into memory: UnsafeMutableRawPointer
) -> DSPPackedWeights {
  DSPPackedWeights(
    packing: filter, channels: filterShape.n, segments: filterShape.h * filterShape.w,
    segmentLength: filterShape.c,
    paddedLength: conv2DInt8DSPTapLength(filterShape: filterShape), tileChannels: 2,
    quadOrder: conv2DInt8DSPQuadOrder(filterShape: filterShape), bias: bias,
    multiplier: outputMultiplier, shift: outputShift, perChannel: true, into: memory)
}

/// The filter `packConv2DFilterDSP` packed at `memory` (the host's packing, read in place).
public func packedConv2DFilterDSP(at memory: UnsafeRawPointer, filterShape: Shape4)
  -> DSPPackedWeights
{
  DSPPackedWeights(
    at: memory, channels: filterShape.n,
    depth: filterShape.h * filterShape.w * conv2DInt8DSPTapLength(filterShape: filterShape),
    tileChannels: 2, quadOrder: conv2DInt8DSPQuadOrder(filterShape: filterShape))
}

/// Int8 convolution, NHWC, per-channel weights: the bytes of `conv2DPerChannelInt8Reference`
/// with the same parameters, the filter packed by `packConv2DFilterDSP`, and `scratch` of
/// `conv2DInt8DSPScratchBytes` (4-aligned). Not for grouped convolution.
public func conv2DPerChannelInt8DSP(
  _ p: ConvParams, inputShape: Shape4, input: UnsafePointer<Int8>, filterShape: Shape4,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>, packed: DSPPackedWeights,
  scratch: UnsafeMutableRawPointer
) {
  let pairs = packed.pairs
  let columns = scratch.bindMemory(to: Int32.self, capacity: 4 * pairs + 8)
  let acc = columns + 4 * pairs
  let stage = DSPOutputStage(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax, folded: packed.folded)
  let window = ConvWindow(
    p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape)
  let channels = outputShape.c
  let pixels = outputShape.n * outputShape.h * outputShape.w
  var first = 0
  while first < pixels {
    let count = pixels &- first < 4 ? pixels &- first : 4
    for column in 0..<4 {
      let words = columns + column
      if column >= count {
        zeroColumn(words, pairs: pairs)
      } else if packed.quadOrder {
        window.writeQuads(words, input: input, pixel: first &+ column, pairs: pairs)
      } else {
        window.writeValues(words, input: input, pixel: first &+ column, pairs: pairs)
      }
    }
    let out = output + first &* channels
    for t in 0..<packed.tiles {
      dspMAC2x4(weights: packed.tile(t), columns: columns, pairs: pairs, acc: acc)
      let c = 2 &* t
      let lanes = channels &- c < 2 ? 1 : 2
      if stage.folded && lanes == 2 && count == 4 {
        finishWholeTileFolded(acc, packed.record(c), stage, out + c, channels)
      } else if stage.folded {
        finishTileFolded(
          acc, packed.record(c), lanes: lanes, count: count, stage, out + c, channels)
      } else {
        finishTile(acc, packed.record(c), lanes: lanes, count: count, stage, out + c, channels)
      }
    }
    first &+= 4
  }
}

/// Requantises and stores `lanes` channels x `count` pixels of a 2x4 tile (`acc[4 * lane + q]`,
/// channel records consecutive) at `out[q * channels + lane]`.
@inline(never)
func finishTileFolded(
  _ acc: UnsafePointer<Int32>, _ records: UnsafePointer<Int32>, lanes: Int, count: Int,
  _ stage: DSPOutputStage, _ out: UnsafeMutablePointer<Int8>, _ channels: Int
) {
  let offset = stage.offset
  let minimum = stage.minimum
  let maximum = stage.maximum
  for lane in 0..<lanes {
    let channel = DSPFoldedChannel(records + lane &* DSPChannelRecord.words)
    var o = out + lane
    var a = acc + 4 &* lane
    for _ in 0..<count {
      let y = channel.requantize(a.pointee) &+ offset
      o.pointee = Int8(truncatingIfNeeded: y < minimum ? minimum : (y > maximum ? maximum : y))
      o += channels
      a += 1
    }
  }
}

/// `finishTileFolded` for a whole tile (2 channels x 4 pixels), straight-line.
@inline(never)
func finishWholeTileFolded(
  _ acc: UnsafePointer<Int32>, _ records: UnsafePointer<Int32>, _ stage: DSPOutputStage,
  _ out: UnsafeMutablePointer<Int8>, _ channels: Int
) {
  let first = DSPFoldedChannel(records)
  let second = DSPFoldedChannel(records + DSPChannelRecord.words)
  var o = out
  for q in 0..<4 {
    o[0] = stage.narrow(first.requantize(acc[q]))
    o[1] = stage.narrow(second.requantize(acc[4 &+ q]))
    o += channels
  }
}

/// `finishTileFolded` with the reference formula, for any multiplier and shift.
@inline(never)
func finishTile(
  _ acc: UnsafePointer<Int32>, _ records: UnsafePointer<Int32>, lanes: Int, count: Int,
  _ stage: DSPOutputStage, _ out: UnsafeMutablePointer<Int8>, _ channels: Int
) {
  for lane in 0..<lanes {
    let record = records + lane &* DSPChannelRecord.words
    for q in 0..<count {
      out[q &* channels &+ lane] = stage.apply(acc[4 &* lane &+ q], record)
    }
  }
}

/// A column of zero words (a pixel past the last one).
@inline(never)
func zeroColumn(_ words: UnsafeMutablePointer<Int32>, pairs: Int) {
  var word = words
  for _ in 0..<pairs {
    word.pointee = 0
    word += 4
  }
}

/// The receptive fields of a convolution's output pixels, written as one of 4 interleaved
/// columns (pair `i` at word `4 * i`) in the packed weights' depth order, 0 for taps outside
/// the image and past the filter's depth.
struct ConvWindow {
  let p: ConvParams
  let inputShape: Shape4
  let filterShape: Shape4
  let outputWidth: Int
  let plane: Int
  /// The input offset in both int16 halves, for SXTAB16.
  let offsets: Int32

  init(_ p: ConvParams, inputShape: Shape4, filterShape: Shape4, outputShape: Shape4) {
    self.p = p
    self.inputShape = inputShape
    self.filterShape = filterShape
    outputWidth = outputShape.w
    plane = outputShape.h * outputShape.w
    offsets = int16Pair(p.inputOffset, p.inputOffset)
  }

  /// The input image of `pixel` and its window's top-left tap.
  @inline(__always)
  private func origin(_ pixel: Int, _ input: UnsafePointer<Int8>)
    -> (image: UnsafePointer<Int8>, y: Int, x: Int)
  {
    let batch = pixel / plane
    let inPlane = pixel &- batch &* plane
    let outY = inPlane / outputWidth
    let outX = inPlane &- outY &* outputWidth
    return (
      input + batch &* inputShape.h &* inputShape.w &* inputShape.c,
      outY &* p.strideHeight &- p.paddingValues.height,
      outX &* p.strideWidth &- p.paddingValues.width
    )
  }

  /// Quad order (input depth a multiple of 4): each tap's channels four bytes at a time, two
  /// SXTAB16 per word.
  @inline(never)
  func writeQuads(
    _ words: UnsafeMutablePointer<Int32>, input: UnsafePointer<Int8>, pixel: Int, pairs: Int
  ) {
    let (image, inYOrigin, inXOrigin) = origin(pixel, input)
    let depth = inputShape.c
    let padded = (depth &+ 3) & ~3
    let height = inputShape.h
    let width = inputShape.w
    let rowBytes = width &* depth
    let offsets = self.offsets
    // A padded tap reads up to 3 bytes past its channels; near the input's end they are
    // copied into a zeroed word instead.
    let lastWholeRead = UnsafeRawPointer(input + inputShape.flatSize) - padded
    var word = words
    var inY = inYOrigin
    for _ in 0..<filterShape.h {
      let rowInside = inY >= 0 && inY < height
      let row = UnsafeRawPointer(image) + inY &* rowBytes
      var inX = inXOrigin
      for _ in 0..<filterShape.w {
        if rowInside && inX >= 0 && inX < width {
          var source = row + inX &* depth
          let end = source + padded
          if source > lastWholeRead {
            var copy: UInt32 = 0
            withUnsafeMutableBytes(of: &copy) {
              $0.baseAddress!.copyMemory(from: source, byteCount: depth)
            }
            word[0] = sxtab16(offsets, copy)
            word[4] = sxtab16Odd(offsets, copy)
            word += 8
            source = end
          }
          while source < end {
            let four = source.loadUnaligned(as: UInt32.self)
            word[0] = sxtab16(offsets, four)
            word[4] = sxtab16Odd(offsets, four)
            word += 8
            source += 4
          }
        } else {
          for _ in 0..<padded &>> 1 {
            word.pointee = 0
            word += 4
          }
        }
        inX &+= p.dilationWidthFactor
      }
      inY &+= p.dilationHeightFactor
    }
    let end = words + 4 &* pairs
    while word < end {
      word.pointee = 0
      word += 4
    }
  }

  /// Natural order (any depth): value `k` at int16 `8 * (k / 2) + k % 2`.
  @inline(never)
  func writeValues(
    _ words: UnsafeMutablePointer<Int32>, input: UnsafePointer<Int8>, pixel: Int, pairs: Int
  ) {
    let (image, inYOrigin, inXOrigin) = origin(pixel, input)
    let depth = inputShape.c
    let halves = UnsafeMutableRawPointer(words).assumingMemoryBound(to: Int16.self)
    let offset = p.inputOffset
    var k = 0
    var inY = inYOrigin
    for _ in 0..<filterShape.h {
      let rowInside = inY >= 0 && inY < inputShape.h
      var inX = inXOrigin
      for _ in 0..<filterShape.w {
        let inside = rowInside && inX >= 0 && inX < inputShape.w
        let values = image + (inY &* inputShape.w &+ inX) &* depth
        for i in 0..<depth {
          let v = inside ? Int32(values[i]) &+ offset : 0
          halves[(k &>> 1) &* 8 &+ (k & 1)] = Int16(truncatingIfNeeded: v)
          k &+= 1
        }
        inX &+= p.dilationWidthFactor
      }
      inY &+= p.dilationHeightFactor
    }
    while k < 2 &* pairs {
      halves[(k &>> 1) &* 8 &+ (k & 1)] = 0
      k &+= 1
    }
  }
}
