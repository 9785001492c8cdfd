// MAX_POOL_2D and AVERAGE_POOL_2D with channels in vector lanes: the same bytes as the reference
// kernels (same parameters), 16 channels per step (8 for the average's int32 sums). A partial
// block loads a full vector when the input continues past it (only its own lanes are stored).

/// Int8 MAX_POOL_2D, NHWC: the same bytes as `maxPool2DInt8Reference`.
public func maxPool2DInt8SIMD(
  _ p: PoolParams, inputShape: Shape4, input: UnsafePointer<Int8>,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) {
  let channels = outputShape.c
  let inputEnd = input + inputShape.flatSize
  let lowest = SIMD16<Int8>(repeating: .min)
  let minimum = SIMD16<Int8>(repeating: Int8(truncatingIfNeeded: p.quantizedActivationMin))
  let maximum = SIMD16<Int8>(repeating: Int8(truncatingIfNeeded: p.quantizedActivationMax))
  if p.paddingValues.height == 0 && p.paddingValues.width == 0
    && (outputShape.h - 1) * p.strideHeight + p.filterHeight <= inputShape.h
    && (outputShape.w - 1) * p.strideWidth + p.filterWidth <= inputShape.w
  {
    // Every window inside the image (LeNet-5's and cnn-small's 2x2 pools): pointers stepped
    // instead of offsets and windows computed per tap, the 2x2 window unrolled, and whole
    // 16-byte stores that the next channels or pixels overwrite (partial only at the end).
    let rowBytes = inputShape.w * channels
    let pixelStep = p.strideWidth * channels
    let outputEnd = output + outputShape.flatSize
    let twoByTwo = p.filterHeight == 2 && p.filterWidth == 2
    let clamps = p.quantizedActivationMin > -128 || p.quantizedActivationMax < 127
    var out = output
    for batch in 0..<outputShape.n {
      for outY in 0..<outputShape.h {
        var window = input + inputShape.offset(batch, outY * p.strideHeight, 0, 0)
        // Whole vectors only, every load inside the input: the short loop.
        let lastRead =
          window + (outputShape.w - 1) * pixelStep + rowBytes + channels + channels
        if twoByTwo && channels % 16 == 0 && lastRead <= inputEnd {
          maxPool2x2Row(
            window, rowBytes: rowBytes, pixelStep: pixelStep, pixels: outputShape.w,
            channels: channels, clamp: clamps ? (minimum, maximum) : nil, out: out)
          out += outputShape.w * channels
          continue
        }
        for _ in 0..<outputShape.w {
          for channel0 in stride(from: 0, to: channels, by: 16) {
            let lanes = channels - channel0 < 16 ? channels - channel0 : 16
            var best = lowest
            if twoByTwo {
              let a = loadInt8x16(window + channel0, count: lanes, end: inputEnd)
              let b = loadInt8x16(window + channel0 + channels, count: lanes, end: inputEnd)
              let c = loadInt8x16(window + channel0 + rowBytes, count: lanes, end: inputEnd)
              let d = loadInt8x16(
                window + channel0 + rowBytes + channels, count: lanes, end: inputEnd)
              best = a
              best.replace(with: b, where: b .> best)
              best.replace(with: c, where: c .> best)
              best.replace(with: d, where: d .> best)
            } else {
              var row = window + channel0
              for _ in 0..<p.filterHeight {
                var tap = row
                for _ in 0..<p.filterWidth {
                  let x = loadInt8x16(tap, count: lanes, end: inputEnd)
                  best.replace(with: x, where: x .> best)
                  tap += channels
                }
                row += rowBytes
              }
            }
            best.replace(with: minimum, where: best .< minimum)
            best.replace(with: maximum, where: best .> maximum)
            if out + channel0 + 16 <= outputEnd {
              UnsafeMutableRawPointer(out + channel0).storeBytes(of: best, as: SIMD16<Int8>.self)
            } else {
              store16(best, to: out + channel0, count: lanes)
            }
          }
          out += channels
          window += pixelStep
        }
      }
    }
    return
  }
  for batch in 0..<outputShape.n {
    for outY in 0..<outputShape.h {
      let inYOrigin = outY * p.strideHeight - p.paddingValues.height
      let rows = clampedWindow(
        origin: inYOrigin, filterSize: p.filterHeight, inputSize: inputShape.h)
      for outX in 0..<outputShape.w {
        let inXOrigin = outX * p.strideWidth - p.paddingValues.width
        let columns = clampedWindow(
          origin: inXOrigin, filterSize: p.filterWidth, inputSize: inputShape.w)
        let out = output + outputShape.offset(batch, outY, outX, 0)
        for channel0 in stride(from: 0, to: channels, by: 16) {
          let lanes = channels - channel0 < 16 ? channels - channel0 : 16
          var best = lowest
          for kY in rows {
            for kX in columns {
              let x = loadInt8x16(
                input + inputShape.offset(batch, inYOrigin + kY, inXOrigin + kX, channel0),
                count: lanes, end: inputEnd)
              best.replace(with: x, where: x .> best)
            }
          }
          best.replace(with: minimum, where: best .< minimum)
          best.replace(with: maximum, where: best .> maximum)
          store16(best, to: out + channel0, count: lanes)
        }
      }
    }
  }
}

/// One output row of a 2x2 MAX_POOL_2D whose windows are inside the image, for channels in whole
/// vectors: four loads and three `pmaxsb` per 16 outputs, the clamp only when it can bite (a
/// pool with no fused activation has the full int8 range).
@inline(never)
private func maxPool2x2Row(
  _ window: UnsafePointer<Int8>, rowBytes: Int, pixelStep: Int, pixels: Int, channels: Int,
  clamp: (minimum: SIMD16<Int8>, maximum: SIMD16<Int8>)?, out: UnsafeMutablePointer<Int8>
) {
  var window = UnsafeRawPointer(window)
  var out = UnsafeMutableRawPointer(out)
  for _ in 0..<pixels {
    for c in stride(from: 0, to: channels, by: 16) {
      let a = window.loadUnaligned(fromByteOffset: c, as: SIMD16<Int8>.self)
      let b = window.loadUnaligned(fromByteOffset: c + channels, as: SIMD16<Int8>.self)
      let d = window.loadUnaligned(fromByteOffset: c + rowBytes, as: SIMD16<Int8>.self)
      let e = window.loadUnaligned(fromByteOffset: c + rowBytes + channels, as: SIMD16<Int8>.self)
      var best = a
      best.replace(with: b, where: b .> best)
      best.replace(with: d, where: d .> best)
      best.replace(with: e, where: e .> best)
      if let clamp {
        best.replace(with: clamp.minimum, where: clamp.minimum .> best)
        best.replace(with: clamp.maximum, where: best .> clamp.maximum)
      }
      withUnsafeBytes(of: best) {
        (out + c).copyMemory(from: $0.baseAddress!, byteCount: 16)
      }
    }
    window += pixelStep
    out += channels
  }
}

/// Int8 AVERAGE_POOL_2D, NHWC: the same bytes as `averagePool2DInt8Reference`, including its
/// `false` (and the output left unwritten from there) for a window with no tap in the image.
///
/// The rounded division `(sum ± n/2) / n` (C's truncation) is a multiply and a shift in int32
/// lanes: for `a = |sum ± n/2| < 2^15` (true for n <= 254 taps), `floor(a / n) =
/// (a * M) >> s` with `s = 15 + ceil(log2 n)`, `M = floor(2^s / n) + 1` (then `a * M < 2^31`,
/// and the error `a * (M - 2^s/n) / 2^s < a / 2^s <= 1 / n` never crosses an integer). Larger
/// windows go to the reference.
@discardableResult
public func averagePool2DInt8SIMD(
  _ p: PoolParams, inputShape: Shape4, input: UnsafePointer<Int8>,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>
) -> Bool {
  guard p.filterHeight * p.filterWidth <= 254 else {
    return averagePool2DInt8Reference(
      p, inputShape: inputShape, input: input, outputShape: outputShape, output: output)
  }
  let channels = outputShape.c
  let inputEnd = input + inputShape.flatSize
  let zero = Lanes()
  let range = LaneOutputRange(
    offset: 0, minimum: p.quantizedActivationMin, maximum: p.quantizedActivationMax)
  for batch in 0..<outputShape.n {
    for outY in 0..<outputShape.h {
      let inYOrigin = outY * p.strideHeight - p.paddingValues.height
      let rows = clampedWindow(
        origin: inYOrigin, filterSize: p.filterHeight, inputSize: inputShape.h)
      for outX in 0..<outputShape.w {
        let inXOrigin = outX * p.strideWidth - p.paddingValues.width
        let columns = clampedWindow(
          origin: inXOrigin, filterSize: p.filterWidth, inputSize: inputShape.w)
        let count = Int32(truncatingIfNeeded: rows.count * columns.count)
        if count == 0 { return false }
        let division = ReciprocalDivision(count)
        let half = Lanes(repeating: count / 2)
        let out = output + outputShape.offset(batch, outY, outX, 0)
        // The window's first pixel; the taps then step by pixels and rows (an offset
        // computed per tap was most of a global pool's time).
        let corner =
          input
          + inputShape.offset(
            batch, inYOrigin + rows.lowerBound, inXOrigin + columns.lowerBound, 0)
        let rowStep = inputShape.w * inputShape.c
        for channel0 in stride(from: 0, to: channels, by: 8) {
          let lanes = channels - channel0 < 8 ? channels - channel0 : 8
          var sum = Lanes()
          var row = corner + channel0
          let last = row + (rows.count - 1) * rowStep + (columns.count - 1) * inputShape.c
          if last + 8 <= inputEnd {
            // Every tap has 8 readable bytes: no bound checks, two sums for the adds' latency.
            var other = Lanes()
            for _ in rows {
              var pixel = row
              var k = 0
              while k + 2 <= columns.count {
                sum &+= loadWidened8(pixel)
                other &+= loadWidened8(pixel + inputShape.c)
                pixel += 2 * inputShape.c
                k += 2
              }
              if k < columns.count { sum &+= loadWidened8(pixel) }
              row += rowStep
            }
            sum &+= other
          } else {
            for _ in rows {
              var pixel = row
              for _ in columns {
                sum &+= loadInt8Lanes(pixel, count: lanes, end: inputEnd)
                pixel += inputShape.c
              }
              row += rowStep
            }
          }
          // acc > 0 ? (acc + n/2) / n : (acc - n/2) / n, truncating toward zero.
          let positive = sum .> zero
          let rounded = (sum &+ half).replacing(with: sum &- half, where: .!positive)
          let magnitude = division.quotient(
            rounded.replacing(with: zero &- rounded, where: .!positive))
          let quotient = magnitude.replacing(with: zero &- magnitude, where: .!positive)
          store(range.narrow(quotient), to: out + channel0, count: lanes)
        }
      }
    }
  }
  return true
}

/// `floor(a / n)` for `0 <= a < 2^15` and `1 <= n <= 254` as `(a * M) >> s` (see
/// `averagePool2DInt8SIMD`).
struct ReciprocalDivision {
  let multiplier: Lanes
  let shift: Lanes

  init(_ n: Int32) {
    var log2Ceiling: Int32 = 0
    while (Int32(1) << log2Ceiling) < n { log2Ceiling += 1 }
    let s = 15 + log2Ceiling
    multiplier = Lanes(repeating: (Int32(1) << s) / n + 1)
    shift = Lanes(repeating: s)
  }

  @inline(__always)
  func quotient(_ a: Lanes) -> Lanes { (a &* multiplier) &>> shift }
}

/// `count` (1...16) int8 values at `p` (the rest `Int8.min`, which no maximum picks); one vector
/// load when sixteen bytes are readable before `end`.
@inline(__always)
func loadInt8x16(_ p: UnsafePointer<Int8>, count: Int, end: UnsafePointer<Int8>) -> SIMD16<Int8> {
  if p + 16 <= end { return UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self) }
  var r = SIMD16<Int8>(repeating: .min)
  for l in 0..<count { r[l] = p[l] }
  return r
}

/// Stores the first `count` (1...16) lanes at `p`.
@inline(__always)
func store16(_ v: SIMD16<Int8>, to p: UnsafeMutablePointer<Int8>, count: Int) {
  if count == 16 {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Int8>.self)
    return
  }
  store(v.lowHalf, to: p, count: count < 8 ? count : 8)
  if count > 8 { store(v.highHalf, to: p + 8, count: count - 8) }
}
