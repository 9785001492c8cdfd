/// Int8 depthwise convolution, NHWC, per-channel weights: the same bytes as
/// `depthwiseConv2DPerChannelInt8Reference` (same parameters), with eight output channels per
/// SIMD8<Int32> accumulator. The filter (`[1, kH, kW, outC]`) is already channel-contiguous per
/// tap, so it needs no packing: per in-image tap, eight weights and eight inputs are widened and
/// multiplied in int32 lanes (`vpmulld`); taps outside the image are skipped, as in the reference.
/// With a depth multiplier above one, lane `l` reads input channel `(outC0 + l) / multiplier`
/// (gathered lane by lane; one input channel is a broadcast).
public func depthwiseConv2DPerChannelInt8SIMD(
  _ p: DepthwiseParams, outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) {
  let channels = outputShape.c
  let multiplier = p.depthMultiplier
  let range = LaneOutputRange(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax)
  let offsets = Lanes(repeating: p.inputOffset)
  let inputEnd = input + inputShape.flatSize
  let filterEnd = filter + filterShape.flatSize
  for channel0 in stride(from: 0, to: channels, by: 8) {
    let lanes = channels - channel0 < 8 ? channels - channel0 : 8
    let biasLanes = bias.map { loadLanes($0 + channel0, count: lanes) } ?? Lanes()
    let requantization = LaneRequantization(
      channels: channel0, count: lanes, multiplier: outputMultiplier, shift: outputShift)
    // Each lane's input channel, divided once here rather than per tap (a division per lane
    // per tap made a depth multiplier of 2 slower than the reference kernel).
    var source = SIMD8<Int32>()
    for l in 0..<lanes { source[l] = Int32(truncatingIfNeeded: (channel0 + l) / multiplier) }
    // The block's weights of every tap, widened once (zeros past the channels): a partial load
    // per pixel at the filter's end (its last tap of the last block) cost more than its MACs.
    let taps = filterShape.h * filterShape.w
    let copied = taps <= depthwiseCopiedTaps
    var tapWeights = InlineArray<25, Lanes>(repeating: Lanes())
    var rowWeightSums = InlineArray<25, Lanes>(repeating: Lanes())  // Σ w over each filter row
    if copied {
      for t in 0..<taps {
        for l in 0..<lanes { tapWeights[t][l] = Int32(filter[t * filterShape.c + channel0 + l]) }
        rowWeightSums[t / filterShape.w] &+= tapWeights[t]
      }
    }
    for batch in 0..<outputShape.n {
      for outY in 0..<outputShape.h {
        let inYOrigin = outY * p.strideHeight - p.paddingValues.height
        let rows = dilatedWindow(
          origin: inYOrigin, dilation: p.dilationHeightFactor, filterSize: filterShape.h,
          inputSize: inputShape.h)
        // The columns whose windows lie wholly inside the image (every row too) go to
        // `depthwiseInterior`; the border ones, and other multipliers and sizes, stay here.
        let pad = p.paddingValues.width
        let reach = p.dilationWidthFactor * (filterShape.w - 1)
        let xBegin = (pad + p.strideWidth - 1) / p.strideWidth
        let xEnd =
          inputShape.w - 1 - reach + pad < 0
          ? 0 : min(outputShape.w, (inputShape.w - 1 - reach + pad) / p.strideWidth + 1)
        let pixelStep = p.strideWidth * inputShape.c
        // Only the window's in-image rows `rows` are read (as the reference skips the others).
        let firstTap =
          input
          + inputShape.offset(
            batch, inYOrigin + p.dilationHeightFactor * rows.lowerBound,
            max(xBegin * p.strideWidth - pad, 0), 0) + (multiplier == 2 ? channel0 / 2 : channel0)
        let lastTap =
          firstTap + (xEnd - 1 - xBegin) * pixelStep
          + (rows.count - 1) * p.dilationHeightFactor * inputShape.w * inputShape.c + reach
          * inputShape.c
        let interior =
          copied && multiplier <= 2 && !rows.isEmpty && xBegin < xEnd
          && lastTap + (multiplier == 2 ? 4 : 8) <= inputEnd
        var outX = 0
        while outX < outputShape.w {
          if interior && outX == xBegin {
            let geometry = DepthwiseInteriorGeometry(
              pixels: xEnd - xBegin, pixelStep: pixelStep,
              rowStep: p.dilationHeightFactor * inputShape.w * inputShape.c,
              columnStep: p.dilationWidthFactor * inputShape.c, rows: rows.count,
              columns: filterShape.w, outputStep: channels, lanes: lanes)
            // These windows add inputOffset * Σ w over their taps whatever the inputs.
            var weightSum = Lanes()
            for kY in rows { weightSum &+= rowWeightSums[kY] }
            let start = biasLanes &+ offsets &* weightSum
            withUnsafeBytes(of: &tapWeights) { w in
              let weights =
                w.baseAddress!.assumingMemoryBound(to: Lanes.self) + rows.lowerBound
                * filterShape.w
              let out = output + outputShape.offset(batch, outY, xBegin, channel0)
              if multiplier == 2 {
                depthwiseInterior(
                  geometry, firstTap, DoubledChannelLoad.self, weights, start,
                  requantization, range, out)
              } else {
                depthwiseInterior(
                  geometry, firstTap, SameChannelLoad.self, weights, start,
                  requantization, range, out)
              }
            }
            outX = xEnd
            continue
          }
          defer { outX += 1 }
          let inXOrigin = outX * p.strideWidth - p.paddingValues.width
          let columns = dilatedWindow(
            origin: inXOrigin, dilation: p.dilationWidthFactor, filterSize: filterShape.w,
            inputSize: inputShape.w)
          var acc = Lanes()
          for kY in rows {
            let inY = inYOrigin + p.dilationHeightFactor * kY
            let inputRow = input + inputShape.offset(batch, inY, 0, 0)
            for kX in columns {
              let inX = inXOrigin + p.dilationWidthFactor * kX
              let pixel = inputRow + inX * inputShape.c
              let x: Lanes
              if multiplier == 1 {
                x = loadInt8Lanes(pixel + channel0, count: lanes, end: inputEnd)
              } else if multiplier == 2 {
                x = loadInt8LanesTwice(pixel + channel0 / 2, count: lanes / 2, end: inputEnd)
              } else {
                var gathered = Lanes()
                for l in 0..<lanes { gathered[l] = Int32(pixel[Int(source[l])]) }
                x = gathered
              }
              let w =
                copied
                ? tapWeights[kY * filterShape.w + kX]
                : loadInt8Lanes(
                  filter + filterShape.offset(0, kY, kX, channel0), count: lanes, end: filterEnd)
              acc &+= w &* (x &+ offsets)
            }
          }
          let y = requantization.apply(acc &+ biasLanes)
          store(
            range.narrow(y), to: output + outputShape.offset(batch, outY, outX, channel0),
            count: lanes)
        }
      }
    }
  }
}

/// Filters up to 5x5 have their weights widened per channel block (800 bytes on the stack; the
/// InlineArray in the kernel has this many elements).
let depthwiseCopiedTaps = 25

/// The shape of a run of interior output pixels of one row (see `depthwiseInterior`).
struct DepthwiseInteriorGeometry {
  var pixels: Int
  var pixelStep: Int  // input elements between the windows of neighbouring output pixels
  var rowStep: Int  // between the window's rows
  var columnStep: Int  // between its columns
  var rows: Int
  var columns: Int
  var outputStep: Int
  var lanes: Int
}

/// How a tap's eight lanes are loaded: one input channel per lane, or (a depth multiplier of 2)
/// each of four input channels into two lanes.
protocol DepthwiseTapLoad {
  static func load(_ p: UnsafePointer<Int8>) -> Lanes
}

enum SameChannelLoad: DepthwiseTapLoad {
  @inline(__always)
  static func load(_ p: UnsafePointer<Int8>) -> Lanes { loadWidened8(p) }
}

enum DoubledChannelLoad: DepthwiseTapLoad {
  @inline(__always)
  static func load(_ p: UnsafePointer<Int8>) -> Lanes {
    let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Int8>.self)
    var r = Lanes()
    for l in 0..<8 { r[l] = Int32(v[l / 2]) }
    return r
  }
}

/// Output pixels whose every tap is in the image: acc = start + Σ w x, where `start` already
/// holds bias + inputOffset * Σ w, so a tap is a load, a multiply and an add, and the loops only
/// step pointers. The caller has checked that the last tap's load ends inside the input.
@inline(never)
func depthwiseInterior<Load: DepthwiseTapLoad>(
  _ g: DepthwiseInteriorGeometry, _ firstTap: UnsafePointer<Int8>, _: Load.Type,
  _ weights: UnsafePointer<Lanes>, _ start: Lanes, _ requantization: LaneRequantization,
  _ range: LaneOutputRange, _ output: UnsafeMutablePointer<Int8>
) {
  var window = firstTap
  var out = output
  for _ in 0..<g.pixels {
    var acc = start
    var row = window
    var w = weights
    for _ in 0..<g.rows {
      var tap = row
      for _ in 0..<g.columns {
        acc &+= w.pointee &* Load.load(tap)
        tap += g.columnStep
        w += 1
      }
      row += g.rowStep
    }
    store(range.narrow(requantization.apply(acc)), to: out, count: g.lanes)
    window += g.pixelStep
    out += g.outputStep
  }
}

/// The taps `k` of a dilated window whose position `origin + dilation * k` lies in
/// `0 ..< inputSize`: the ones the reference does not skip.
@inline(__always)
func dilatedWindow(origin: Int, dilation: Int, filterSize: Int, inputSize: Int) -> Range<Int> {
  // First k with origin + dilation * k >= 0; last with origin + dilation * k < inputSize.
  let start = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation
  let limit = inputSize - origin  // positions below this are inside
  let end = limit <= 0 ? 0 : (limit - 1) / dilation + 1
  let clampedEnd = end < filterSize ? end : filterSize
  return start < clampedEnd ? start..<clampedEnd : start..<start
}

/// `count` (1...8) int8 values at `p` widened to lanes (the rest 0); one vector load when eight
/// bytes are readable before `end`.
@inline(__always)
func loadInt8Lanes(_ p: UnsafePointer<Int8>, count: Int, end: UnsafePointer<Int8>) -> Lanes {
  if p + 8 <= end { return loadWidened8(p) }
  var r = Lanes()
  for l in 0..<count { r[l] = Int32(p[l]) }
  return r
}

/// `count` (1...4) int8 values at `p`, each widened into two adjacent lanes (a depth multiplier
/// of 2: output channels 2i and 2i + 1 read input channel i); one 4-byte load and a shuffle when
/// it stays before `end`. Lanes past `2 * count` hold neighbouring values, never stored.
@inline(__always)
func loadInt8LanesTwice(_ p: UnsafePointer<Int8>, count: Int, end: UnsafePointer<Int8>) -> Lanes {
  if p + 4 <= end { return DoubledChannelLoad.load(p) }
  var r = Lanes()
  for l in 0..<2 * count { r[l] = Int32(p[l / 2]) }
  return r
}

/// `count` (1...8) int32 values at `p` (the rest 0), without reading past them.
@inline(__always)
func loadLanes(_ p: UnsafePointer<Int32>, count: Int) -> Lanes {
  if count == 8 { return loadLanes(p) }
  var r = Lanes()
  for l in 0..<count { r[l] = p[l] }
  return r
}

extension LaneRequantization {
  /// The per-channel parameters of channels `channels ..< channels + count` (1...8), split as
  /// `multiplyByQuantizedMultiplier` splits its shift; unused lanes get multiplier 0.
  init(
    channels c0: Int, count: Int, multiplier: UnsafePointer<Int32>, shift: UnsafePointer<Int32>
  ) {
    let zero = Lanes()
    let shifts = loadLanes(shift + c0, count: count)
    self.init(
      multiplier: loadLanes(multiplier + c0, count: count),
      leftShift: shifts.replacing(with: zero, where: shifts .< zero),
      rightShift: (zero &- shifts).replacing(with: zero, where: shifts .> zero))
  }
}
