// The int8 GEMM under CONV_2D and FULLY_CONNECTED's SIMD kernels:
//
//     output[p][c] = requantize_c(bias[c] + Σ_k W[c][k] * (x[p][k] + inputOffset))
//
// for a run of pixels (conv: rows of a padded int16 image or of im2col; fully connected: batch
// rows) against weights packed once at prepare time. Output channels lie along the vector lanes (eight per SIMD8<Int32>
// accumulator), so the accumulators need no horizontal sum, requantisation runs on whole vectors
// with per-channel multipliers, and an NHWC output row is stored directly. The depth goes two at
// a time: one activation pair, broadcast, times the pair of weights of eight channels is one
// `pmaddwd` (eight int32 lanes, each w0 * x0 + w1 * x1).
//
// Activations arrive as int16 pairs with the input offset already added (`x + inputOffset` is in
// [-255, 255]; zero for a padding tap), so padding needs no correction term and every product
// is exact. The micro-kernels keep all accumulators in named registers (4 pixels x 16 channels =
// 8 ymm on AVX2; llvm-objdump shows vpbroadcastd, vpmovsxbw, vpmaddwd, vpaddd and no spill).

/// The GEMM's reads of the packed weights (`PackedInt8Weights`, Kernels/PackedInt8Weights.swift):
/// compiled with the kernels, so that each instruction set inlines its own.
extension PackedInt8Weights {
  @inline(__always)
  func groupWeights(_ g: Int) -> UnsafePointer<Int8> { weights + g * depthPairs * 16 }

  @inline(__always)
  func requantization(_ g: Int) -> LaneRequantization {
    LaneRequantization(
      multiplier: loadLanes(multiplier + 8 * g), leftShift: loadLanes(leftShift + 8 * g),
      rightShift: loadLanes(rightShift + 8 * g))
  }

  /// Adds the bias, requantises, clamps and stores the channels of group `g` at `out`.
  /// (`@inline(__always)` leaves this a call in the 4-pixel kernels; a call per vector costs
  /// spills of every live accumulator, so inlining is forced.)
  @_transparent
  func finish(
    _ acc: Lanes, group g: Int, range: LaneOutputRange, to out: UnsafeMutablePointer<Int8>
  ) {
    let y = requantization(g).apply(acc &+ loadLanes(bias + 8 * g))
    let rest = channels - 8 * g  // (not `min`: a generic call here)
    store(range.narrow(y), to: out + 8 * g, count: rest < 8 ? rest : 8)
  }
}

/// Where the activation pairs of successive pixels are. Pixel `p`'s depth is the packed weights'
/// `segments` runs of `segmentPairs` Int32 pairs (two int16 `x + inputOffset`, low half first),
/// run `s` at `next() + s * segmentStride` bytes: contiguous rows (im2col, FULLY_CONNECTED) have
/// one run, the padded image of a convolution one run per filter row.
protocol ActivationRows {
  /// The next pixel's first run; called once per pixel, in order.
  mutating func next() -> UnsafeRawPointer
  /// Bytes from one run to the next (unused with one run).
  var segmentStride: Int { get }
}

/// Rows of the packed depth each (`4 * depthPairs` bytes, runs back to back), one after the other.
struct ContiguousActivationRows: ActivationRows {
  private var pointer: UnsafeRawPointer
  private let rowBytes: Int
  let segmentStride: Int

  init(_ pointer: UnsafeRawPointer, for w: PackedInt8Weights) {
    self.pointer = pointer
    rowBytes = 4 * w.depthPairs
    segmentStride = 4 * w.segmentPairs
  }

  @inline(__always)
  mutating func next() -> UnsafeRawPointer {
    defer { pointer += rowBytes }
    return pointer
  }
}

/// Runs the packed GEMM for `pixels` pixels of `rows` and writes `output[p * stride + c]`.
@inline(__always)
func gemmInt8SIMD<Rows: ActivationRows>(
  _ rows: inout Rows, pixels: Int, packed w: PackedInt8Weights, range: LaneOutputRange,
  output: UnsafeMutablePointer<Int8>, outputStride: Int
) {
  let step = TileStep(w, segmentStride: rows.segmentStride)
  var p = 0
  // With AVX-512, 8 pixels per tile: 16 channels (two groups, 8 zmm accumulators, the weights
  // widened once per 8 pixels), then the odd group on ymm. The multiply-add is fused there
  // (vpdpwssd, 4-5 cycles of latency), so a tile needs about 8 independent accumulators to keep
  // both ports busy. (On AVX2 the 16-channel tile's 16 ymm accumulators spill: 20 % slower.)
  #if AVX512
    while p + 8 <= pixels {
      let x = (
        rows.next(), rows.next(), rows.next(), rows.next(), rows.next(), rows.next(),
        rows.next(), rows.next()
      )
      let out = output + p * outputStride
      var g = 0
      while g + 2 <= w.groups {
        tile8x2(x, step, g, range, out, outputStride)
        g += 2
      }
      if g < w.groups { tile8x1(x, step, g, range, out, outputStride) }
      p += 8
    }
  #endif
  while p + 4 <= pixels {
    let x = (rows.next(), rows.next(), rows.next(), rows.next())
    let out = output + p * outputStride
    var g = 0
    while g + 2 <= w.groups {
      tile4x2(x, step, g, range, out, outputStride)
      g += 2
    }
    if g < w.groups { tile4x1(x, step, g, range, out, outputStride) }
    p += 4
  }
  while p < pixels {
    let x = rows.next()
    let out = output + p * outputStride
    var g = 0
    while g + 4 <= w.groups {
      tile1x4(x, step, g, range, out)
      g += 4
    }
    while g < w.groups {
      tile1x1(x, step, g, range, out)
      g += 1
    }
    p += 1
  }
}

/// The loop bounds every micro-kernel walks: runs of pairs in the activations, pairs of 16 bytes
/// in one group's packed weights.
struct TileStep {
  let w: PackedInt8Weights
  let segments: Int
  let segmentPairs: Int
  let segmentStride: Int

  init(_ w: PackedInt8Weights, segmentStride: Int) {
    self.w = w
    segments = w.segments
    segmentPairs = w.segmentPairs
    self.segmentStride = segmentStride
  }
}

@inline(__always)
private func pair(_ x: UnsafeRawPointer, _ k: Int) -> Int32 {
  x.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)
}

// MARK: Micro-kernels (pixels x channel groups; the accumulators are named so they stay in registers)

/// Groups `g` and `g + 1`'s weights of pair `k` as one 32-lane vector (16 channels x 2).
@inline(__always)
private func loadWidened32(_ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>) -> SIMD32<Int32> {
  SIMD32(lowHalf: loadWidened16(w0), highHalf: loadWidened16(w1))
}

/// One activation pair repeated over 16 channels (32 int16 lanes widened to int32).
@inline(__always)
private func broadcastPair32(_ pair: Int32) -> SIMD32<Int32> {
  let half = broadcastPair(pair)
  return SIMD32(lowHalf: half, highHalf: half)
}

/// `multiplyAddPairs` on 16 channels: one `vpmaddwd zmm` (or `vpdpwssd`, fused with the add)
/// when the build has AVX-512, two ymm ones on AVX2.
@inline(__always)
private func multiplyAddPairs32(_ a: SIMD32<Int32>, _ b: SIMD32<Int32>) -> SIMD16<Int32> {
  let p = a &* b
  return p.evenHalf &+ p.oddHalf
}

@inline(never)
private func tile8x2(
  _ x: (
    UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
    UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer
  ),
  _ step: TileStep, _ g: Int, _ range: LaneOutputRange, _ out: UnsafeMutablePointer<Int8>,
  _ stride: Int
) {
  var w0 = step.w.groupWeights(g)
  var w1 = step.w.groupWeights(g + 1)
  var acc0 = SIMD16<Int32>()
  var acc1 = SIMD16<Int32>()
  var acc2 = SIMD16<Int32>()
  var acc3 = SIMD16<Int32>()
  var acc4 = SIMD16<Int32>()
  var acc5 = SIMD16<Int32>()
  var acc6 = SIMD16<Int32>()
  var acc7 = SIMD16<Int32>()
  var (x0, x1, x2, x3, x4, x5, x6, x7) = x
  for _ in 0..<step.segments {
    for k in 0..<step.segmentPairs {
      let u = loadWidened32(w0 + 16 * k, w1 + 16 * k)
      acc0 &+= multiplyAddPairs32(u, broadcastPair32(pair(x0, k)))
      acc1 &+= multiplyAddPairs32(u, broadcastPair32(pair(x1, k)))
      acc2 &+= multiplyAddPairs32(u, broadcastPair32(pair(x2, k)))
      acc3 &+= multiplyAddPairs32(u, broadcastPair32(pair(x3, k)))
      acc4 &+= multiplyAddPairs32(u, broadcastPair32(pair(x4, k)))
      acc5 &+= multiplyAddPairs32(u, broadcastPair32(pair(x5, k)))
      acc6 &+= multiplyAddPairs32(u, broadcastPair32(pair(x6, k)))
      acc7 &+= multiplyAddPairs32(u, broadcastPair32(pair(x7, k)))
    }
    w0 += 16 * step.segmentPairs
    w1 += 16 * step.segmentPairs
    x0 += step.segmentStride
    x1 += step.segmentStride
    x2 += step.segmentStride
    x3 += step.segmentStride
    x4 += step.segmentStride
    x5 += step.segmentStride
    x6 += step.segmentStride
    x7 += step.segmentStride
  }
  let w = step.w
  w.finish(acc0.lowHalf, group: g, range: range, to: out)
  w.finish(acc0.highHalf, group: g + 1, range: range, to: out)
  w.finish(acc1.lowHalf, group: g, range: range, to: out + stride)
  w.finish(acc1.highHalf, group: g + 1, range: range, to: out + stride)
  w.finish(acc2.lowHalf, group: g, range: range, to: out + 2 * stride)
  w.finish(acc2.highHalf, group: g + 1, range: range, to: out + 2 * stride)
  w.finish(acc3.lowHalf, group: g, range: range, to: out + 3 * stride)
  w.finish(acc3.highHalf, group: g + 1, range: range, to: out + 3 * stride)
  w.finish(acc4.lowHalf, group: g, range: range, to: out + 4 * stride)
  w.finish(acc4.highHalf, group: g + 1, range: range, to: out + 4 * stride)
  w.finish(acc5.lowHalf, group: g, range: range, to: out + 5 * stride)
  w.finish(acc5.highHalf, group: g + 1, range: range, to: out + 5 * stride)
  w.finish(acc6.lowHalf, group: g, range: range, to: out + 6 * stride)
  w.finish(acc6.highHalf, group: g + 1, range: range, to: out + 6 * stride)
  w.finish(acc7.lowHalf, group: g, range: range, to: out + 7 * stride)
  w.finish(acc7.highHalf, group: g + 1, range: range, to: out + 7 * stride)
}

@inline(never)
private func tile4x2(
  _ x: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer),
  _ step: TileStep, _ g: Int, _ range: LaneOutputRange, _ out: UnsafeMutablePointer<Int8>,
  _ stride: Int
) {
  var w0 = step.w.groupWeights(g)
  var w1 = step.w.groupWeights(g + 1)
  var acc00 = Lanes()
  var acc01 = Lanes()
  var acc10 = Lanes()
  var acc11 = Lanes()
  var acc20 = Lanes()
  var acc21 = Lanes()
  var acc30 = Lanes()
  var acc31 = Lanes()
  var (x0, x1, x2, x3) = x
  for _ in 0..<step.segments {
    for k in 0..<step.segmentPairs {
      let u0 = loadWidened16(w0 + 16 * k)
      let u1 = loadWidened16(w1 + 16 * k)
      var v = broadcastPair(pair(x0, k))
      acc00 &+= multiplyAddPairs(u0, v)
      acc01 &+= multiplyAddPairs(u1, v)
      v = broadcastPair(pair(x1, k))
      acc10 &+= multiplyAddPairs(u0, v)
      acc11 &+= multiplyAddPairs(u1, v)
      v = broadcastPair(pair(x2, k))
      acc20 &+= multiplyAddPairs(u0, v)
      acc21 &+= multiplyAddPairs(u1, v)
      v = broadcastPair(pair(x3, k))
      acc30 &+= multiplyAddPairs(u0, v)
      acc31 &+= multiplyAddPairs(u1, v)
    }
    w0 += 16 * step.segmentPairs
    w1 += 16 * step.segmentPairs
    x0 += step.segmentStride
    x1 += step.segmentStride
    x2 += step.segmentStride
    x3 += step.segmentStride
  }
  let w = step.w
  w.finish(acc00, group: g, range: range, to: out)
  w.finish(acc01, group: g + 1, range: range, to: out)
  w.finish(acc10, group: g, range: range, to: out + stride)
  w.finish(acc11, group: g + 1, range: range, to: out + stride)
  w.finish(acc20, group: g, range: range, to: out + 2 * stride)
  w.finish(acc21, group: g + 1, range: range, to: out + 2 * stride)
  w.finish(acc30, group: g, range: range, to: out + 3 * stride)
  w.finish(acc31, group: g + 1, range: range, to: out + 3 * stride)
}

@inline(never)
private func tile8x1(
  _ x: (
    UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
    UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer
  ),
  _ step: TileStep, _ g: Int, _ range: LaneOutputRange, _ out: UnsafeMutablePointer<Int8>,
  _ stride: Int
) {
  var w0 = step.w.groupWeights(g)
  var acc0 = Lanes()
  var acc1 = Lanes()
  var acc2 = Lanes()
  var acc3 = Lanes()
  var acc4 = Lanes()
  var acc5 = Lanes()
  var acc6 = Lanes()
  var acc7 = Lanes()
  var (x0, x1, x2, x3, x4, x5, x6, x7) = x
  for _ in 0..<step.segments {
    for k in 0..<step.segmentPairs {
      let u = loadWidened16(w0 + 16 * k)
      acc0 &+= multiplyAddPairs(u, broadcastPair(pair(x0, k)))
      acc1 &+= multiplyAddPairs(u, broadcastPair(pair(x1, k)))
      acc2 &+= multiplyAddPairs(u, broadcastPair(pair(x2, k)))
      acc3 &+= multiplyAddPairs(u, broadcastPair(pair(x3, k)))
      acc4 &+= multiplyAddPairs(u, broadcastPair(pair(x4, k)))
      acc5 &+= multiplyAddPairs(u, broadcastPair(pair(x5, k)))
      acc6 &+= multiplyAddPairs(u, broadcastPair(pair(x6, k)))
      acc7 &+= multiplyAddPairs(u, broadcastPair(pair(x7, k)))
    }
    w0 += 16 * step.segmentPairs
    x0 += step.segmentStride
    x1 += step.segmentStride
    x2 += step.segmentStride
    x3 += step.segmentStride
    x4 += step.segmentStride
    x5 += step.segmentStride
    x6 += step.segmentStride
    x7 += step.segmentStride
  }
  let w = step.w
  w.finish(acc0, group: g, range: range, to: out)
  w.finish(acc1, group: g, range: range, to: out + stride)
  w.finish(acc2, group: g, range: range, to: out + 2 * stride)
  w.finish(acc3, group: g, range: range, to: out + 3 * stride)
  w.finish(acc4, group: g, range: range, to: out + 4 * stride)
  w.finish(acc5, group: g, range: range, to: out + 5 * stride)
  w.finish(acc6, group: g, range: range, to: out + 6 * stride)
  w.finish(acc7, group: g, range: range, to: out + 7 * stride)
}

@inline(never)
private func tile4x1(
  _ x: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer),
  _ step: TileStep, _ g: Int, _ range: LaneOutputRange, _ out: UnsafeMutablePointer<Int8>,
  _ stride: Int
) {
  var w0 = step.w.groupWeights(g)
  var acc0 = Lanes()
  var acc1 = Lanes()
  var acc2 = Lanes()
  var acc3 = Lanes()
  var (x0, x1, x2, x3) = x
  for _ in 0..<step.segments {
    for k in 0..<step.segmentPairs {
      let u = loadWidened16(w0 + 16 * k)
      acc0 &+= multiplyAddPairs(u, broadcastPair(pair(x0, k)))
      acc1 &+= multiplyAddPairs(u, broadcastPair(pair(x1, k)))
      acc2 &+= multiplyAddPairs(u, broadcastPair(pair(x2, k)))
      acc3 &+= multiplyAddPairs(u, broadcastPair(pair(x3, k)))
    }
    w0 += 16 * step.segmentPairs
    x0 += step.segmentStride
    x1 += step.segmentStride
    x2 += step.segmentStride
    x3 += step.segmentStride
  }
  let w = step.w
  w.finish(acc0, group: g, range: range, to: out)
  w.finish(acc1, group: g, range: range, to: out + stride)
  w.finish(acc2, group: g, range: range, to: out + 2 * stride)
  w.finish(acc3, group: g, range: range, to: out + 3 * stride)
}

@inline(never)
private func tile1x4(
  _ x: UnsafeRawPointer, _ step: TileStep, _ g: Int, _ range: LaneOutputRange,
  _ out: UnsafeMutablePointer<Int8>
) {
  var w0 = step.w.groupWeights(g)
  let groupBytes = 16 * step.w.depthPairs
  var acc0 = Lanes()
  var acc1 = Lanes()
  var acc2 = Lanes()
  var acc3 = Lanes()
  var x0 = x
  #if AVX512
    // Second chains over the odd pairs: the fused multiply-add's latency (see gemmInt8SIMD).
    var acc4 = Lanes()
    var acc5 = Lanes()
    var acc6 = Lanes()
    var acc7 = Lanes()
  #endif
  for _ in 0..<step.segments {
    var k = 0
    #if AVX512
      while k + 2 <= step.segmentPairs {
        let v = broadcastPair(pair(x0, k))
        acc0 &+= multiplyAddPairs(loadWidened16(w0 + 16 * k), v)
        acc1 &+= multiplyAddPairs(loadWidened16(w0 + groupBytes + 16 * k), v)
        acc2 &+= multiplyAddPairs(loadWidened16(w0 + 2 * groupBytes + 16 * k), v)
        acc3 &+= multiplyAddPairs(loadWidened16(w0 + 3 * groupBytes + 16 * k), v)
        let v1 = broadcastPair(pair(x0, k + 1))
        acc4 &+= multiplyAddPairs(loadWidened16(w0 + 16 * k + 16), v1)
        acc5 &+= multiplyAddPairs(loadWidened16(w0 + groupBytes + 16 * k + 16), v1)
        acc6 &+= multiplyAddPairs(loadWidened16(w0 + 2 * groupBytes + 16 * k + 16), v1)
        acc7 &+= multiplyAddPairs(loadWidened16(w0 + 3 * groupBytes + 16 * k + 16), v1)
        k += 2
      }
    #endif
    while k < step.segmentPairs {
      let v = broadcastPair(pair(x0, k))
      acc0 &+= multiplyAddPairs(loadWidened16(w0 + 16 * k), v)
      acc1 &+= multiplyAddPairs(loadWidened16(w0 + groupBytes + 16 * k), v)
      acc2 &+= multiplyAddPairs(loadWidened16(w0 + 2 * groupBytes + 16 * k), v)
      acc3 &+= multiplyAddPairs(loadWidened16(w0 + 3 * groupBytes + 16 * k), v)
      k += 1
    }
    w0 += 16 * step.segmentPairs
    x0 += step.segmentStride
  }
  #if AVX512
    acc0 &+= acc4
    acc1 &+= acc5
    acc2 &+= acc6
    acc3 &+= acc7
  #endif
  let w = step.w
  w.finish(acc0, group: g, range: range, to: out)
  w.finish(acc1, group: g + 1, range: range, to: out)
  w.finish(acc2, group: g + 2, range: range, to: out)
  w.finish(acc3, group: g + 3, range: range, to: out)
}

@inline(never)
private func tile1x1(
  _ x: UnsafeRawPointer, _ step: TileStep, _ g: Int, _ range: LaneOutputRange,
  _ out: UnsafeMutablePointer<Int8>
) {
  var w0 = step.w.groupWeights(g)
  var acc0 = Lanes()
  var acc1 = Lanes()
  var x0 = x
  for _ in 0..<step.segments {
    // Two chains over even and odd pairs hide the add latency of a single accumulator.
    var k = 0
    while k + 2 <= step.segmentPairs {
      acc0 &+= multiplyAddPairs(loadWidened16(w0 + 16 * k), broadcastPair(pair(x0, k)))
      acc1 &+= multiplyAddPairs(loadWidened16(w0 + 16 * k + 16), broadcastPair(pair(x0, k + 1)))
      k += 2
    }
    if k < step.segmentPairs {
      acc0 &+= multiplyAddPairs(loadWidened16(w0 + 16 * k), broadcastPair(pair(x0, k)))
    }
    w0 += 16 * step.segmentPairs
    x0 += step.segmentStride
  }
  step.w.finish(acc0 &+ acc1, group: g, range: range, to: out)
}
