#if AVX512 && canImport(X86DotProduct)
  import X86DotProduct
#endif

/// Int8 ADD: the same bytes as `addInt8Reference` (same parameters), sixteen elements per step
/// through TFLite's `AddFunc` in int32 lanes: offset, shift left by 20, rescale each input
/// (`multiplyByQuantizedMultiplierSmallerThanOneExp`), sum, rescale to the output, clamp.
///
/// Broadcasting goes row by row along the channels (the contiguous axis): each input's row is
/// either its own channels or, when its channel dimension is 1, one value repeated.
public func addInt8SIMD(
  _ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  // `AddLanes` is written for what `prepareAdd` sets: TFLite's left shift of 20 and multipliers
  // below one (right shifts of 0...31, the output's up to 29).
  guard AddLanes.supports(p) else {
    return addInt8Reference(p, input1: input1, input2: input2, output: output)
  }
  let add = AddLanes(p)
  let out = p.outputShape
  guard p.requiresBroadcast else {
    return add.row(input1, input2, output, count: out.flatSize, repeat1: false, repeat2: false)
  }
  let s1 = p.input1Shape
  let s2 = p.input2Shape
  for b in 0..<out.n {
    for y in 0..<out.h {
      for x in 0..<out.w {
        // A dimension of 1 is read at index 0 whatever the output index.
        let row1 = input1 + s1.offset(s1.n == 1 ? 0 : b, s1.h == 1 ? 0 : y, s1.w == 1 ? 0 : x, 0)
        let row2 = input2 + s2.offset(s2.n == 1 ? 0 : b, s2.h == 1 ? 0 : y, s2.w == 1 ? 0 : x, 0)
        add.row(
          row1, row2, output + out.offset(b, y, x, 0), count: out.c, repeat1: s1.c == 1,
          repeat2: s2.c == 1)
      }
    }
  }
}

/// One input's rescaling in `AddFunc`, `multiplyByQuantizedMultiplierSmallerThanOneExp((x +
/// offset) << 20, m, shift)`, in int32 lanes without 64-bit products. With v = x + offset
/// (|v| <= 255) and m = mHigh * 2^11 + mLow (0 <= mLow < 2^11),
///
///     saturatingRoundingDoublingHighMul(v * 2^20, m) = floor((v * m * 2^20 + 2^30) / 2^31)
///                                                   = v * mHigh + floor((v * mLow + 2^10) / 2^11)
///
/// (v * mHigh is an integer, so it leaves the floor; |v * mHigh| < 2^28, |v * mLow| < 2^19; the
/// saturating case, both operands Int32.min, cannot occur). The rounding shift of that h by e
/// (`roundingDivideByPOT`, half away from zero) is one floor for e >= 1,
///
///     floor((h + 2^(e-1) - [h < 0]) / 2^e),
///
/// and h itself for e = 0. Since m > 2^10, h < 0 exactly when v < 0, that is when x is below the
/// zero point: the sign term is a compare of the input, off the multiplies' critical path. The
/// offset's share of both products and the rounding constants are folded into two biases, so
/// one input costs two multiplies, two adds, a shift, a compare with a masked subtract and the
/// final shift. |h| < 2^28, so nothing overflows.
struct AddInputRescale {
  let multiplierLow: SIMD16<Int32>
  /// offset * mLow + 2^10.
  let lowBias: SIMD16<Int32>
  let multiplierHigh: SIMD16<Int32>
  /// offset * mHigh + 2^(e-1) (0 for e = 0).
  let highBias: SIMD16<Int32>
  let zeroPoint: SIMD16<Int32>
  /// -1 (all ones) for e >= 1, 0 for e = 0 (no sign term).
  let signStep: SIMD16<Int32>
  let rightShift: SIMD16<Int32>

  /// Whether `multiplier` and `shift` (`prepareAdd`'s, for TFLite's left shift of 20) are what
  /// this rescaling computes exactly: a right shift of 0...31 and m > 2^10.
  static func supports(multiplier: Int32, shift: Int32) -> Bool {
    multiplier > 1 << 10 && shift <= 0 && shift >= -31
  }

  init(offset: Int32, multiplier m: Int32, shift: Int32) {
    let e = -shift
    let high = m >> 11
    let low = m & 0x7FF
    multiplierLow = SIMD16(repeating: low)
    lowBias = SIMD16(repeating: offset &* low &+ 1 << 10)
    multiplierHigh = SIMD16(repeating: high)
    highBias = SIMD16(repeating: offset &* high &+ (e >= 1 ? 1 << (e - 1) : 0))
    zeroPoint = SIMD16(repeating: -offset)
    signStep = SIMD16(repeating: e >= 1 ? -1 : 0)
    rightShift = SIMD16(repeating: e)
  }

  @inline(__always)
  func callAsFunction(_ x: SIMD16<Int32>) -> SIMD16<Int32> {
    let h = x &* multiplierHigh &+ ((x &* multiplierLow &+ lowBias) &>> 11) &+ highBias
    return (h &+ (((x &- zeroPoint) &>> 31) & signStep)) &>> rightShift
  }
}

/// `AddParams` as sixteen-lane vectors: each input's `AddInputRescale`, then the sum's
/// rescaling to the output, `FoldedRequantization` (the multiplier is positive and below 2^31,
/// `prepareAdd` never sets a left shift; the sum is below 2^29 in magnitude, its bound).
struct AddLanes {
  let rescale1: AddInputRescale
  let rescale2: AddInputRescale
  let rescaleOutput: FoldedRequantization
  let outputOffset: SIMD16<Int32>
  let minimum: SIMD16<Int32>
  let maximum: SIMD16<Int32>
  /// The activation keeps -128...127, so narrowing with saturation is the clamp.
  let wholeRange: Bool

  /// A bound on |rescale1(x) + rescale2(y)|: each rescaled input is below 255 * 2^20 (its
  /// multiplier is below one), so the sum is below 2^29, `FoldedRequantization`'s limit.
  static let sumBound = (1 << 29) - 1

  static func supports(_ p: AddParams) -> Bool {
    p.leftShift == 20
      && FoldedRequantization.supports(
        multiplier: p.outputMultiplier, shift: p.outputShift, accumulatorBound: sumBound)
      && AddInputRescale.supports(multiplier: p.input1Multiplier, shift: p.input1Shift)
      && AddInputRescale.supports(multiplier: p.input2Multiplier, shift: p.input2Shift)
  }

  init(_ p: AddParams) {
    rescale1 = AddInputRescale(
      offset: p.input1Offset, multiplier: p.input1Multiplier, shift: p.input1Shift)
    rescale2 = AddInputRescale(
      offset: p.input2Offset, multiplier: p.input2Multiplier, shift: p.input2Shift)
    rescaleOutput = FoldedRequantization(
      multiplier: p.outputMultiplier, rightShift: -p.outputShift)
    outputOffset = SIMD16(repeating: p.outputOffset)
    minimum = SIMD16(repeating: p.quantizedActivationMin)
    maximum = SIMD16(repeating: p.quantizedActivationMax)
    wholeRange = p.quantizedActivationMin == -128 && p.quantizedActivationMax == 127
  }

  /// `AddFunc` on sixteen pairs, before the clamp.
  @inline(__always)
  func unclamped(_ x: SIMD16<Int32>, _ y: SIMD16<Int32>) -> SIMD16<Int32> {
    rescaleOutput.apply(rescale1(x) &+ rescale2(y)) &+ outputOffset
  }

  /// `AddFunc` on sixteen pairs.
  @inline(__always)
  func callAsFunction(_ x: SIMD16<Int32>, _ y: SIMD16<Int32>) -> SIMD16<Int8> {
    clampedToInt8(unclamped(x, y), minimum, maximum)
  }

  /// `count` outputs from two rows; a repeated row is its first value `count` times.
  @inline(__always)
  func row(
    _ input1: UnsafePointer<Int8>, _ input2: UnsafePointer<Int8>,
    _ output: UnsafeMutablePointer<Int8>, count: Int, repeat1: Bool, repeat2: Bool
  ) {
    var i = 0
    if !repeat1 && !repeat2 {
      // Whole vectors, no branch inside: the iterations are independent and overlap.
      #if AVX512 && canImport(X86DotProduct)
        if wholeRange {
          while i + 16 <= count {
            let y = unclamped(loadWidened16(input1 + i), loadWidened16(input2 + i))
            storeUnaligned(narrowSaturatingToInt8(y), to: UnsafeMutableRawPointer(output + i))
            i += 16
          }
        }
      #endif
      while i + 16 <= count {
        storeGroup(
          self(loadWidened16(input1 + i), loadWidened16(input2 + i)), channels: 16, 0, output + i)
        i += 16
      }
    }
    while i < count {
      let n = count - i < 16 ? count - i : 16
      let x = repeat1 ? SIMD16(repeating: Int32(input1[0])) : loadWidened(input1 + i, count: n)
      let y = repeat2 ? SIMD16(repeating: Int32(input2[0])) : loadWidened(input2 + i, count: n)
      storeGroup(self(x, y), channels: n, 0, output + i)
      i += 16
    }
  }
}

/// `count` (1...16) int8 values at `p` widened to int32 lanes (the rest 0), never reading past
/// them.
@inline(__always)
func loadWidened(_ p: UnsafePointer<Int8>, count: Int) -> SIMD16<Int32> {
  if count == 16 { return widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)) }
  var r = SIMD16<Int32>()
  for j in 0..<count { r[j] = Int32(p[j]) }
  return r
}
