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
  // below one (right shifts of 0...31).
  guard p.leftShift == 20, p.outputShift <= 0, p.outputShift >= -31, p.input1Shift <= 0,
    p.input1Shift >= -31, p.input2Shift <= 0, p.input2Shift >= -31
  else {
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

/// `AddParams` as sixteen-lane vectors.
///
/// Each input's rescaling, `multiplyByQuantizedMultiplierSmallerThanOneExp((x + offset) << 20,
/// m, shift)`, is done in int32 lanes without 64-bit products: with v = x + offset (|v| <= 255)
/// and m = mHigh * 2^11 + mLow (0 <= mLow < 2^11),
///
///     saturatingRoundingDoublingHighMul(v * 2^20, m) = floor((v * m * 2^20 + 2^30) / 2^31)
///                                                   = v * mHigh + floor((v * mLow + 2^10) / 2^11)
///
/// (v * mHigh is an integer, so it leaves the floor; |v * mHigh| < 2^28, |v * mLow| < 2^19; the
/// saturating case, both operands Int32.min, cannot occur). The rounding shift of that h by e
/// (`roundingDivideByPOT`, half away from zero) is one floor for e >= 1,
///
///     floor((h + 2^(e-1) - [h < 0]) / 2^e) = (h + 2^(e-1) + (h >> 31)) >> e,
///
/// and h itself for e = 0, where the constant and the sign term are 0 (`roundingBias`,
/// `roundsBelowZero`); |h| < 2^28, so nothing overflows. The output's rescaling of the sum is
/// `FoldedRequantization` (the multiplier is positive and below 2^31, `prepareAdd` never sets a
/// left shift; the sum is below 2^29 in magnitude, its bound).
struct AddLanes {
  let offset1: SIMD16<Int32>
  let offset2: SIMD16<Int32>
  let multiplier1High: SIMD16<Int32>
  let multiplier1Low: SIMD16<Int32>
  let multiplier2High: SIMD16<Int32>
  let multiplier2Low: SIMD16<Int32>
  let rescaleOutput: FoldedRequantization
  let rightShift1: SIMD16<Int32>
  let rightShift2: SIMD16<Int32>
  // 2^(e-1) and all ones for e >= 1, 0 and 0 for e = 0 (see above), per input.
  let roundingBias1: SIMD16<Int32>
  let roundingBias2: SIMD16<Int32>
  let roundsBelowZero1: SIMD16<Int32>
  let roundsBelowZero2: SIMD16<Int32>
  let outputOffset: SIMD16<Int32>
  let minimum: SIMD16<Int32>
  let maximum: SIMD16<Int32>

  init(_ p: AddParams) {
    offset1 = SIMD16(repeating: p.input1Offset)
    offset2 = SIMD16(repeating: p.input2Offset)
    // Smaller-than-one multipliers: the shift is <= 0, only the rounding right shift applies.
    multiplier1High = SIMD16(repeating: p.input1Multiplier >> 11)
    multiplier1Low = SIMD16(repeating: p.input1Multiplier & 0x7FF)
    multiplier2High = SIMD16(repeating: p.input2Multiplier >> 11)
    multiplier2Low = SIMD16(repeating: p.input2Multiplier & 0x7FF)
    rescaleOutput = FoldedRequantization(
      multiplier: p.outputMultiplier, rightShift: -p.outputShift)
    rightShift1 = SIMD16(repeating: -p.input1Shift)
    rightShift2 = SIMD16(repeating: -p.input2Shift)
    roundingBias1 = SIMD16(repeating: p.input1Shift < 0 ? 1 << (-p.input1Shift - 1) : 0)
    roundingBias2 = SIMD16(repeating: p.input2Shift < 0 ? 1 << (-p.input2Shift - 1) : 0)
    roundsBelowZero1 = SIMD16(repeating: p.input1Shift < 0 ? -1 : 0)
    roundsBelowZero2 = SIMD16(repeating: p.input2Shift < 0 ? -1 : 0)
    outputOffset = SIMD16(repeating: p.outputOffset)
    minimum = SIMD16(repeating: p.quantizedActivationMin)
    maximum = SIMD16(repeating: p.quantizedActivationMax)
  }

  /// `AddFunc` on sixteen pairs.
  @inline(__always)
  func callAsFunction(_ x: SIMD16<Int32>, _ y: SIMD16<Int32>) -> SIMD16<Int8> {
    let scaled1 = Self.rescaled(
      x &+ offset1, multiplier1High, multiplier1Low, rightShift1, roundingBias1, roundsBelowZero1)
    let scaled2 = Self.rescaled(
      y &+ offset2, multiplier2High, multiplier2Low, rightShift2, roundingBias2, roundsBelowZero2)
    let sum = rescaleOutput.apply(scaled1 &+ scaled2)
    return clampedToInt8(sum &+ outputOffset, minimum, maximum)
  }

  /// One input's rescaling (see the type's comment) of v = x + offset, for the left shift of 20
  /// that `prepareAdd` always sets.
  @inline(__always)
  static func rescaled(
    _ v: SIMD16<Int32>, _ high: SIMD16<Int32>, _ low: SIMD16<Int32>, _ rightShift: SIMD16<Int32>,
    _ roundingBias: SIMD16<Int32>, _ roundsBelowZero: SIMD16<Int32>
  ) -> SIMD16<Int32> {
    let h = v &* high &+ ((v &* low &+ SIMD16(repeating: 1 << 10)) &>> 11)
    return (h &+ roundingBias &+ ((h &>> 31) & roundsBelowZero)) &>> rightShift
  }

  /// `count` outputs from two rows; a repeated row is its first value `count` times.
  @inline(__always)
  func row(
    _ input1: UnsafePointer<Int8>, _ input2: UnsafePointer<Int8>,
    _ output: UnsafeMutablePointer<Int8>, count: Int, repeat1: Bool, repeat2: Bool
  ) {
    var i = 0
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
