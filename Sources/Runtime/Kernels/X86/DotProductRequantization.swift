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
// - `PlainFinish`: for the parameters every real model has (no left shift, no negative
//   multiplier, right shifts up to 21, accumulators below 2^29, the full int8 range): both
//   roundings and the output offset in one floor (`FoldedRequantization`), the clamp in the
//   saturating narrow `vpmovsdb`: about 11 instructions per 16 outputs instead of 26.
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

  /// No left shift, no negative multiplier, right shifts up to 21, accumulators within
  /// `FoldedRequantization`'s bound (`plainRequantization`, checked at packing), the output range
  /// -128...127: each group's `FoldedRequantization` packed with the weights, the output offset
  /// folded into its rounding once per tile (`addingOffset`), and the clamp the saturating
  /// narrow `vpmovsdb`. About 11 instructions per 16 outputs.
  struct PlainFinish: DotFinish {
    let bias: DotBias
    let offset: SIMD16<Int32>

    init(_ d: DotProductWeights, inputOffset: Int32, outputOffset: Int32) {
      bias = DotBias(d, inputOffset: inputOffset)
      offset = SIMD16(repeating: outputOffset)
    }

    static func supports(
      _ d: DotProductWeights, outputOffset: Int32, minimum: Int32, maximum: Int32
    ) -> Bool {
      d.plainRequantization && minimum == -128 && maximum == 127
    }

    @inline(__always)
    func group(_ g: Int) -> FoldedRequantization {
      bias.d.foldedRequantization(g).addingOffset(offset)
    }

    @inline(__always)
    func start(_ g: Int) -> SIMD16<Int32> { bias.start(g) }

    @_transparent
    func finish(
      _ acc: SIMD16<Int32>, _ r: FoldedRequantization, _ g: Int, _ out: UnsafeMutablePointer<Int8>
    ) {
      // The clamp to -128...127 is the narrowing's saturation.
      storeDotGroup(narrowSaturatingToInt8(r.apply(acc)), channels: bias.d.channels, g, out)
    }

    /// `finish` on the low 8 channels.
    @_transparent
    func finish8(_ acc: SIMD8<Int32>, _ r: FoldedRequantization, _ out: UnsafeMutablePointer<Int8>)
    {
      let y = r.applyLow(acc)
      let channels = bias.d.channels
      store(narrowSaturatingToInt8(y), to: out, count: channels < 8 ? channels : 8)
    }
  }
#endif
