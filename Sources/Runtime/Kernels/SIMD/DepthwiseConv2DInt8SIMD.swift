// DEPTHWISE_CONV_2D on int8, per-channel weights, NHWC: the same bytes as
// `depthwiseConv2DPerChannelInt8Reference` for any kernel size, stride, dilation, padding and
// depth multiplier, on any map (25x5 keyword-spotting maps, Wx1 and 1xW 1-D maps, 96x96 images).
//
// Two observations make one loop serve every shape:
//
// 1. Padding costs nothing. The reference skips the taps that fall outside the image; here they
//    read the input zero point instead. With
//
//        acc = bias + Σ_taps w (x + inputOffset) = [bias + inputOffset Σ_taps w] + Σ_taps w x
//
//    the bracket is a per-channel constant (packed once), and a tap on a zero-point byte adds
//    w * (-inputOffset), which cancels its share of the bracket exactly (int32 sums wrap, so the
//    order of the additions does not matter).
//
// 2. A row of outputs is one long elementwise product per tap. Output row y, flattened to
//    `outputWidth * channels` bytes, gains for tap (ky, kx) the bytes of input row
//    y * strideH + ky * dilationH at columns x * strideW + kx * dilationW. Copy that input row
//    once with its padding (zero-point bytes) and split by column modulo the stride ("phase"
//    rows, as a polyphase filter does): the tap's inputs are then a contiguous run of the phase
//    row (kx * dilationW) % strideW, starting (kx * dilationW) / strideW pixels in. A depth
//    multiplier m is folded into the copy (each input channel written m times).
//
//    So the kernel walks the flattened output row in segments of 16 x `accumulators` bytes,
//    whatever the channel count: 8 channels fill a 64-byte segment with 8 pixels, 64 channels
//    with one, 40 channels cycle through 5 segment "phases" of weights (lane l of segment k is
//    channel (64 k + l) % 40). Per tap and segment: one load and the multiply-adds.
//
// The multiply-adds (`DepthwiseBlock`): each accumulator holds 16 int32 lanes, the segment's bytes
// dealt to the accumulators round-robin (byte l to accumulator l % n, lane l / n), as the
// instructions widen them:
// - AVX-512 VNNI (`DotProductDepthwiseBlock`, 64 bytes): the tap's 64 bytes, made unsigned
//   (x + 128), go through four `vpdpbusd`, each against the tap's weights with only every fourth
//   byte kept: lane i of accumulator j gains w * (x + 128) for byte 4i + j.
// - elsewhere (`PairDepthwiseBlock`, 32 bytes): the bytes widened to int16, seen as 16 int32
//   lanes, give the even bytes by (v << 16) >> 16 and the odd ones by v >> 16.
// The accumulators are requantised separately and interleaved again when narrowed to bytes.

/// The per-channel constants and weights of one DEPTHWISE_CONV_2D, segment phase by segment
/// phase in the order the kernel reads them. Each phase is `phaseVectors` 64-byte vectors: the
/// `Field`s, each `accumulators` vectors of 16 int32 lanes (accumulator j's lane i is byte
/// `accumulators * i + j` of the segment), then per tap `accumulators` vectors of weights in the
/// form `Block.packWeights` writes. A 64-byte header of Int32 words before the vectors keeps the
/// shape, so the operator's record holds one pointer (`init(header:scratch:)`). Nothing in it is an
/// address: the host packs it for a firmware's flash (`KernelSet.portable`) and the chip reads
/// it where it lies.
struct PackedDepthwiseWeights {
  var vectors: UnsafeRawPointer
  var taps: Int
  var phases: Int
  var accumulators: Int
  var scratch: UnsafeMutableRawPointer
  /// Every channel's multiplier folds (`FoldedRequantization.supports`): the phases carry
  /// `FoldedRequantization`s after the taps, and the finish uses them.
  var folded: Bool
  /// The 64-byte vectors each accumulator's `FoldedRequantization` takes in a phase: 0 where the
  /// packing has none (`depthwiseFoldedVectors`: the portable set and 32-bit targets never fold).
  var foldedVectors: Int

  enum Field: Int {
    /// bias + (inputOffset - Block.inputBias) * Σ_taps w
    case start = 0
    case multiplier = 1
    case leftShift = 2
    case rightShift = 3
  }
  static let fields = 4
  static let headerBytes = 64

  /// The weights packed at `header` (what `packDepthwiseWeights` returned), run with `scratch`
  /// (`DepthwiseScratchLayout.bytes`).
  init(header: UnsafeRawPointer, scratch: UnsafeMutableRawPointer) {
    let words = header.assumingMemoryBound(to: Int32.self)
    taps = Int(words[0])
    phases = Int(words[1])
    accumulators = Int(words[2])
    folded = words[3] != 0
    foldedVectors = Int(words[4])
    vectors = header + Self.headerBytes
    self.scratch = scratch
  }

  init(
    vectors: UnsafeRawPointer, taps: Int, phases: Int, accumulators: Int,
    scratch: UnsafeMutableRawPointer, folded: Bool, foldedVectors: Int
  ) {
    self.vectors = vectors
    self.taps = taps
    self.phases = phases
    self.accumulators = accumulators
    self.scratch = scratch
    self.folded = folded
    self.foldedVectors = foldedVectors
  }

  /// 64-byte vectors per `FoldedRequantization` in this build (its layout differs by target).
  static var foldedVectorsThisBuild: Int { MemoryLayout<FoldedRequantization>.stride / 64 }

  /// Segment phases: lane l of segment k is channel (k * segmentBytes + l) % channels, which
  /// repeats after channels / gcd(channels, segmentBytes) segments.
  static func phases(channels: Int, segmentBytes: Int) -> Int {
    var a = channels
    var b = segmentBytes
    while b != 0 { (a, b) = (b, a % b) }
    return channels / a
  }

  static func bytes(filterShape: Shape4, accumulators: Int, foldedVectors: Int) -> Int {
    let phases = phases(channels: filterShape.c, segmentBytes: 16 * accumulators)
    return headerBytes + phases * (fields + filterShape.h * filterShape.w + foldedVectors)
      * accumulators * 64
  }

  var phaseVectors: Int { (Self.fields + taps + foldedVectors) * accumulators }
  var segmentBytes: Int { 16 * accumulators }

  /// Field `f` of phase `q`, accumulator `j`.
  @inline(__always)
  func parameter(_ f: Field, _ q: Int, _ j: Int) -> SIMD16<Int32> {
    (vectors + 64 * (q * phaseVectors + f.rawValue * accumulators + j)).loadUnaligned(
      as: SIMD16<Int32>.self)
  }

  /// Accumulator `j`'s folded requantisation in phase `q` (when `folded`).
  @inline(__always)
  func foldedRequantization(_ q: Int, _ j: Int) -> FoldedRequantization {
    let vector = q * phaseVectors + (Self.fields + taps) * accumulators + j * foldedVectors
    return (vectors + 64 * vector).loadUnaligned(as: FoldedRequantization.self)
  }

  /// Tap `t`'s weights in phase `q` for accumulator `j`, as `Block.packWeights` wrote them.
  @inline(__always)
  func weights(_ q: Int, tap t: Int, _ j: Int) -> SIMD16<Int32> {
    (vectors + 64 * (q * phaseVectors + (Self.fields + t) * accumulators + j)).loadUnaligned(
      as: SIMD16<Int32>.self)
  }
}

/// One vector path's segment of the depthwise kernel.
protocol DepthwiseBlock {
  /// Accumulators of 16 lanes per segment.
  static var accumulators: Int { get }
  /// What the path adds to every input byte (128 for the unsigned bytes of `vpdpbusd`).
  static var inputBias: Int32 { get }
  /// Writes a tap's weights `w(l)` of the segment's bytes l for accumulator j into the 64 bytes
  /// at `vector`.
  static func packWeights(_ w: (Int) -> Int8, _ j: Int, into vector: UnsafeMutableRawPointer)
  /// One segment: acc = start + Σ_t w_t x_t with x_t the bytes at `sources[t] + offset`,
  /// requantised, and `count` bytes stored at `out`.
  static func run<Finish: DepthwiseFinish>(
    _ sources: UnsafePointer<UnsafePointer<Int8>>, offset: Int, phase q: Int,
    _ w: PackedDepthwiseWeights, _ finish: Finish, _ out: UnsafeMutablePointer<Int8>,
    count: Int)
}

/// Packs the filter `[1, kH, kW, outC]`, the bias and the per-channel multipliers for
/// `Block` into `memory` (`PackedDepthwiseWeights.bytes` long); returns the header's address.
func packDepthwiseWeights<Block: DepthwiseBlock>(
  _: Block.Type, _ p: DepthwiseParams, filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?, outputMultiplier: UnsafePointer<Int32>,
  outputShift: UnsafePointer<Int32>, foldedVectors: Int, into memory: UnsafeMutableRawPointer
) -> UnsafeRawPointer {
  let channels = filterShape.c
  let taps = filterShape.h * filterShape.w
  let n = Block.accumulators
  var folded = foldedVectors > 0
  for c in 0..<channels where folded {
    let bound = FoldedRequantization.accumulatorBound(bias: bias?[c] ?? 0, count: taps) {
      filter[$0 * channels + c]
    }
    folded = FoldedRequantization.supports(
      multiplier: outputMultiplier[c], shift: outputShift[c], accumulatorBound: bound)
  }
  let packed = PackedDepthwiseWeights(
    vectors: UnsafeRawPointer(memory + PackedDepthwiseWeights.headerBytes), taps: taps,
    phases: PackedDepthwiseWeights.phases(channels: channels, segmentBytes: 16 * n),
    accumulators: n, scratch: memory, folded: folded, foldedVectors: foldedVectors)
  let header = memory.bindMemory(to: Int32.self, capacity: 5)
  header[0] = Int32(truncatingIfNeeded: taps)
  header[1] = Int32(truncatingIfNeeded: packed.phases)
  header[2] = Int32(truncatingIfNeeded: n)
  header[3] = folded ? 1 : 0
  header[4] = Int32(truncatingIfNeeded: foldedVectors)
  let words = (memory + PackedDepthwiseWeights.headerBytes).bindMemory(
    to: Int32.self, capacity: packed.phases * packed.phaseVectors * 16)
  typealias Field = PackedDepthwiseWeights.Field
  for q in 0..<packed.phases {
    let phase = words + q * packed.phaseVectors * 16
    for l in 0..<packed.segmentBytes {
      let c = (q * packed.segmentBytes + l) % channels
      // Byte l of the segment is lane l / n of accumulator l % n.
      let word = phase + (l % n) * 16 + l / n
      let fieldStride = n * 16
      var weightSum: Int32 = 0
      for t in 0..<taps { weightSum &+= Int32(filter[t * channels + c]) }
      let shift = outputShift[c]
      word[Field.start.rawValue * fieldStride] =
        (bias?[c] ?? 0) &+ (p.inputOffset &- Block.inputBias) &* weightSum
      word[Field.multiplier.rawValue * fieldStride] = outputMultiplier[c]
      word[Field.leftShift.rawValue * fieldStride] = shift > 0 ? shift : 0
      word[Field.rightShift.rawValue * fieldStride] = shift > 0 ? 0 : -shift
    }
    for t in 0..<taps {
      for j in 0..<n {
        let vector = UnsafeMutableRawPointer(
          phase + ((PackedDepthwiseWeights.fields + t) * n + j) * 16)
        let first = q * packed.segmentBytes
        Block.packWeights({ filter[t * channels + (first + $0) % channels] }, j, into: vector)
      }
    }
    guard folded else { continue }
    for j in 0..<n {
      let requantization = FoldedRequantization(
        multipliers: packed.parameter(.multiplier, q, j),
        rightShifts: packed.parameter(.rightShift, q, j))
      let vector =
        (PackedDepthwiseWeights.fields + taps) * n + j * foldedVectors
      let at = UnsafeMutableRawPointer(phase + vector * 16)
      at.storeBytes(of: requantization, as: FoldedRequantization.self)
    }
  }
  return UnsafeRawPointer(memory)
}

/// Where the kernel's scratch goes: a source pointer per tap, a row of zero-point bytes (the
/// rows above and below the image), and per filter row `strideW` phase rows of the padded input.
struct DepthwiseScratchLayout {
  let taps: Int
  /// Pixels of a phase row: every output column plus the filter's reach in phase columns.
  let rowPixels: Int
  let rowBytes: Int  // rowPixels * outC plus a segment of slack for the last loads
  let phaseRows: Int

  /// The scratch of `g`, the geometry the kernel runs (never the operator's own shapes: a map
  /// one pixel wide runs as one pixel high).
  init(_ g: DepthwiseGeometry) {
    taps = g.filterShape.h * g.filterShape.w
    rowPixels =
      g.outputShape.w + (g.filterShape.w - 1) * g.params.dilationWidthFactor / g.params.strideWidth
    rowBytes = rowPixels * g.outputShape.c + 64
    phaseRows = g.filterShape.h * g.params.strideWidth
  }

  /// Room for one tap's source pointer: 8 bytes on every target, so the scratch (and with it
  /// the tensor plan, which the host computes for a chip's flash) is the same on a 32-bit chip.
  static let sourceSlotBytes = 8

  var bytes: Int { taps * Self.sourceSlotBytes + (1 + phaseRows) * rowBytes }

  func sources(_ scratch: UnsafeMutableRawPointer) -> UnsafeMutablePointer<UnsafePointer<Int8>> {
    scratch.bindMemory(to: UnsafePointer<Int8>.self, capacity: taps)
  }

  /// Row 0 is the zero-point row; row 1 + ky * strideW + phase the phase rows.
  func row(_ scratch: UnsafeMutableRawPointer, _ r: Int) -> UnsafeMutablePointer<Int8> {
    (scratch + taps * Self.sourceSlotBytes + r * rowBytes)
      .assumingMemoryBound(to: Int8.self)
  }
}

/// The optimized DEPTHWISE_CONV_2D (see the top of this file); the weights' scratch holds
/// `DepthwiseScratchLayout.bytes`.
func depthwiseConv2DPerChannelInt8SIMD<Block: DepthwiseBlock, Finish: DepthwiseFinish>(
  _: Block.Type, _ finish: Finish, _ g: DepthwiseGeometry, packed: PackedDepthwiseWeights,
  input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  let (p, inputShape, filterShape, outputShape) = (
    g.params, g.inputShape, g.filterShape, g.outputShape
  )
  let layout = DepthwiseScratchLayout(g)
  let scratch = packed.scratch
  let sources = layout.sources(scratch)
  let zeroPoint = Int8(truncatingIfNeeded: -p.inputOffset)
  let zeroRow = layout.row(scratch, 0)
  // The zero-point row and every slot's padding columns, once: a slot keeps its phase, so the
  // copies below only ever write its inside columns (two fewer `memset`s per copied row).
  zeroRow.initialize(repeating: zeroPoint, count: (1 + layout.phaseRows) * layout.rowBytes)
  let channels = outputShape.c
  let outputRowBytes = outputShape.w * channels
  // Without dilation an output row's filter rows read consecutive input rows, and the next
  // output row reads most of them again (stride 1 of a 3x3: two of three): input row inY keeps
  // slot inY % kH, copied once per batch. Dilated, slot kY, copied every time.
  let reuse = p.dilationHeightFactor == 1
  for batch in 0..<outputShape.n {
    var copiedEnd = 0  // input rows below this one are in their slots (when `reuse`)
    for outY in 0..<outputShape.h {
      // The phase rows of each filter row, and the taps' runs in them.
      for kY in 0..<filterShape.h {
        let inY = outY * p.strideHeight - p.paddingValues.height + kY * p.dilationHeightFactor
        let inside = inY >= 0 && inY < inputShape.h
        let slot = reuse && inside ? inY % filterShape.h : kY
        if inside && !(reuse && inY < copiedEnd) {
          for phase in 0..<p.strideWidth {
            copyPhaseRow(
              p, phase: phase, from: input + inputShape.offset(batch, inY, 0, 0),
              inputShape: inputShape, outputChannels: channels, pixels: layout.rowPixels,
              to: layout.row(scratch, 1 + slot * p.strideWidth + phase))
          }
          copiedEnd = inY + 1
        }
        for kX in 0..<filterShape.w {
          let reach = kX * p.dilationWidthFactor
          let row =
            inside
            ? layout.row(scratch, 1 + slot * p.strideWidth + reach % p.strideWidth) : zeroRow
          sources[kY * filterShape.w + kX] = UnsafePointer(row + reach / p.strideWidth * channels)
        }
      }
      let out = output + outputShape.offset(batch, outY, 0, 0)
      var offset = 0
      var phase = 0
      while offset < outputRowBytes {
        let count = min(packed.segmentBytes, outputRowBytes - offset)
        Block.run(
          UnsafePointer(sources), offset: offset, phase: phase, packed, finish, out + offset,
          count: count)
        offset += packed.segmentBytes
        phase = phase + 1 == packed.phases ? 0 : phase + 1
      }
    }
  }
}

/// Phase row `phase` of an input row: pixels `phase, phase + strideW, ...` of the row padded
/// with `paddingValues.width` columns of zero-point bytes on the left (and as many as needed on
/// the right), each pixel's channels repeated `depthMultiplier` times. Only the inside columns
/// are written: the padding columns hold the zero point already (the kernel fills its phase rows
/// once per call, and the padding of a phase depends on nothing else).
@inline(__always)
func copyPhaseRow(
  _ p: DepthwiseParams, phase: Int, from row: UnsafePointer<Int8>, inputShape: Shape4,
  outputChannels: Int, pixels: Int, to destination: UnsafeMutablePointer<Int8>
) {
  let s = p.strideWidth
  let left = p.paddingValues.width
  // Phase pixel k is input column phase + k * s - left: inside for k in first..<end.
  let first = min(max(0, (left - phase + s - 1) / s), pixels)
  let limit = inputShape.w + left - phase  // columns below this (after padding) are inside
  let end = max(first, min(pixels, limit <= 0 ? 0 : (limit - 1) / s + 1))
  guard first < end else { return }
  let firstColumn = phase + first * s - left
  let c = inputShape.c
  if p.depthMultiplier == 1 && s == 1 {
    (destination + first * c).update(from: row + firstColumn * c, count: (end - first) * c)
  } else if p.depthMultiplier == 1 {
    for k in first..<end {
      copyPixel(row + (firstColumn + (k - first) * s) * c, to: destination + k * c, bytes: c)
    }
  } else {
    let m = p.depthMultiplier
    for k in first..<end {
      let pixel = row + (firstColumn + (k - first) * s) * c
      let to = destination + k * outputChannels
      for oc in 0..<outputChannels { to[oc] = pixel[oc / m] }
    }
  }
}

/// One pixel's `bytes` channels: whole 16-, 8- or 4-byte words where the count allows (a strided
/// phase row copies thousands of small pixels, and a `memmove` call each cost more than the
/// convolution), else byte by byte.
@inline(__always)
func copyPixel(_ from: UnsafePointer<Int8>, to: UnsafeMutablePointer<Int8>, bytes: Int) {
  let source = UnsafeRawPointer(from)
  let destination = UnsafeMutableRawPointer(to)
  if bytes % 16 == 0 {
    for i in stride(from: 0, to: bytes, by: 16) {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: i, as: SIMD2<UInt64>.self), toByteOffset: i,
        as: SIMD2<UInt64>.self)
    }
  } else if bytes % 8 == 0 {
    for i in stride(from: 0, to: bytes, by: 8) {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i,
        as: UInt64.self)
    }
  } else if bytes % 4 == 0 {
    for i in stride(from: 0, to: bytes, by: 4) {
      destination.storeBytes(
        of: source.loadUnaligned(fromByteOffset: i, as: UInt32.self), toByteOffset: i,
        as: UInt32.self)
    }
  } else {
    for i in 0..<bytes { to[i] = from[i] }
  }
}

/// Without AVX-512 VNNI: 32-byte segments, the even bytes in accumulator 0 and the odd in 1.
enum PairDepthwiseBlock: DepthwiseBlock {
  static var accumulators: Int { 2 }
  static var inputBias: Int32 { 0 }

  static func packWeights(_ w: (Int) -> Int8, _ j: Int, into vector: UnsafeMutableRawPointer) {
    let lanes = vector.bindMemory(to: Int32.self, capacity: 16)
    for i in 0..<16 { lanes[i] = Int32(w(2 * i + j)) }
  }

  @inline(__always)
  static func run<Finish: DepthwiseFinish>(
    _ sources: UnsafePointer<UnsafePointer<Int8>>, offset: Int, phase q: Int,
    _ w: PackedDepthwiseWeights, _ finish: Finish, _ out: UnsafeMutablePointer<Int8>,
    count: Int
  ) {
    var even = w.parameter(.start, q, 0)
    var odd = w.parameter(.start, q, 1)
    // Sixteen-lane loops and shifts only: a 32-lane loop (widening the 32 bytes to int16 lanes,
    // narrowing them back) stayed a scalar loop through memory, 100x slower than the rest.
    for t in 0..<w.taps {
      // Byte pair i as one int16 lane, sign-extended: its low byte is even byte 2i, its high
      // byte odd byte 2i + 1.
      let pair = widen(
        UnsafeRawPointer(sources[t] + offset).loadUnaligned(as: SIMD16<Int16>.self))
      even &+= ((pair &<< 24) &>> 24) &* w.weights(q, tap: t, 0)
      odd &+= (pair &>> 8) &* w.weights(q, tap: t, 1)
    }
    // Each int32 lane becomes the two bytes (even, odd) of one uint16 lane, so that the 16
    // lanes in order are the 32 bytes in order.
    let low = SIMD16<Int32>(repeating: 0xFF)
    let pairs = (finish.clamped(even, q, 0) & low) | ((finish.clamped(odd, q, 1) & low) &<< 8)
    var halves = SIMD16<UInt16>()
    for j in 0..<16 { halves[j] = UInt16(truncatingIfNeeded: pairs[j]) }
    let bytes = unsafeBitCast(halves, to: SIMD32<Int8>.self)
    if count == 32 { return storeWhole(bytes, out) }
    storeBytes(unsafeBitCast(bytes, to: (SIMD16<Int8>, SIMD16<Int8>).self), out, count: count)
  }
}

#if AVX512 && canImport(X86DotProduct)
  import X86DotProduct

  /// AVX-512 VNNI: 64-byte segments, byte 4i + j in lane i of accumulator j.
  enum DotProductDepthwiseBlock: DepthwiseBlock {
    static var accumulators: Int { 4 }
    static var inputBias: Int32 { 128 }

    /// The 64 weights with only byte 4i + j of each lane kept.
    static func packWeights(_ w: (Int) -> Int8, _ j: Int, into vector: UnsafeMutableRawPointer) {
      let bytes = vector.bindMemory(to: Int8.self, capacity: 64)
      for l in 0..<64 { bytes[l] = l % 4 == j ? w(l) : 0 }
    }

    @inline(__always)
    static func run<Finish: DepthwiseFinish>(
      _ sources: UnsafePointer<UnsafePointer<Int8>>, offset: Int, phase q: Int,
      _ w: PackedDepthwiseWeights, _ finish: Finish, _ out: UnsafeMutablePointer<Int8>,
      count: Int
    ) {
      var a0 = w.parameter(.start, q, 0)
      var a1 = w.parameter(.start, q, 1)
      var a2 = w.parameter(.start, q, 2)
      var a3 = w.parameter(.start, q, 3)
      let flip = SIMD16<Int32>(repeating: Int32(bitPattern: 0x8080_8080))
      for t in 0..<w.taps {
        let x =
          UnsafeRawPointer(sources[t] + offset).loadUnaligned(as: SIMD16<Int32>.self) ^ flip
        a0 = dotAccumulateU8S8(a0, x, w.weights(q, tap: t, 0))
        a1 = dotAccumulateU8S8(a1, x, w.weights(q, tap: t, 1))
        a2 = dotAccumulateU8S8(a2, x, w.weights(q, tap: t, 2))
        a3 = dotAccumulateU8S8(a3, x, w.weights(q, tap: t, 3))
      }
      // Saturated to int8 and interleaved in four instructions; the saturation is the clamp
      // when the activation keeps the whole int8 range (ReLU's and the converter's usual case).
      let bytes: SIMD64<Int8>
      if finish.clamp.isWholeRange {
        bytes = interleavedSaturatingToInt8(
          finish.offsetRequantized(a0, q, 0), finish.offsetRequantized(a1, q, 1),
          finish.offsetRequantized(a2, q, 2), finish.offsetRequantized(a3, q, 3))
      } else {
        bytes = interleavedSaturatingToInt8(
          finish.clamped(a0, q, 0), finish.clamped(a1, q, 1), finish.clamped(a2, q, 2),
          finish.clamped(a3, q, 3))
      }
      if count == 64 { return storeWhole(bytes, out) }
      let groups = unsafeBitCast(
        bytes, to: (SIMD16<Int8>, SIMD16<Int8>, SIMD16<Int8>, SIMD16<Int8>).self)
      storeBytes((groups.0, groups.1), out, count: count)
      if count > 32 { storeBytes((groups.2, groups.3), out + 32, count: count - 32) }
    }
  }
#endif

/// A whole segment in one store. (Stored in 16-byte groups instead, LLVM splits the clamp
/// before it into 16-byte pieces too, with mask round trips: a quarter of the layer's time.)
@_transparent
func storeWhole<Segment: SIMD>(_ segment: Segment, _ out: UnsafeMutablePointer<Int8>) {
  var v = segment
  withUnsafeBytes(of: &v) {
    UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
  }
}

/// The first `count` (up to 32) of 32 bytes at `out`.
@inline(__always)
func storeBytes(
  _ bytes: (SIMD16<Int8>, SIMD16<Int8>), _ out: UnsafeMutablePointer<Int8>, count: Int
) {
  storeGroup(bytes.0, channels: count, 0, out)
  if count > 16 { storeGroup(bytes.1, channels: count - 16, 0, out + 16) }
}

/// The accumulators per depthwise segment of this module's `DepthwiseBlock`.
var depthwiseAccumulators: Int {
  #if AVX512 && canImport(X86DotProduct)
    DotProductDepthwiseBlock.accumulators
  #else
    PairDepthwiseBlock.accumulators
  #endif
}

/// The vectors per accumulator and phase this module's packing keeps for
/// `FoldedRequantization`s. The portable set (the Runtime module's compilation) keeps none on
/// every machine: its layout is a microcontroller's, where the exact finish runs (no 64-bit
/// lanes), so the host packs a firmware's constants as the chip would. The x86-64 sets fold.
var depthwiseFoldedVectors: Int {
  #if AVX2 || AVX512
    PackedDepthwiseWeights.foldedVectorsThisBuild
  #else
    0
  #endif
}

/// The bytes this module's `packDepthwiseWeights` may write for a `[1, kH, kW, channels]` filter:
/// the AVX-512 VNNI one packs vertical quads where it can (DepthwiseConv2DInt8VNNI.swift), the
/// segment block's layout otherwise.
func packedDepthwiseFilterBytes(filterShape: Shape4) -> Int {
  let segments = PackedDepthwiseWeights.bytes(
    filterShape: filterShape, accumulators: depthwiseAccumulators,
    foldedVectors: depthwiseFoldedVectors)
  #if AVX512 && canImport(X86DotProduct)
    return max(segments, VerticalQuadDepthwiseWeights.bytes(filterShape: filterShape))
  #else
    return segments
  #endif
}

/// Packs for this module's block (see `packDepthwiseWeights`).
func packDepthwiseWeights(
  _ p: DepthwiseParams, filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?, outputMultiplier: UnsafePointer<Int32>,
  outputShift: UnsafePointer<Int32>, into memory: UnsafeMutableRawPointer
) -> UnsafeRawPointer {
  #if AVX512 && canImport(X86DotProduct)
    if VerticalQuadDepthwiseWeights.supports(p, filterShape: filterShape),
      VerticalQuadDepthwiseWeights.pack(
        p, filterShape: filterShape, filter: filter, bias: bias,
        outputMultiplier: outputMultiplier, outputShift: outputShift, into: memory)
    {
      return UnsafeRawPointer(memory)
    }
    return packDepthwiseWeights(
      DotProductDepthwiseBlock.self, p, filterShape: filterShape, filter: filter, bias: bias,
      outputMultiplier: outputMultiplier, outputShift: outputShift,
      foldedVectors: depthwiseFoldedVectors, into: memory)
  #else
    return packDepthwiseWeights(
      PairDepthwiseBlock.self, p, filterShape: filterShape, filter: filter, bias: bias,
      outputMultiplier: outputMultiplier, outputShift: outputShift,
      foldedVectors: depthwiseFoldedVectors, into: memory)
  #endif
}

/// Runs the block the weights at `header` were packed for, with the folded requantisation when
/// every channel allows it.
func runDepthwiseConv2DSIMD(
  _ p: DepthwiseParams, packed header: UnsafeRawPointer, scratch: UnsafeMutableRawPointer,
  inputShape: Shape4, input: UnsafePointer<Int8>, filterShape: Shape4, outputShape: Shape4,
  output: UnsafeMutablePointer<Int8>
) {
  #if AVX512 && canImport(X86DotProduct)
    if VerticalQuadDepthwiseWeights.isPacked(at: header) {
      return depthwiseConv2DVerticalQuads(
        p, packed: VerticalQuadDepthwiseWeights(at: header), inputShape: inputShape,
        input: input, filterShape: filterShape, outputShape: outputShape, output: output)
    }
  #endif
  let packed = PackedDepthwiseWeights(header: header, scratch: scratch)
  let geometry = DepthwiseGeometry(
    p, inputShape: inputShape, filterShape: filterShape, outputShape: outputShape)
  let clamp = OutputClamp(p)
  // On 32-bit targets the folded form is the exact one (no 64-bit lanes there): one copy of
  // the kernel keeps the Cortex-M0 image inside its 256 KiB of flash.
  #if arch(x86_64) || arch(arm64)
    let folded = packed.folded
  #else
    let folded = false
  #endif
  if folded {
    runDepthwiseConv2DSIMD(
      FoldedDepthwiseFinish(packed: packed, clamp: clamp), geometry, packed: packed,
      input: input, output: output)
  } else {
    runDepthwiseConv2DSIMD(
      ExactDepthwiseFinish(packed: packed, clamp: clamp), geometry, packed: packed,
      input: input, output: output)
  }
}

@inline(__always)
func runDepthwiseConv2DSIMD<Finish: DepthwiseFinish>(
  _ finish: Finish, _ g: DepthwiseGeometry, packed: PackedDepthwiseWeights,
  input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  #if AVX512 && canImport(X86DotProduct)
    if packed.accumulators == DotProductDepthwiseBlock.accumulators {
      return depthwiseConv2DPerChannelInt8SIMD(
        DotProductDepthwiseBlock.self, finish, g, packed: packed, input: input, output: output)
    }
  #endif
  depthwiseConv2DPerChannelInt8SIMD(
    PairDepthwiseBlock.self, finish, g, packed: packed, input: input, output: output)
}

/// The requantisation of a segment's accumulators: accumulator j of phase q requantised and
/// offset (`offsetRequantized`), then clamped (`clamped`).
protocol DepthwiseFinish {
  var clamp: OutputClamp { get }
  func offsetRequantized(_ acc: SIMD16<Int32>, _ q: Int, _ j: Int) -> SIMD16<Int32>
}

extension DepthwiseFinish {
  @_transparent
  func clamped(_ acc: SIMD16<Int32>, _ q: Int, _ j: Int) -> SIMD16<Int32> {
    clamp(offsetRequantized(acc, q, j))
  }
}

/// The output zero point and the activation's clamp.
struct OutputClamp {
  let offset: SIMD16<Int32>
  let low: SIMD16<Int32>
  let high: SIMD16<Int32>
  /// The bounds are -128 and 127: saturating to int8 clamps.
  let isWholeRange: Bool

  init(_ p: DepthwiseParams) {
    offset = SIMD16(repeating: p.outputOffset)
    low = SIMD16(repeating: p.quantizedActivationMin)
    high = SIMD16(repeating: p.quantizedActivationMax)
    isWholeRange = p.quantizedActivationMin == -128 && p.quantizedActivationMax == 127
  }

  @_transparent
  func callAsFunction(_ v: SIMD16<Int32>) -> SIMD16<Int32> {
    // Lane by lane with vector bounds: LLVM makes this `vpmaxsd`/`vpminsd` on whole vectors.
    // With scalar bounds its SLP vectorizer split the clamp and the byte interleaving after it
    // into 16-byte pieces with extracts (some 50 more instructions per 64-byte segment);
    // `replace(with:where:)` became compare, mask-to-vector and blends; `pointwiseMax` stays an
    // out-of-line generic call.
    var r = SIMD16<Int32>()
    for l in 0..<16 { r[l] = Swift.min(Swift.max(v[l], low[l]), high[l]) }
    return r
  }
}

/// Any multipliers: the reference's two roundings (`requantized`).
struct ExactDepthwiseFinish: DepthwiseFinish {
  let packed: PackedDepthwiseWeights
  let clamp: OutputClamp

  @_transparent
  func offsetRequantized(_ acc: SIMD16<Int32>, _ q: Int, _ j: Int) -> SIMD16<Int32> {
    requantized(
      acc, multiplier: packed.parameter(.multiplier, q, j),
      leftShift: packed.parameter(.leftShift, q, j),
      rightShift: packed.parameter(.rightShift, q, j)) &+ clamp.offset
  }
}

/// Multipliers without a left shift: one rounding (`FoldedRequantization`).
struct FoldedDepthwiseFinish: DepthwiseFinish {
  let packed: PackedDepthwiseWeights
  let clamp: OutputClamp

  @_transparent
  func offsetRequantized(_ acc: SIMD16<Int32>, _ q: Int, _ j: Int) -> SIMD16<Int32> {
    packed.foldedRequantization(q, j).apply(acc) &+ clamp.offset
  }
}
