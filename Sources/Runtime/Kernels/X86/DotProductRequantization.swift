// The last step of the `vpdpbusd` GEMM (Conv2DInt8VNNI.swift): 16 int32 accumulators of one
// pixel, already holding bias + Σ w x, become 16 int8 outputs exactly as the reference's
//
//     y = clamp(multiplyByQuantizedMultiplier(acc, m, shift) + outputOffset, min, max)
//
// computes them. On a 1-input-channel layer (the first of LeNet-5 and cnn-small) this, not the
// dot products, is most of the work: 9 multiply-adds per output against some 20 instructions
// here. Two versions:
//
// - `ExactFinish`: any multiplier and shift, any clamp: TFLite's two roundings one after the
//   other (`saturatingRoundingDoublingHighMul`, then `roundingDivideByPOT`).
// - `PlainFinish`: for the parameters every real model has (no left shift, a right shift of at
//   most 23, no multiplier of Int32.min, the full int8 range, an int8 zero point), the two
//   roundings and the zero point folded into one 64-bit add and shift, and the clamp into the
//   saturating narrow `vpmovsdb`: about 17 instructions per 16 outputs instead of 26.
//
// Both take lanes of 64 bits for the products: seen as SIMD8<Int64>, a vector holds its even
// int32 lanes sign-extended in (x << 32) >> 32 and its odd ones in x >> 32, and LLVM multiplies
// both with `vpmuldq` (which reads only the low halves). Lane masks on Int64 vectors are avoided:
// LLVM turns them into a loop over the lanes.

#if AVX512 && canImport(X86DotProduct)
  import X86DotProduct

  /// How a dot-product tile starts its accumulators and turns them into int8 outputs.
  protocol DotFinish {
    associatedtype Group
    /// Group `g`'s constants, computed once per tile.
    func group(_ g: Int) -> Group
    /// The accumulator's start for group `g`: `bias + (inputOffset - 128) * Σ w`.
    func start(_ g: Int) -> SIMD16<Int32>
    /// Requantises, clamps and stores the 16 channels of group `g` at `out`.
    func finish(
      _ acc: SIMD16<Int32>, _ group: Group, _ g: Int, _ out: UnsafeMutablePointer<Int8>)
    /// The same for a layer of at most 8 channels (group 0), its accumulators on 8 lanes.
    func finish8(_ acc: SIMD8<Int32>, _ group: Group, _ out: UnsafeMutablePointer<Int8>)
  }

  /// `storeGroup` with the whole group's 16 bytes stored by `storeUnaligned`: `storeGroup`'s
  /// `copyMemory` stayed a call in these tiles (one per pixel and group) when they were
  /// compiled into their own module.
  @_transparent
  func storeDotGroup(
    _ bytes: SIMD16<Int8>, channels: Int, _ g: Int, _ out: UnsafeMutablePointer<Int8>
  ) {
    if channels - 16 * g >= 16 {
      storeUnaligned(bytes, to: UnsafeMutableRawPointer(out + 16 * g))
    } else {
      storeGroup(bytes, channels: channels, g, out)
    }
  }

  /// The low 8 lanes.
  @_transparent
  func lowLanes(_ v: SIMD16<Int32>) -> SIMD8<Int32> {
    unsafeBitCast(v, to: (SIMD8<Int32>, SIMD8<Int32>).self).0
  }

  /// The low 4 lanes.
  @_transparent
  func lowLanes(_ v: SIMD8<Int64>) -> SIMD4<Int64> {
    unsafeBitCast(v, to: (SIMD4<Int64>, SIMD4<Int64>).self).0
  }

  /// The accumulators' start, shared by both finishes.
  struct DotBias {
    let d: DotProductWeights
    let correction: SIMD16<Int32>  // inputOffset - 128

    init(_ d: DotProductWeights, inputOffset: Int32) {
      self.d = d
      correction = SIMD16(repeating: inputOffset &- 128)
    }

    @inline(__always)
    func start(_ g: Int) -> SIMD16<Int32> {
      d.parameter(.bias, g) &+ d.parameter(.weightSums, g) &* correction
    }
  }

  /// Any parameters: `LaneRequantization`'s operations on 16 lanes (the same values).
  struct ExactFinish: DotFinish {
    let bias: DotBias
    let offset: SIMD16<Int32>
    let minimum: SIMD16<Int32>
    let maximum: SIMD16<Int32>

    init(
      _ d: DotProductWeights, inputOffset: Int32, outputOffset: Int32, minimum: Int32,
      maximum: Int32
    ) {
      bias = DotBias(d, inputOffset: inputOffset)
      offset = SIMD16(repeating: outputOffset)
      self.minimum = SIMD16(repeating: minimum)
      self.maximum = SIMD16(repeating: maximum)
    }

    struct Group {
      var multiplier: SIMD16<Int32>
      var leftShift: SIMD16<Int32>
      var rightShift: SIMD16<Int32>
    }

    @inline(__always)
    func group(_ g: Int) -> Group {
      let d = bias.d
      return Group(
        multiplier: d.parameter(.multiplier, g), leftShift: d.parameter(.leftShift, g),
        rightShift: d.parameter(.rightShift, g))
    }

    @inline(__always)
    func start(_ g: Int) -> SIMD16<Int32> { bias.start(g) }

    @_transparent  // (`@inline(__always)` left the requantisation a call, a fifth of conv2)
    func finish(
      _ acc: SIMD16<Int32>, _ r: Group, _ g: Int, _ out: UnsafeMutablePointer<Int8>
    ) {
      let y =
        requantized(
          acc, multiplier: r.multiplier, leftShift: r.leftShift, rightShift: r.rightShift)
        &+ offset
      storeDotGroup(clampedToInt8(y, minimum, maximum), channels: bias.d.channels, g, out)
    }

    @_transparent
    func finish8(_ acc: SIMD8<Int32>, _ r: Group, _ out: UnsafeMutablePointer<Int8>) {
      finish(SIMD16(lowHalf: acc, highHalf: SIMD8()), r, 0, out)
    }
  }

  /// No left shift, right shifts e of 0...23, no multiplier of Int32.min, the output range
  /// -128...127 and an output offset in -128...127 (`plainSupports`). With p = acc * m the
  /// reference computes h = floor((p + 2^30) / 2^31), then rounds h / 2^e half away from zero,
  /// which is floor((h + 2^(e-1) - [h < 0]) / 2^e) for e >= 1, and adds the offset. Nested floors
  /// of divisions by powers of two are one floor, so
  ///
  ///     y = (p + 2^30 + 2^(30+e) + offset * 2^(31+e) - [p < 0] * 2^31) >> (31 + e)    (e >= 1)
  ///     y = (p + 2^30 + offset * 2^31) >> 31                                          (e = 0)
  ///
  /// ([h < 0] is [p < -2^30]; for -2^30 <= p < 0 both forms give 0, so the sign of p will do).
  /// |p| < 2^62 and the constant is below 2^61 + 2^54, so nothing overflows; the low 32 bits of
  /// y are the reference's wrapping `result + offset`, and `vpmovsdb` clamps them to int8.
  struct PlainFinish: DotFinish {
    let bias: DotBias
    let offset: SIMD8<Int64>

    init(_ d: DotProductWeights, inputOffset: Int32, outputOffset: Int32) {
      bias = DotBias(d, inputOffset: inputOffset)
      offset = SIMD8(repeating: Int64(outputOffset))
    }

    static func supports(
      _ d: DotProductWeights, outputOffset: Int32, minimum: Int32, maximum: Int32
    ) -> Bool {
      d.plainRequantization && minimum == -128 && maximum == 127 && outputOffset >= -128
        && outputOffset <= 127
    }

    /// Per 64-bit lane, even channels and odd: the multiplier, the constant added, the mask that
    /// turns p >> 32 into -2^31 for p < 0 (0 for e = 0) and the shift 31 + e.
    struct Group {
      var multiplier: SIMD16<Int32>
      var even: Lanes
      var odd: Lanes
    }

    struct Lanes {
      var constant: SIMD8<Int64>
      var down: SIMD8<Int64>
      var shift: SIMD8<Int64>
    }

    @inline(__always)
    func group(_ g: Int) -> Group {
      let d = bias.d
      let e = unsafeBitCast(d.parameter(.rightShift, g), to: SIMD8<Int64>.self)
      return Group(
        multiplier: d.parameter(.multiplier, g), even: lanes(e & SIMD8(repeating: 0xFFFF_FFFF)),
        odd: lanes(e &>> 32))
    }

    /// The constants for exponents `e`; `rounds` is all ones for e >= 1, 0 for e = 0.
    @inline(__always)
    private func lanes(_ e: SIMD8<Int64>) -> Lanes {
      let rounds = (SIMD8<Int64>() &- e) &>> 63
      let shift = e &+ 31
      let half = SIMD8<Int64>(repeating: 1 << 30)
      let constant =
        half &+ ((SIMD8(repeating: 1) &<< (e &+ 30)) & rounds) &+ (offset &<< shift)
      return Lanes(constant: constant, down: SIMD8(repeating: ~0x7FFF_FFFF) & rounds, shift: shift)
    }

    @inline(__always)
    func start(_ g: Int) -> SIMD16<Int32> { bias.start(g) }

    @_transparent
    func finish(
      _ acc: SIMD16<Int32>, _ r: Group, _ g: Int, _ out: UnsafeMutablePointer<Int8>
    ) {
      let a = unsafeBitCast(acc, to: SIMD8<Int64>.self)
      let m = unsafeBitCast(r.multiplier, to: SIMD8<Int64>.self)
      let even = Self.rounded(((a &<< 32) &>> 32) &* ((m &<< 32) &>> 32), r.even)
      let odd = Self.rounded((a &>> 32) &* (m &>> 32), r.odd)
      // Each y is in the low half of its lane: the odd ones move to the high halves.
      let low = SIMD8<Int64>(repeating: 0xFFFF_FFFF)
      let y = unsafeBitCast((even & low) | (odd &<< 32), to: SIMD16<Int32>.self)
      // The clamp to -128...127 is the narrowing's saturation.
      storeDotGroup(narrowSaturatingToInt8(y), channels: bias.d.channels, g, out)
    }

    @_transparent
    static func rounded(_ p: SIMD8<Int64>, _ l: Lanes) -> SIMD8<Int64> {
      (p &+ l.constant &+ ((p &>> 32) & l.down)) &>> l.shift
    }

    /// `finish` on the low 8 channels, in ymm registers.
    @_transparent
    func finish8(_ acc: SIMD8<Int32>, _ r: Group, _ out: UnsafeMutablePointer<Int8>) {
      let a = unsafeBitCast(acc, to: SIMD4<Int64>.self)
      let m = unsafeBitCast(lowLanes(r.multiplier), to: SIMD4<Int64>.self)
      let even = Self.rounded4(((a &<< 32) &>> 32) &* ((m &<< 32) &>> 32), r.even)
      let odd = Self.rounded4((a &>> 32) &* (m &>> 32), r.odd)
      let low = SIMD4<Int64>(repeating: 0xFFFF_FFFF)
      let y = unsafeBitCast((even & low) | (odd &<< 32), to: SIMD8<Int32>.self)
      let channels = bias.d.channels
      store(narrowSaturatingToInt8(y), to: out, count: channels < 8 ? channels : 8)
    }

    @_transparent
    static func rounded4(_ p: SIMD4<Int64>, _ l: Lanes) -> SIMD4<Int64> {
      (p &+ lowLanes(l.constant) &+ ((p &>> 32) & lowLanes(l.down))) &>> lowLanes(l.shift)
    }
  }
#endif
