// DEPTHWISE_CONV_2D on AVX-512 VNNI by vertical quads. `vpdpbusd` adds four byte products to
// each int32 lane, and the products of one depthwise output channel are its own taps: so a lane
// holds one channel, and its four bytes hold up to four filter rows of one filter column,
//
//     acc[c] += Σ_{r < 4} u(iy0 + r * dH, ix, c) * w(r, kx, c)       (w(r, kx, c) = 0 for r >= kH)
//
// For one output row, input column ix becomes a "column": per channel, the dword of the
// activations of those (up to) four rows (`column`). Each output pixel then takes kW `vpdpbusd`,
// one per filter column, on columns built once for the row: 16 channels x 4 taps each.
//
// Exactness, as CONV_2D's GEMM (Conv2DInt8VNNI.swift): the activations go in as bytes
// u = x + 128 and a tap outside the image as the zero point's byte (u = 128 - inputOffset, so
// that u - (128 - inputOffset) = 0), hence acc = bias + Σ w u + (inputOffset - 128) Σ w in
// wrapping int32, equal to the reference's bias + Σ w (x + inputOffset); the last term is packed
// into each channel's start. The requantisation is the folded one with the output offset inside
// (`FoldedRequantization.addingOffset`). Filters of more than 4 rows or of one column, a depth
// multiplier, channels that leave a group partial, a filter column reach over `columnCache`, or
// a multiplier the fold cannot take keep the segment kernel (DepthwiseConv2DInt8SIMD.swift;
// `VerticalQuadDepthwiseWeights.supports`).

#if AVX512 && canImport(X86DotProduct)
  import X86DotProduct

  /// The weights packed for `depthwiseConv2DVerticalQuads`, per group of 16 channels:
  ///
  ///     header   64 bytes: Int32 words marker (-1), kW, kH, groups
  ///     per group: start [16] Int32            bias + (inputOffset - 128) * Σ_taps w, 0 past
  ///                                            the channels
  ///                weights [kW][16][4] Int8     w(r, kx, 16g + lane) at byte r, 0 for r >= kH
  ///                                            and past the channels
  ///                folded  FoldedRequantization  with the output offset added
  struct VerticalQuadDepthwiseWeights {
    /// Word 0 of the header: `PackedDepthwiseWeights` keeps its tap count there, never negative.
    static let marker: Int32 = -1
    static let headerBytes = 64
    /// Columns one output row's chunk builds at a time, on the stack (1 KiB).
    static let columnCache = 16

    let groups: Int
    let kW: Int
    let vectors: UnsafeRawPointer

    static func groupBytes(kW: Int) -> Int {
      64 * (1 + kW) + MemoryLayout<FoldedRequantization>.stride
    }

    static func bytes(filterShape: Shape4) -> Int {
      headerBytes + (filterShape.c + 15) / 16 * groupBytes(kW: filterShape.w)
    }

    /// The shapes this packing takes (the multipliers are checked when packing). A filter one
    /// column wide (a 1-D net's kx1 along time) shares no column between pixels, and channels
    /// that leave a group partial waste its lanes: the segment kernel is faster on both
    /// (wake-word 15x1x128: 0.9 against 1.2 us; MobileNet's 48x48x8: 10.8 against 17.3 us, the
    /// latter measured before the loops were reordered).
    static func supports(_ p: DepthwiseParams, filterShape: Shape4) -> Bool {
      p.depthMultiplier == 1 && filterShape.h <= 4 && filterShape.w >= 2
        && filterShape.c % 16 == 0 && (filterShape.w - 1) * p.dilationWidthFactor < columnCache
    }

    /// Whether `memory` holds this packing (else `PackedDepthwiseWeights`).
    static func isPacked(at memory: UnsafeRawPointer) -> Bool {
      memory.load(as: Int32.self) == marker
    }

    init(at memory: UnsafeRawPointer) {
      let words = memory.assumingMemoryBound(to: Int32.self)
      kW = Int(words[1])
      groups = Int(words[3])
      vectors = memory + Self.headerBytes
    }

    /// Packs `filter` (`[1, kH, kW, channels]`) into `memory` and returns true, or writes nothing
    /// and returns false when a channel's requantisation does not fold.
    static func pack(
      _ p: DepthwiseParams, filterShape: Shape4, filter: UnsafePointer<Int8>,
      bias: UnsafePointer<Int32>?, outputMultiplier: UnsafePointer<Int32>,
      outputShift: UnsafePointer<Int32>, into memory: UnsafeMutableRawPointer
    ) -> Bool {
      let channels = filterShape.c
      let (kH, kW) = (filterShape.h, filterShape.w)
      let taps = kH * kW
      for c in 0..<channels {
        let bound = FoldedRequantization.accumulatorBound(bias: bias?[c] ?? 0, count: taps) {
          filter[$0 * channels + c]
        }
        guard
          FoldedRequantization.supportsAddingOffset(
            multiplier: outputMultiplier[c], shift: outputShift[c], accumulatorBound: bound)
        else { return false }
      }
      let groups = (channels + 15) / 16
      let words = memory.bindMemory(to: Int32.self, capacity: headerBytes / 4)
      for i in 0..<headerBytes / 4 { words[i] = 0 }
      words[0] = marker
      words[1] = Int32(kW)
      words[2] = Int32(kH)
      words[3] = Int32(groups)
      for g in 0..<groups {
        let block = memory + headerBytes + g * groupBytes(kW: kW)
        var start = SIMD16<Int32>()
        var multipliers = SIMD16<Int32>()
        var rightShifts = SIMD16<Int32>()
        let bytes = (block + 64).assumingMemoryBound(to: Int8.self)
        for lane in 0..<16 {
          let c = 16 * g + lane
          var sum: Int32 = 0
          for kx in 0..<kW {
            for r in 0..<4 {
              let w = c < channels && r < kH ? filter[(r * kW + kx) * channels + c] : 0
              bytes[64 * kx + 4 * lane + r] = w
              sum = sum &+ Int32(w)
            }
          }
          guard c < channels else { continue }
          start[lane] = (bias?[c] ?? 0) &+ (p.inputOffset &- 128) &* sum
          multipliers[lane] = outputMultiplier[c]
          rightShifts[lane] = -outputShift[c]
        }
        block.storeBytes(of: start, as: SIMD16<Int32>.self)
        let folded = FoldedRequantization(multipliers: multipliers, rightShifts: rightShifts)
          .addingOffset(SIMD16(repeating: p.outputOffset))
        (block + 64 * (1 + kW)).storeBytes(of: folded, as: FoldedRequantization.self)
      }
      return true
    }

    @inline(__always)
    func block(_ g: Int) -> UnsafeRawPointer { vectors + g * Self.groupBytes(kW: kW) }
  }

  /// DEPTHWISE_CONV_2D (depth multiplier 1, at most 4 filter rows) on weights packed by
  /// `VerticalQuadDepthwiseWeights.pack`: the same bytes as
  /// `depthwiseConv2DPerChannelInt8Reference`. One compilation per row count and output range,
  /// so that the row loop unrolls and no pixel tests the range (each had cost a third of the
  /// time in a branchy loop).
  func depthwiseConv2DVerticalQuads(
    _ p: DepthwiseParams, packed: VerticalQuadDepthwiseWeights, inputShape: Shape4,
    input: UnsafePointer<Int8>, filterShape: Shape4, outputShape: Shape4,
    output: UnsafeMutablePointer<Int8>
  ) {
    if p.quantizedActivationMin == -128 && p.quantizedActivationMax == 127 {
      verticalQuads(
        rows: filterShape.h, p, WholeRange(), packed, inputShape, input, filterShape, outputShape,
        output)
    } else {
      let range = ClampedRange(
        minimum: SIMD16(repeating: p.quantizedActivationMin),
        maximum: SIMD16(repeating: p.quantizedActivationMax))
      verticalQuads(
        rows: filterShape.h, p, range, packed, inputShape, input, filterShape, outputShape, output)
    }
  }

  @inline(__always)
  private func verticalQuads<Range: VerticalQuadRange>(
    rows: Int, _ p: DepthwiseParams, _ range: Range, _ packed: VerticalQuadDepthwiseWeights,
    _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ filterShape: Shape4,
    _ outputShape: Shape4, _ output: UnsafeMutablePointer<Int8>
  ) {
    switch rows {
    case 1:
      verticalQuads(
        OneRow.self, p, range, packed, inputShape, input, filterShape, outputShape, output)
    case 2:
      verticalQuads(
        TwoRows.self, p, range, packed, inputShape, input, filterShape, outputShape, output)
    case 3:
      verticalQuads(
        ThreeRows.self, p, range, packed, inputShape, input, filterShape, outputShape, output)
    default:
      verticalQuads(
        FourRows.self, p, range, packed, inputShape, input, filterShape, outputShape, output)
    }
  }

  /// The filter's row count as a type, so that a compilation's row loop has a constant count.
  protocol VerticalQuadRows { static var count: Int { get } }
  enum OneRow: VerticalQuadRows { static var count: Int { 1 } }
  enum TwoRows: VerticalQuadRows { static var count: Int { 2 } }
  enum ThreeRows: VerticalQuadRows { static var count: Int { 3 } }
  enum FourRows: VerticalQuadRows { static var count: Int { 4 } }

  /// The activation's clamp with the narrowing to int8.
  protocol VerticalQuadRange { func bytes(_ y: SIMD16<Int32>) -> SIMD16<Int8> }

  /// -128...127: the saturating narrow is the clamp.
  struct WholeRange: VerticalQuadRange {
    @_transparent
    func bytes(_ y: SIMD16<Int32>) -> SIMD16<Int8> { narrowSaturatingToInt8(y) }
  }

  struct ClampedRange: VerticalQuadRange {
    let minimum: SIMD16<Int32>
    let maximum: SIMD16<Int32>

    @_transparent
    func bytes(_ y: SIMD16<Int32>) -> SIMD16<Int8> { clampedToInt8(y, minimum, maximum) }
  }

  /// 16 channels' bytes at `source`, zero-extended to int32 lanes (`vpmovzxbd`); `packing`
  /// takes only whole groups of 16, so no load passes the tensor's end.
  @inline(__always)
  private func widenedBytes(_ source: UnsafePointer<Int8>) -> SIMD16<Int32> {
    SIMD16<Int32>(
      truncatingIfNeeded: UnsafeRawPointer(source).loadUnaligned(as: SIMD16<UInt8>.self))
  }

  @inline(never)
  private func verticalQuads<Rows: VerticalQuadRows, Range: VerticalQuadRange>(
    _: Rows.Type, _ p: DepthwiseParams, _ range: Range, _ packed: VerticalQuadDepthwiseWeights,
    _ inputShape: Shape4, _ input: UnsafePointer<Int8>, _ filterShape: Shape4,
    _ outputShape: Shape4, _ output: UnsafeMutablePointer<Int8>
  ) {
    let channels = inputShape.c
    let kW = filterShape.w
    let (strideH, strideW) = (p.strideHeight, p.strideWidth)
    let (dilationH, dilationW) = (p.dilationHeightFactor, p.dilationWidthFactor)
    let (padTop, padLeft) = (p.paddingValues.height, p.paddingValues.width)
    let pixelBytes = channels
    // A tap outside the image reads the zero point (x + inputOffset = 0); every byte is flipped
    // to u = x + 128 after the column is assembled (the bytes past the rows meet zero weights).
    let zeroPoint = Int32(UInt8(bitPattern: Int8(truncatingIfNeeded: -p.inputOffset)))
    var padColumn = SIMD16<Int32>()
    for r in 0..<Rows.count { padColumn |= SIMD16(repeating: zeroPoint << (8 * r)) }
    let padRow = SIMD16<Int32>(repeating: zeroPoint)
    let flip = SIMD16<Int32>(repeating: Int32(bitPattern: 0x8080_8080))
    // Output pixels per chunk: their columns fit the cache.
    let reach = (kW - 1) * dilationW
    let chunk = (VerticalQuadDepthwiseWeights.columnCache - 1 - reach) / strideW + 1
    // On cache lines: a column that straddles two is stored and read back as two, and the
    // read does not take the store's value from the store buffer (a stall per tap).
    withUnsafeTemporaryAllocation(
      byteCount: 64 * VerticalQuadDepthwiseWeights.columnCache, alignment: 64
    ) { bytes in
      let cache = bytes.baseAddress!.bindMemory(
        to: SIMD16<Int32>.self, capacity: VerticalQuadDepthwiseWeights.columnCache)
      for b in 0..<outputShape.n {
        for oy in 0..<outputShape.h {
          // Each filter row's input row, as the offset of its pixel 0 (-1: outside the image,
          // the zero point's row); the groups and columns share them.
          let inY0 = oy * strideH - padTop
          let outputRow = output + outputShape.offset(b, oy, 0, 0)
          @inline(__always)
          func rowStart(_ r: Int) -> Int {
            let inY = inY0 + r * dilationH
            return inY >= 0 && inY < inputShape.h ? inputShape.offset(b, inY, 0, 0) : -1
          }
          let row0 = rowStart(0)
          let row1 = Rows.count > 1 ? rowStart(1) : 0
          let row2 = Rows.count > 2 ? rowStart(2) : 0
          let row3 = Rows.count > 3 ? rowStart(3) : 0
          let allRows = row0 >= 0 && row1 >= 0 && row2 >= 0 && row3 >= 0
          @inline(__always)
          func rowBytes(_ start: Int, _ pixel: UnsafePointer<Int8>) -> SIMD16<Int32> {
            start < 0 ? padRow : widenedBytes(pixel + start)
          }
          var ox0 = 0
          while ox0 < outputShape.w {
            let pixels = min(chunk, outputShape.w - ox0)
            let inX0 = ox0 * strideW - padLeft
            let columns = (pixels - 1) * strideW + reach + 1
            for g in 0..<packed.groups {
              let block = packed.block(g)
              let group = input + 16 * g
              for x in 0..<columns {
                let inX = inX0 + x
                var column = padColumn
                if inX >= 0 && inX < inputShape.w {
                  // The rows unrolled (a loop over a row table went through the stack); an
                  // output row inside the image reads them without a test.
                  let pixel = group + inX * pixelBytes
                  if allRows {
                    column = widenedBytes(pixel + row0)
                    if Rows.count > 1 { column |= widenedBytes(pixel + row1) &<< 8 }
                    if Rows.count > 2 { column |= widenedBytes(pixel + row2) &<< 16 }
                    if Rows.count > 3 { column |= widenedBytes(pixel + row3) &<< 24 }
                  } else {
                    column = rowBytes(row0, pixel)
                    if Rows.count > 1 { column |= rowBytes(row1, pixel) &<< 8 }
                    if Rows.count > 2 { column |= rowBytes(row2, pixel) &<< 16 }
                    if Rows.count > 3 { column |= rowBytes(row3, pixel) &<< 24 }
                  }
                }
                cache[x] = column ^ flip
              }
              let start = block.loadUnaligned(as: SIMD16<Int32>.self)
              let folded = (block + 64 * (1 + kW)).loadUnaligned(as: FoldedRequantization.self)
              // Four pixels at a time: four independent chains of kW vpdpbusd each (one
              // pixel's chain and its finish, some 30 cycles of latency, ran alone).
              @inline(__always)
              func tap(_ i: Int, _ kx: Int) -> SIMD16<Int32> {
                cache[i * strideW + kx * dilationW]
              }
              @inline(__always)
              func store(_ acc: SIMD16<Int32>, _ i: Int) {
                storeDotGroup(
                  range.bytes(folded.apply(acc)), channels: channels, g,
                  outputRow + (ox0 + i) * channels)
              }
              var i = 0
              while i + 4 <= pixels {
                var (a0, a1, a2, a3) = (start, start, start, start)
                for kx in 0..<kW {
                  let w = (block + 64 * (1 + kx)).loadUnaligned(as: SIMD16<Int32>.self)
                  a0 = dotAccumulateU8S8(a0, tap(i, kx), w)
                  a1 = dotAccumulateU8S8(a1, tap(i + 1, kx), w)
                  a2 = dotAccumulateU8S8(a2, tap(i + 2, kx), w)
                  a3 = dotAccumulateU8S8(a3, tap(i + 3, kx), w)
                }
                store(a0, i)
                store(a1, i + 1)
                store(a2, i + 2)
                store(a3, i + 3)
                i += 4
              }
              while i < pixels {
                var acc = start
                for kx in 0..<kW {
                  acc = dotAccumulateU8S8(
                    acc, tap(i, kx), (block + 64 * (1 + kx)).loadUnaligned(as: SIMD16<Int32>.self))
                }
                store(acc, i)
                i += 1
              }
            }
            ox0 += pixels
          }
        }
      }
    }
  }
#endif
