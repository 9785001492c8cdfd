// CONV_2D's padded-image GEMM on AVX-512 VNNI: `vpdpbusd` multiplies 4 unsigned by 4 signed bytes
// per int32 lane and adds them to the lane (64 multiply-adds per zmm instruction, twice
// `vpdpwssd`'s 32 on int16 pairs). Only in builds with the X86DotProduct module (Package.swift
// adds it when the CPU has AVX-512 VNNI); the Embedded build and the others keep the int16 GEMM.
//
// Exactness. The reference computes, per output channel, in wrapping int32
//     acc = bias + Σ_k w_k * (x_k + off)          (off = inputOffset = -zeroPoint)
// where a padding tap contributes nothing. The activations go in as bytes u_k = x_k + 128
// (0...255, the int8 bit pattern with the sign bit flipped), and a padding tap as
// u = 128 - off = 128 + zeroPoint (0...255 since zeroPoint is in [-128, 127]). Then
// u_k - (128 - off) is x_k + off for a real tap and 0 for a padding tap, so
//     Σ_k w_k * (x_k + off) = Σ_k w_k * u_k + (off - 128) * Σ_k w_k.
// `vpdpbusd` (not the saturating `vpdpbusds`) forms Σ w_k u_k in wrapping int32 (each product is
// at most 255 * 128 in magnitude, four of them fit in an int32 before the add), and the
// per-channel Σ_k w_k is packed once; `(off - 128) * Σ w_k` is added with the bias. All of it
// wraps, so the accumulator equals the reference's modulo 2^32, that is bit for bit, whatever the
// depth. The requantisation afterwards: DotProductRequantization.swift.
//
// Layout. The depth goes four bytes at a time ("quads"): each filter row (`kW * inC` values, one
// contiguous run of the padded u8 image) is padded to a multiple of four with zero weights, so
// the up to three bytes a last quad reads past its run (the next pixel's, or the image's slack)
// are multiplied by 0. One quad of one pixel is one int32, broadcast over 16 channels; the
// weights of a quad for 16 channels are one 64-byte vector.

#if AVX512 && canImport(X86DotProduct)
  import X86DotProduct

  /// A CONV_2D or FULLY_CONNECTED filter packed for `vpdpbusd` (a CONV_2D's after its
  /// `PackedInt8Weights`), with the requantisation parameters again on 16 lanes (the int16
  /// GEMM's are on groups of 8). What a one-pixel row reads before its first weight comes first,
  /// within a few cache lines of the previous operator's packing:
  ///
  ///     flags      64 bytes                            bit 0 of the first Int32: `plainRequantization`,
  ///                                                    bit 1: one multiplier and shift for all channels
  ///     folded     [groups] FoldedRequantization        (when `plainRequantization`; else zeros)
  ///     multiplier, leftShift, rightShift, bias [groups * 16] Int32   (0 past the channels)
  ///     weightSums [groups * 16] Int32                  Σ_k w[c][k], 0 past the channels
  ///     weights    [groups][segments][segmentQuads][16][4] Int8   w[16G + lane][run s, 4q + j],
  ///                                                    0 in the padding and past the channels
  struct DotProductWeights {
    /// Groups of 16 output channels (the last may be partial).
    let groups: Int
    let segments: Int
    let segmentQuads: Int
    let channels: Int
    /// Every channel has the parameters `PlainFinish` needs (DotProductRequantization.swift).
    let plainRequantization: Bool
    let parameters: UnsafePointer<Int32>
    /// Each group's `FoldedRequantization` (meaningful when `plainRequantization`).
    let folded: UnsafeRawPointer
    /// Bytes between two groups' `FoldedRequantization`: 0 when every channel has the same
    /// multiplier and shift (per-tensor weights), so that every group reads the first one and
    /// a batch-1 FULLY_CONNECTED streams its weights without five more cache lines per group.
    let foldedStride: Int
    let weights: UnsafeRawPointer

    /// The per-channel arrays after the flags, in this order.
    enum Parameter: Int {
      case multiplier, leftShift, rightShift, bias, weightSums
    }
    private static let parameterArrays = 5
    /// A cache line, so that every vector behind it is on one: a 64-byte load that straddles
    /// two lines costs both, and a batch-1 FULLY_CONNECTED reads its finish constants right
    /// after they miss L1 (its weights stream through it). The flags at 16 bytes left those
    /// loads 16 bytes off: the autoencoder ran 11 % slower, the wake-word net 9 %.
    private static let flagBytes = 64

    static func byteCount(channels: Int, segments: Int, segmentLength: Int) -> Int {
      let lanes = (channels + 15) / 16 * 16
      return weightsOffset(lanes: lanes) + lanes * segments * ((segmentLength + 3) / 4) * 4
    }

    private static let foldedOffset = flagBytes

    private static func parametersOffset(lanes: Int) -> Int {
      foldedOffset + lanes / 16 * MemoryLayout<FoldedRequantization>.stride
    }

    private static func weightsOffset(lanes: Int) -> Int {
      parametersOffset(lanes: lanes) + parameterArrays * lanes * MemoryLayout<Int32>.stride
    }

    /// Packs `filter` (`[channels][segments * segmentLength]`, OHWI) with its bias (nil: zeros)
    /// and `multiplier` and `shift` (per channel, or `[0]` for all) into `memory` (aligned to 4).
    init(
      packing filter: UnsafePointer<Int8>, channels: Int, segments: Int, segmentLength: Int,
      bias: UnsafePointer<Int32>?, multiplier: UnsafePointer<Int32>, shift: UnsafePointer<Int32>,
      perChannel: Bool = true, into memory: UnsafeMutableRawPointer
    ) {
      precondition(Int(bitPattern: memory) % MemoryLayout<Int32>.alignment == 0)
      let lanes = (channels + 15) / 16 * 16
      groups = lanes / 16
      self.segments = segments
      segmentQuads = (segmentLength + 3) / 4
      let depth = segments * segmentLength
      self.channels = channels
      let ints = (memory + Self.parametersOffset(lanes: lanes)).bindMemory(
        to: Int32.self, capacity: Self.parameterArrays * lanes)
      var plain = true
      var uniform = true
      for c in 0..<lanes {
        let real = c < channels
        let s = real ? shift[perChannel ? c : 0] : 0
        var sum: Int32 = 0
        if real {
          for k in 0..<depth { sum = sum &+ Int32(filter[c * depth + k]) }
        }
        ints[c] = real ? multiplier[perChannel ? c : 0] : 0
        ints[lanes + c] = s > 0 ? s : 0
        ints[2 * lanes + c] = s > 0 ? 0 : -s
        ints[3 * lanes + c] = real ? (bias?[c] ?? 0) : 0
        ints[4 * lanes + c] = sum
        if real && c > 0 {
          uniform = uniform && ints[c] == ints[0] && s == shift[0]
        }
        if real && plain {
          let bound = FoldedRequantization.accumulatorBound(bias: ints[3 * lanes + c], count: depth)
          {
            filter[c * depth + $0]
          }
          plain = FoldedRequantization.supportsAddingOffset(
            multiplier: ints[c], shift: s, accumulatorBound: bound)
        }
      }
      plainRequantization = plain
      memory.storeBytes(of: (plain ? 1 : 0) | (uniform ? 2 : 0), as: Int32.self)
      let folded = memory + Self.foldedOffset
      for g in 0..<groups {
        let at = folded + g * MemoryLayout<FoldedRequantization>.stride
        let rightShifts = UnsafeRawPointer(ints + 2 * lanes + 16 * g).loadUnaligned(
          as: SIMD16<Int32>.self)
        let requantization = FoldedRequantization(
          multipliers: UnsafeRawPointer(ints + 16 * g).loadUnaligned(as: SIMD16<Int32>.self),
          rightShifts: plain ? rightShifts : SIMD16())
        at.storeBytes(of: requantization, as: FoldedRequantization.self)
      }
      let packed = (memory + Self.weightsOffset(lanes: lanes))
        .bindMemory(to: Int8.self, capacity: lanes * segments * segmentQuads * 4)
      var i = 0
      for g in 0..<groups {
        for s in 0..<segments {
          for q in 0..<segmentQuads {
            for lane in 0..<16 {
              let c = 16 * g + lane
              for j in 0..<4 {
                let k = 4 * q + j
                packed[i] =
                  c < channels && k < segmentLength
                  ? filter[c * depth + s * segmentLength + k] : 0
                i += 1
              }
            }
          }
        }
      }
      parameters = UnsafePointer(ints)
      self.folded = UnsafeRawPointer(folded)
      foldedStride = uniform ? 0 : MemoryLayout<FoldedRequantization>.stride
      weights = UnsafeRawPointer(packed)
    }

    /// The packing `packConv2DFilter` wrote after `w` (its memory starts at `w.multiplier`);
    /// a view, so that `PackedInt8Weights`, and with it every prepared operator, keeps its size.
    @inline(__always)
    init(after w: PackedInt8Weights) {
      let bytes = PackedInt8Weights.byteCount(
        channels: w.channels, segments: w.segments, segmentLength: w.segmentLength)
      self.init(
        at: UnsafeRawPointer(w.multiplier) + Self.offset(afterBytes: bytes), channels: w.channels,
        segments: w.segments, segmentLength: w.segmentLength)
    }

    /// The packing `init(packing:)` wrote at `memory` for these dimensions (perhaps on another
    /// machine).
    @inline(__always)
    init(at memory: UnsafeRawPointer, channels: Int, segments: Int, segmentLength: Int) {
      let lanes = (channels + 15) / 16 * 16
      self.channels = channels
      groups = lanes / 16
      self.segments = segments
      segmentQuads = (segmentLength + 3) / 4
      let flags = memory.load(as: Int32.self)
      plainRequantization = flags & 1 != 0
      foldedStride = flags & 2 != 0 ? 0 : MemoryLayout<FoldedRequantization>.stride
      parameters = (memory + Self.parametersOffset(lanes: lanes)).assumingMemoryBound(
        to: Int32.self)
      folded = memory + Self.foldedOffset
      weights = memory + Self.weightsOffset(lanes: lanes)
    }

    /// Where the dot-product packing starts after `bytes` of `PackedInt8Weights`: on a cache
    /// line (the memory starts on one), as its vectors do within it.
    static func offset(afterBytes bytes: Int) -> Int { (bytes + 63) / 64 * 64 }

    /// Lanes `16 * g ..< 16 * g + 16` of parameter array `array`.
    @inline(__always)
    func parameter(_ array: Parameter, _ g: Int) -> SIMD16<Int32> {
      UnsafeRawPointer(parameters + (array.rawValue * groups + g) * 16).loadUnaligned(
        as: SIMD16<Int32>.self)
    }

    @inline(__always)
    func groupWeights(_ g: Int) -> UnsafeRawPointer { weights + g * segments * segmentQuads * 64 }

    /// Group `g`'s folded requantisation.
    @inline(__always)
    func foldedRequantization(_ g: Int) -> FoldedRequantization {
      (folded + g * foldedStride).loadUnaligned(
        as: FoldedRequantization.self)
    }
  }

  /// Whether the u8 padding value `128 - inputOffset` is a byte (always for a real zero point).
  @inline(__always)
  func dotProductSupports(inputOffset: Int32) -> Bool {
    inputOffset >= -127 && inputOffset <= 128
  }

  /// `paddedInt16Image` as bytes `x + 128`, the padding `128 - inputOffset` (see the top).
  func paddedUInt8Image(
    inputShape: Shape4, input: UnsafePointer<Int8>, batch: Int, inputOffset: Int32,
    padTop: Int, padLeft: Int, height: Int, width: Int, image: UnsafeMutableRawPointer
  ) {
    let channels = inputShape.c
    let rowValues = width * channels
    let pad = UInt8(truncatingIfNeeded: 128 &- inputOffset)
    let bytes = image.assumingMemoryBound(to: UInt8.self)
    let firstColumn = min(padLeft, width)
    let endColumn = max(firstColumn, min(width, padLeft + inputShape.w))
    for py in 0..<height {
      let row = bytes + py * rowValues
      let inY = py - padTop
      guard inY >= 0, inY < inputShape.h, endColumn > firstColumn else {
        for i in 0..<rowValues { row[i] = pad }
        continue
      }
      for i in 0..<firstColumn * channels { row[i] = pad }
      let source = input + inputShape.offset(batch, inY, firstColumn - padLeft, 0)
      let destination = row + firstColumn * channels
      for i in 0..<(endColumn - firstColumn) * channels {
        destination[i] = UInt8(bitPattern: source[i]) ^ 0x80
      }
      for i in endColumn * channels..<rowValues { row[i] = pad }
    }
  }

  /// `conv2DPerChannelInt8SIMD` on `vpdpbusd`: the activations as u8 rows of the padded image
  /// or of im2col (as the int16 path's, one byte per value), then `gemmDotProductU8S8`.
  func conv2DDotProduct(
    _ p: ConvParams, inputShape: Shape4, input: UnsafePointer<Int8>, filterShape: Shape4,
    outputShape: Shape4, output: UnsafeMutablePointer<Int8>, dot: DotProductWeights,
    scratch: UnsafeMutableRawPointer, method: Conv2DSIMDMethod
  ) {
    let channels = outputShape.c
    func gemm<Rows: ActivationRows>(
      _ rows: inout Rows, pixels: Int, _ output: UnsafeMutablePointer<Int8>
    ) {
      gemmDotProductU8S8(
        &rows, pixels: pixels, outputOffset: p.outputOffset,
        outputMinimum: p.quantizedActivationMin, outputMaximum: p.quantizedActivationMax,
        dot: dot, inputOffset: p.inputOffset, output: output, outputStride: channels)
    }
    switch method {
    case .reference: break
    case .paddedImage(let height, let width):
      let plane = outputShape.h * outputShape.w
      for batch in 0..<outputShape.n {
        paddedUInt8Image(
          inputShape: inputShape, input: input, batch: batch, inputOffset: p.inputOffset,
          padTop: p.paddingValues.height, padLeft: p.paddingValues.width, height: height,
          width: width, image: scratch)
        var rows = PaddedImageRows(
          image: UnsafeRawPointer(scratch), p, width: width, channels: inputShape.c,
          outputWidth: outputShape.w, valueBytes: 1)
        gemm(&rows, pixels: plane, output + batch * plane * channels)
      }
    case .im2col:
      let pixels = outputShape.n * outputShape.h * outputShape.w
      let segmentBytes = 4 * dot.segmentQuads
      var first = 0
      while first < pixels {
        let count = min(conv2DBlockPixels, pixels - first)
        im2colUInt8(
          p, inputShape: inputShape, input: input, filterShape: filterShape,
          outputShape: outputShape, first: first, count: count, rows: scratch)
        var rows = UInt8Rows(
          UnsafeRawPointer(scratch), rowBytes: dot.segments * segmentBytes,
          segmentStride: segmentBytes)
        gemm(&rows, pixels: count, output + first * channels)
        first += count
      }
    }
  }

  /// `im2colInt16`'s rows as bytes for `vpdpbusd` (any dilation): `x + 128`, a tap outside the
  /// image `128 - inputOffset` (see the top), each filter row padded to whole quads (the padding
  /// meets zero weights). Row `r` is at `rows + r * kH * segmentBytes`, `segmentBytes =
  /// 4 * segmentQuads`; it fits in `conv2DInt8SIMDScratchBytes(.im2col)`, which sizes int16 rows.
  /// Copies go 16 bytes per step and may write up to 15 past their span, into what is written
  /// next or the rows' `activationRowSlack`, as `im2colInt16`'s do.
  func im2colUInt8(
    _ p: ConvParams, inputShape: Shape4, input: UnsafePointer<Int8>, filterShape: Shape4,
    outputShape: Shape4, first: Int, count: Int, rows: UnsafeMutableRawPointer
  ) {
    let channels = inputShape.c
    let span = filterShape.w * channels
    let segmentBytes = (span + 3) / 4 * 4
    let pad = UInt8(truncatingIfNeeded: 128 &- p.inputOffset)
    let readableEnd = input + inputShape.flatSize
    let outputPlane = outputShape.h * outputShape.w
    // The first pixel's position, then stepped (three divisions per pixel cost more than its
    // copies on a small layer).
    var batch = first / outputPlane
    var outY = (first % outputPlane) / outputShape.w
    var outX = first % outputShape.w
    for r in 0..<count {
      defer {
        outX += 1
        if outX == outputShape.w {
          outX = 0
          outY += 1
          if outY == outputShape.h {
            outY = 0
            batch += 1
          }
        }
      }
      let inYOrigin = outY * p.strideHeight - p.paddingValues.height
      let inXOrigin = outX * p.strideWidth - p.paddingValues.width
      let rowInImage =
        p.dilationWidthFactor == 1 && inXOrigin >= 0 && inXOrigin + filterShape.w <= inputShape.w
      for kY in 0..<filterShape.h {
        let segment = rows + (r * filterShape.h + kY) * segmentBytes
        let inY = inYOrigin + p.dilationHeightFactor * kY
        if inY < 0 || inY >= inputShape.h {
          fillBytes(pad, count: segmentBytes, at: segment)
          continue
        }
        if rowInImage {
          appendFlipped(
            input + inputShape.offset(batch, inY, inXOrigin, 0), count: span, to: segment,
            readableEnd: readableEnd)
        } else {
          for kX in 0..<filterShape.w {
            let inX = inXOrigin + p.dilationWidthFactor * kX
            if inX < 0 || inX >= inputShape.w {
              fillBytes(pad, count: channels, at: segment + kX * channels)
            } else {
              appendFlipped(
                input + inputShape.offset(batch, inY, inX, 0), count: channels,
                to: segment + kX * channels, readableEnd: readableEnd)
            }
          }
        }
        fillBytes(pad, count: segmentBytes - span, at: segment + span)
      }
    }
  }

  /// Writes `x + 128` (the sign bit flipped) for `count` int8 values from `source`.
  @inline(__always)
  func appendFlipped(
    _ source: UnsafePointer<Int8>, count: Int, to destination: UnsafeMutableRawPointer,
    readableEnd: UnsafePointer<Int8>
  ) {
    var i = 0
    while i < count && source + i + 16 <= readableEnd {
      var v = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<UInt8>.self)
      v ^= SIMD16(repeating: 0x80)
      withUnsafeBytes(of: &v) { (destination + i).copyMemory(from: $0.baseAddress!, byteCount: 16) }
      i += 16
    }
    let bytes = destination.assumingMemoryBound(to: UInt8.self)
    while i < count {
      bytes[i] = UInt8(bitPattern: source[i]) ^ 0x80
      i += 1
    }
  }

  /// Writes `value` `count` times (in 16-byte steps).
  @inline(__always)
  private func fillBytes(_ value: UInt8, count: Int, at destination: UnsafeMutableRawPointer) {
    var v = SIMD16<UInt8>(repeating: value)
    var i = 0
    while i < count {
      withUnsafeBytes(of: &v) { (destination + i).copyMemory(from: $0.baseAddress!, byteCount: 16) }
      i += 16
    }
  }

  /// The padded-image GEMM with `vpdpbusd`: `gemmInt8SIMD`'s output for the same rows (bytes).
  func gemmDotProductU8S8<Rows: ActivationRows>(
    _ rows: inout Rows, pixels: Int, outputOffset: Int32, outputMinimum: Int32,
    outputMaximum: Int32, dot d: DotProductWeights, inputOffset: Int32,
    output: UnsafeMutablePointer<Int8>, outputStride: Int
  ) {
    if PlainFinish.supports(
      d, outputOffset: outputOffset, minimum: outputMinimum, maximum: outputMaximum)
    {
      gemmDotProduct(
        &rows, pixels: pixels, dot: d,
        PlainFinish(d, inputOffset: inputOffset, outputOffset: outputOffset),
        output: output, outputStride: outputStride)
    } else {
      gemmDotProduct(
        &rows, pixels: pixels, dot: d,
        ExactFinish(
          d, inputOffset: inputOffset, outputOffset: outputOffset, minimum: outputMinimum,
          maximum: outputMaximum), output: output, outputStride: outputStride)
    }
  }

  /// `gemmDotProductU8S8` with the finish chosen by the caller (the tests run both).
  func gemmDotProduct<Rows: ActivationRows, Finish: DotFinish>(
    _ rows: inout Rows, pixels: Int, dot d: DotProductWeights, _ finish: Finish,
    output: UnsafeMutablePointer<Int8>, outputStride: Int
  ) {
    let tile = DotTile(
      d: d, finish: finish, segmentStride: rows.segmentStride, stride: outputStride)
    dotTiles(&rows, pixels: pixels, tile, output)
  }

  /// The pixels in tiles of 8, 4 and 1, each over the channel groups.
  private func dotTiles<Rows: ActivationRows, Finish: DotFinish>(
    _ rows: inout Rows, pixels: Int, _ tile: DotTile<Finish>, _ output: UnsafeMutablePointer<Int8>
  ) {
    let d = tile.d
    let outputStride = tile.stride
    var p = 0
    // At most 8 channels (a 3-channel image's first layer often has 8): half-width registers.
    while d.channels <= 8 && p + 8 <= pixels {
      let x = (
        rows.next(), rows.next(), rows.next(), rows.next(), rows.next(), rows.next(),
        rows.next(), rows.next()
      )
      dotTile8x8(x, tile, output + p * outputStride)
      p += 8
    }
    while p + 8 <= pixels {
      let x = (
        rows.next(), rows.next(), rows.next(), rows.next(), rows.next(), rows.next(),
        rows.next(), rows.next()
      )
      let out = output + p * outputStride
      var g = 0
      while g + 2 <= d.groups {
        dotTile8x32(x, tile, g, out)
        g += 2
      }
      if g < d.groups { dotTile8x16(x, tile, g, out) }
      p += 8
    }
    while p + 4 <= pixels {
      let x = (rows.next(), rows.next(), rows.next(), rows.next())
      let out = output + p * outputStride
      for g in 0..<d.groups { dotTile4x16(x, tile, g, out) }
      p += 4
    }
    while p < pixels {
      dotRow(rows.next(), tile, output + p * outputStride)
      p += 1
    }
  }

  /// One row of `x + 128` bytes over every channel group (a batch-1 FULLY_CONNECTED's), with the
  /// finish `gemmDotProductU8S8` would choose, without its tiling of pixels.
  func dotProductRow(
    _ x: UnsafeRawPointer, dot d: DotProductWeights, inputOffset: Int32, outputOffset: Int32,
    outputMinimum: Int32, outputMaximum: Int32, output: UnsafeMutablePointer<Int8>
  ) {
    if PlainFinish.supports(
      d, outputOffset: outputOffset, minimum: outputMinimum, maximum: outputMaximum)
    {
      let finish = PlainFinish(d, inputOffset: inputOffset, outputOffset: outputOffset)
      dotRow(x, DotTile(d: d, finish: finish, segmentStride: 0, stride: 0), output)
    } else {
      let finish = ExactFinish(
        d, inputOffset: inputOffset, outputOffset: outputOffset, minimum: outputMinimum,
        maximum: outputMaximum)
      dotRow(x, DotTile(d: d, finish: finish, segmentStride: 0, stride: 0), output)
    }
  }

  /// `dotRow` with where its groups' constants come from.
  @inline(__always)
  private func dotRow<Finish: DotFinish>(
    _ x: UnsafeRawPointer, _ tile: DotTile<Finish>, _ out: UnsafeMutablePointer<Int8>
  ) {
    if tile.d.foldedStride == 0 {
      // Per-tensor weights: every group's constants are the first group's, read and offset
      // once per row (their loads and the offset fold were a third of each group's finish).
      dotRow(x, tile, out, SameGroup<Finish>(group: tile.finish.group(0)))
    } else {
      dotRow(x, tile, out, EachGroup<Finish>())
    }
  }

  /// Where a one-pixel tile takes each group's finish constants from.
  protocol RowGroups {
    associatedtype Finish: DotFinish
    func callAsFunction(_ t: DotTile<Finish>, _ g: Int) -> Finish.Group
  }

  /// Group g's own constants.
  struct EachGroup<Finish: DotFinish>: RowGroups {
    @inline(__always)
    func callAsFunction(_ t: DotTile<Finish>, _ g: Int) -> Finish.Group { t.finish.group(g) }
  }

  /// One set of constants for every group (lanes past the channels get them too; their outputs
  /// are never stored).
  struct SameGroup<Finish: DotFinish>: RowGroups {
    let group: Finish.Group

    @inline(__always)
    func callAsFunction(_ t: DotTile<Finish>, _ g: Int) -> Finish.Group { group }
  }

  /// One pixel (a batch-1 FULLY_CONNECTED's only row) over every channel group, the 1x64 and
  /// 1x16 tiles inlined into one loop: a batch-1 layer reads each weight once, so what costs is
  /// the work outside the dot products (calls, set-up, finish), a third of the time on a stack
  /// of 128 x 128 layers when each tile was a call.
  @inline(never)
  private func dotRow<Groups: RowGroups>(
    _ x: UnsafeRawPointer, _ t: DotTile<Groups.Finish>, _ out: UnsafeMutablePointer<Int8>,
    _ groups: Groups
  ) {
    var g = 0
    while g + 4 <= t.d.groups {
      dotTile1x64(x, t, g, out, groups)
      g += 4
    }
    while g < t.d.groups {
      dotTile1x16(x, t, g, out, groups)
      g += 1
    }
  }

  /// Contiguous rows of `x + 128` bytes for `gemmDotProductU8S8`: FULLY_CONNECTED's (one run of
  /// `4 * segmentQuads` bytes) or CONV_2D's im2col rows (`segments` runs, `segmentStride` apart).
  struct UInt8Rows: ActivationRows {
    private var pointer: UnsafeRawPointer
    private let rowBytes: Int
    let segmentStride: Int

    init(_ pointer: UnsafeRawPointer, rowBytes: Int, segmentStride: Int = 0) {
      self.pointer = pointer
      self.rowBytes = rowBytes
      self.segmentStride = segmentStride
    }

    @inline(__always)
    mutating func next() -> UnsafeRawPointer {
      defer { pointer += rowBytes }
      return pointer
    }
  }

  /// What every dot-product tile needs besides its pixels and channel group.
  struct DotTile<Finish: DotFinish> {
    let d: DotProductWeights
    let finish: Finish
    let segmentStride: Int
    let stride: Int
  }

  @inline(__always)
  private func quad(_ x: UnsafeRawPointer, _ q: Int) -> SIMD16<Int32> {
    SIMD16(repeating: x.loadUnaligned(fromByteOffset: 4 * q, as: Int32.self))
  }

  @inline(__always)
  private func weightQuad(_ w: UnsafeRawPointer, _ q: Int) -> SIMD16<Int32> {
    w.loadUnaligned(fromByteOffset: 64 * q, as: SIMD16<Int32>.self)
  }

  // 8 pixels x 32 channels: 16 accumulators, each broadcast serves two groups' weights (fewer
  // loads per vpdpbusd than 8 x 16, and enough independent chains for two per cycle).
  @inline(never)
  private func dotTile8x32<Finish: DotFinish>(
    _ x: (
      UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
      UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer
    ),
    _ t: DotTile<Finish>, _ g: Int, _ out: UnsafeMutablePointer<Int8>
  ) {
    var wp0 = t.d.groupWeights(g)
    var wp1 = t.d.groupWeights(g + 1)
    let quads = t.d.segmentQuads
    let b0 = t.finish.start(g)
    let b1 = t.finish.start(g + 1)
    var acc0 = b0
    var acc1 = b0
    var acc2 = b0
    var acc3 = b0
    var acc4 = b0
    var acc5 = b0
    var acc6 = b0
    var acc7 = b0
    var acc8 = b1
    var acc9 = b1
    var acc10 = b1
    var acc11 = b1
    var acc12 = b1
    var acc13 = b1
    var acc14 = b1
    var acc15 = b1
    var (x0, x1, x2, x3, x4, x5, x6, x7) = x
    for _ in 0..<t.d.segments {
      for q in 0..<quads {
        let u = weightQuad(wp0, q)
        let u1 = weightQuad(wp1, q)
        let v0 = quad(x0, q)
        acc0 = dotAccumulateU8S8(acc0, v0, u)
        acc8 = dotAccumulateU8S8(acc8, v0, u1)
        let v1 = quad(x1, q)
        acc1 = dotAccumulateU8S8(acc1, v1, u)
        acc9 = dotAccumulateU8S8(acc9, v1, u1)
        let v2 = quad(x2, q)
        acc2 = dotAccumulateU8S8(acc2, v2, u)
        acc10 = dotAccumulateU8S8(acc10, v2, u1)
        let v3 = quad(x3, q)
        acc3 = dotAccumulateU8S8(acc3, v3, u)
        acc11 = dotAccumulateU8S8(acc11, v3, u1)
        let v4 = quad(x4, q)
        acc4 = dotAccumulateU8S8(acc4, v4, u)
        acc12 = dotAccumulateU8S8(acc12, v4, u1)
        let v5 = quad(x5, q)
        acc5 = dotAccumulateU8S8(acc5, v5, u)
        acc13 = dotAccumulateU8S8(acc13, v5, u1)
        let v6 = quad(x6, q)
        acc6 = dotAccumulateU8S8(acc6, v6, u)
        acc14 = dotAccumulateU8S8(acc14, v6, u1)
        let v7 = quad(x7, q)
        acc7 = dotAccumulateU8S8(acc7, v7, u)
        acc15 = dotAccumulateU8S8(acc15, v7, u1)
      }
      wp0 += 64 * quads
      wp1 += 64 * quads
      x0 += t.segmentStride
      x1 += t.segmentStride
      x2 += t.segmentStride
      x3 += t.segmentStride
      x4 += t.segmentStride
      x5 += t.segmentStride
      x6 += t.segmentStride
      x7 += t.segmentStride
    }
    let r0 = t.finish.group(g)
    t.finish.finish(acc0, r0, g, out)
    t.finish.finish(acc1, r0, g, out + 1 * t.stride)
    t.finish.finish(acc2, r0, g, out + 2 * t.stride)
    t.finish.finish(acc3, r0, g, out + 3 * t.stride)
    t.finish.finish(acc4, r0, g, out + 4 * t.stride)
    t.finish.finish(acc5, r0, g, out + 5 * t.stride)
    t.finish.finish(acc6, r0, g, out + 6 * t.stride)
    t.finish.finish(acc7, r0, g, out + 7 * t.stride)
    let r1 = t.finish.group(g + 1)
    t.finish.finish(acc8, r1, g + 1, out)
    t.finish.finish(acc9, r1, g + 1, out + 1 * t.stride)
    t.finish.finish(acc10, r1, g + 1, out + 2 * t.stride)
    t.finish.finish(acc11, r1, g + 1, out + 3 * t.stride)
    t.finish.finish(acc12, r1, g + 1, out + 4 * t.stride)
    t.finish.finish(acc13, r1, g + 1, out + 5 * t.stride)
    t.finish.finish(acc14, r1, g + 1, out + 6 * t.stride)
    t.finish.finish(acc15, r1, g + 1, out + 7 * t.stride)
  }

  // 8 pixels x 16 channels: eight independent accumulators hide vpdpbusd's latency (about 5
  // cycles) at one per cycle; one weight vector per quad serves all eight.
  @inline(never)
  private func dotTile8x16<Finish: DotFinish>(
    _ x: (
      UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
      UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer
    ),
    _ t: DotTile<Finish>, _ g: Int, _ out: UnsafeMutablePointer<Int8>
  ) {
    var wp = t.d.groupWeights(g)
    let quads = t.d.segmentQuads
    let b = t.finish.start(g)
    var acc0 = b
    var acc1 = b
    var acc2 = b
    var acc3 = b
    var acc4 = b
    var acc5 = b
    var acc6 = b
    var acc7 = b
    var (x0, x1, x2, x3, x4, x5, x6, x7) = x
    for _ in 0..<t.d.segments {
      for q in 0..<quads {
        let u = weightQuad(wp, q)
        acc0 = dotAccumulateU8S8(acc0, quad(x0, q), u)
        acc1 = dotAccumulateU8S8(acc1, quad(x1, q), u)
        acc2 = dotAccumulateU8S8(acc2, quad(x2, q), u)
        acc3 = dotAccumulateU8S8(acc3, quad(x3, q), u)
        acc4 = dotAccumulateU8S8(acc4, quad(x4, q), u)
        acc5 = dotAccumulateU8S8(acc5, quad(x5, q), u)
        acc6 = dotAccumulateU8S8(acc6, quad(x6, q), u)
        acc7 = dotAccumulateU8S8(acc7, quad(x7, q), u)
      }
      wp += 64 * quads
      x0 += t.segmentStride
      x1 += t.segmentStride
      x2 += t.segmentStride
      x3 += t.segmentStride
      x4 += t.segmentStride
      x5 += t.segmentStride
      x6 += t.segmentStride
      x7 += t.segmentStride
    }
    let o = t.finish.group(g)
    t.finish.finish(acc0, o, g, out)
    t.finish.finish(acc1, o, g, out + t.stride)
    t.finish.finish(acc2, o, g, out + 2 * t.stride)
    t.finish.finish(acc3, o, g, out + 3 * t.stride)
    t.finish.finish(acc4, o, g, out + 4 * t.stride)
    t.finish.finish(acc5, o, g, out + 5 * t.stride)
    t.finish.finish(acc6, o, g, out + 6 * t.stride)
    t.finish.finish(acc7, o, g, out + 7 * t.stride)
  }

  // 8 pixels x at most 8 channels: `dotTile8x16` on the low halves (ymm), reading the first 32
  // bytes of each 64-byte weight vector (the rest are the zeros past the channels).
  @inline(never)
  private func dotTile8x8<Finish: DotFinish>(
    _ x: (
      UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
      UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer
    ),
    _ t: DotTile<Finish>, _ out: UnsafeMutablePointer<Int8>
  ) {
    var wp = t.d.groupWeights(0)
    let quads = t.d.segmentQuads
    let b = lowLanes(t.finish.start(0))
    var acc0 = b
    var acc1 = b
    var acc2 = b
    var acc3 = b
    var acc4 = b
    var acc5 = b
    var acc6 = b
    var acc7 = b
    var (x0, x1, x2, x3, x4, x5, x6, x7) = x
    for _ in 0..<t.d.segments {
      for q in 0..<quads {
        let u = wp.loadUnaligned(fromByteOffset: 64 * q, as: SIMD8<Int32>.self)
        acc0 = dotAccumulateU8S8(acc0, quad8(x0, q), u)
        acc1 = dotAccumulateU8S8(acc1, quad8(x1, q), u)
        acc2 = dotAccumulateU8S8(acc2, quad8(x2, q), u)
        acc3 = dotAccumulateU8S8(acc3, quad8(x3, q), u)
        acc4 = dotAccumulateU8S8(acc4, quad8(x4, q), u)
        acc5 = dotAccumulateU8S8(acc5, quad8(x5, q), u)
        acc6 = dotAccumulateU8S8(acc6, quad8(x6, q), u)
        acc7 = dotAccumulateU8S8(acc7, quad8(x7, q), u)
      }
      wp += 64 * quads
      x0 += t.segmentStride
      x1 += t.segmentStride
      x2 += t.segmentStride
      x3 += t.segmentStride
      x4 += t.segmentStride
      x5 += t.segmentStride
      x6 += t.segmentStride
      x7 += t.segmentStride
    }
    let o = t.finish.group(0)
    t.finish.finish8(acc0, o, out)
    t.finish.finish8(acc1, o, out + t.stride)
    t.finish.finish8(acc2, o, out + 2 * t.stride)
    t.finish.finish8(acc3, o, out + 3 * t.stride)
    t.finish.finish8(acc4, o, out + 4 * t.stride)
    t.finish.finish8(acc5, o, out + 5 * t.stride)
    t.finish.finish8(acc6, o, out + 6 * t.stride)
    t.finish.finish8(acc7, o, out + 7 * t.stride)
  }

  @inline(__always)
  private func quad8(_ x: UnsafeRawPointer, _ q: Int) -> SIMD8<Int32> {
    SIMD8(repeating: x.loadUnaligned(fromByteOffset: 4 * q, as: Int32.self))
  }

  // 4 pixels x 16 channels, two chains each (even and odd quads) for the latency.
  @inline(never)
  private func dotTile4x16<Finish: DotFinish>(
    _ x: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer),
    _ t: DotTile<Finish>, _ g: Int, _ out: UnsafeMutablePointer<Int8>
  ) {
    var wp = t.d.groupWeights(g)
    let quads = t.d.segmentQuads
    let b = t.finish.start(g)
    var acc0 = b
    var acc1 = b
    var acc2 = b
    var acc3 = b
    var acc4 = SIMD16<Int32>()
    var acc5 = SIMD16<Int32>()
    var acc6 = SIMD16<Int32>()
    var acc7 = SIMD16<Int32>()
    var (x0, x1, x2, x3) = x
    for _ in 0..<t.d.segments {
      var q = 0
      while q + 2 <= quads {
        let u = weightQuad(wp, q)
        acc0 = dotAccumulateU8S8(acc0, quad(x0, q), u)
        acc1 = dotAccumulateU8S8(acc1, quad(x1, q), u)
        acc2 = dotAccumulateU8S8(acc2, quad(x2, q), u)
        acc3 = dotAccumulateU8S8(acc3, quad(x3, q), u)
        let v = weightQuad(wp, q + 1)
        acc4 = dotAccumulateU8S8(acc4, quad(x0, q + 1), v)
        acc5 = dotAccumulateU8S8(acc5, quad(x1, q + 1), v)
        acc6 = dotAccumulateU8S8(acc6, quad(x2, q + 1), v)
        acc7 = dotAccumulateU8S8(acc7, quad(x3, q + 1), v)
        q += 2
      }
      if q < quads {
        let u = weightQuad(wp, q)
        acc0 = dotAccumulateU8S8(acc0, quad(x0, q), u)
        acc1 = dotAccumulateU8S8(acc1, quad(x1, q), u)
        acc2 = dotAccumulateU8S8(acc2, quad(x2, q), u)
        acc3 = dotAccumulateU8S8(acc3, quad(x3, q), u)
      }
      wp += 64 * quads
      x0 += t.segmentStride
      x1 += t.segmentStride
      x2 += t.segmentStride
      x3 += t.segmentStride
    }
    let o = t.finish.group(g)
    t.finish.finish(acc0 &+ acc4, o, g, out)
    t.finish.finish(acc1 &+ acc5, o, g, out + t.stride)
    t.finish.finish(acc2 &+ acc6, o, g, out + 2 * t.stride)
    t.finish.finish(acc3 &+ acc7, o, g, out + 3 * t.stride)
  }

  // 1 pixel x 64 channels (a batch-1 FULLY_CONNECTED): four weight streams side by side, one
  // broadcast for four vpdpbusd; two chains per group for the latency.
  @inline(__always)
  private func dotTile1x64<Groups: RowGroups>(
    _ x: UnsafeRawPointer, _ t: DotTile<Groups.Finish>, _ g: Int,
    _ out: UnsafeMutablePointer<Int8>, _ groups: Groups
  ) {
    var w0 = t.d.groupWeights(g)
    var w1 = t.d.groupWeights(g + 1)
    var w2 = t.d.groupWeights(g + 2)
    var w3 = t.d.groupWeights(g + 3)
    let quads = t.d.segmentQuads
    // The starts (bias and weight sums, cache lines apart from the weights) are added after the
    // loop, off the dot products' chains.
    var acc0 = SIMD16<Int32>()
    var acc1 = SIMD16<Int32>()
    var acc2 = SIMD16<Int32>()
    var acc3 = SIMD16<Int32>()
    var acc4 = SIMD16<Int32>()
    var acc5 = SIMD16<Int32>()
    var acc6 = SIMD16<Int32>()
    var acc7 = SIMD16<Int32>()
    var x0 = x
    for _ in 0..<t.d.segments {
      var q = 0
      while q + 2 <= quads {
        let v = quad(x0, q)
        acc0 = dotAccumulateU8S8(acc0, v, weightQuad(w0, q))
        acc1 = dotAccumulateU8S8(acc1, v, weightQuad(w1, q))
        acc2 = dotAccumulateU8S8(acc2, v, weightQuad(w2, q))
        acc3 = dotAccumulateU8S8(acc3, v, weightQuad(w3, q))
        let u = quad(x0, q + 1)
        acc4 = dotAccumulateU8S8(acc4, u, weightQuad(w0, q + 1))
        acc5 = dotAccumulateU8S8(acc5, u, weightQuad(w1, q + 1))
        acc6 = dotAccumulateU8S8(acc6, u, weightQuad(w2, q + 1))
        acc7 = dotAccumulateU8S8(acc7, u, weightQuad(w3, q + 1))
        q += 2
      }
      if q < quads {
        let v = quad(x0, q)
        acc0 = dotAccumulateU8S8(acc0, v, weightQuad(w0, q))
        acc1 = dotAccumulateU8S8(acc1, v, weightQuad(w1, q))
        acc2 = dotAccumulateU8S8(acc2, v, weightQuad(w2, q))
        acc3 = dotAccumulateU8S8(acc3, v, weightQuad(w3, q))
      }
      w0 += 64 * quads
      w1 += 64 * quads
      w2 += 64 * quads
      w3 += 64 * quads
      x0 += t.segmentStride
    }
    t.finish.finish((acc0 &+ acc4) &+ t.finish.start(g), groups(t, g), g, out)
    t.finish.finish((acc1 &+ acc5) &+ t.finish.start(g + 1), groups(t, g + 1), g + 1, out)
    t.finish.finish((acc2 &+ acc6) &+ t.finish.start(g + 2), groups(t, g + 2), g + 2, out)
    t.finish.finish((acc3 &+ acc7) &+ t.finish.start(g + 3), groups(t, g + 3), g + 3, out)
  }

  // 1 pixel x 16 channels, four chains over the quads.
  @inline(__always)
  private func dotTile1x16<Groups: RowGroups>(
    _ x: UnsafeRawPointer, _ t: DotTile<Groups.Finish>, _ g: Int,
    _ out: UnsafeMutablePointer<Int8>, _ groups: Groups
  ) {
    var wp = t.d.groupWeights(g)
    let quads = t.d.segmentQuads
    var acc0 = SIMD16<Int32>()  // the start after the loop, as in `dotTile1x64`
    var acc1 = SIMD16<Int32>()
    var acc2 = SIMD16<Int32>()
    var acc3 = SIMD16<Int32>()
    var x0 = x
    for _ in 0..<t.d.segments {
      var q = 0
      while q + 4 <= quads {
        acc0 = dotAccumulateU8S8(acc0, quad(x0, q), weightQuad(wp, q))
        acc1 = dotAccumulateU8S8(acc1, quad(x0, q + 1), weightQuad(wp, q + 1))
        acc2 = dotAccumulateU8S8(acc2, quad(x0, q + 2), weightQuad(wp, q + 2))
        acc3 = dotAccumulateU8S8(acc3, quad(x0, q + 3), weightQuad(wp, q + 3))
        q += 4
      }
      while q < quads {
        acc0 = dotAccumulateU8S8(acc0, quad(x0, q), weightQuad(wp, q))
        q += 1
      }
      wp += 64 * quads
      x0 += t.segmentStride
    }
    t.finish.finish(
      ((acc0 &+ acc1) &+ (acc2 &+ acc3)) &+ t.finish.start(g), groups(t, g), g, out)
  }
#endif
