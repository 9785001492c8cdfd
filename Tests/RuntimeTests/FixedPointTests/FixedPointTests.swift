import Foundation
import Testing

@testable import Runtime

/// A deterministic generator so a failure names a seed that reproduces it.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

// Oracles in 64-bit arithmetic, written from gemmlowp's definitions (the host has Int64).
func srdhmOracle(_ a: Int32, _ b: Int32) -> Int32 {
  if a == .min && b == .min { return .max }
  let ab = Int64(a) * Int64(b)
  let nudge: Int64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30)
  return Int32((ab + nudge) / (1 << 31))  // Swift's `/` truncates, as C's does
}

func roundingDivideByPOTOracle(_ x: Int32, _ exponent: Int32) -> Int32 {
  // Round half away from zero of x / 2^exponent, computed exactly in Int64.
  if exponent == 0 { return x }
  let divisor = Int64(1) << Int64(exponent)
  let magnitude = (abs(Int64(x)) + divisor / 2) / divisor
  return Int32(x < 0 ? -magnitude : magnitude)
}

@Test func srdhmSaturatesTheOneOverflowingProduct() {
  #expect(saturatingRoundingDoublingHighMul(.min, .min) == .max)
  #expect(saturatingRoundingDoublingHighMul(.min, .max) == -Int32.max)
  #expect(saturatingRoundingDoublingHighMul(.max, .max) == Int32.max - 1)
}

@Test func srdhmHandWorkedValues() {
  // 0.5 * 0.5 = 0.25 in Q0.31.
  #expect(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30) == 1 << 29)
  #expect(saturatingRoundingDoublingHighMul(-(1 << 30), 1 << 30) == -(1 << 29))
  // 3 * 2^30 / 2^31 = 1.5: ties go up (VQRDMULH), so 2 and, for -1.5, -1.
  #expect(saturatingRoundingDoublingHighMul(3, 1 << 30) == 2)
  #expect(saturatingRoundingDoublingHighMul(-3, 1 << 30) == -1)
  // -2.5 -> -2, 2.5 -> 3.
  #expect(saturatingRoundingDoublingHighMul(-5, 1 << 30) == -2)
  #expect(saturatingRoundingDoublingHighMul(5, 1 << 30) == 3)
  #expect(saturatingRoundingDoublingHighMul(0, .min) == 0)
}

@Test func srdhmMatchesInt64OracleOnRandomValues() {
  var rng = SplitMix64(seed: 1)
  for _ in 0..<200_000 {
    let a = Int32(truncatingIfNeeded: rng.next())
    let b = Int32(truncatingIfNeeded: rng.next())
    #expect(saturatingRoundingDoublingHighMul(a, b) == srdhmOracle(a, b), "a \(a) b \(b)")
  }
}

@Test func roundingDivideByPOTHandWorkedValues() {
  #expect(roundingDivideByPOT(5, 1) == 3)  // 2.5 -> 3
  #expect(roundingDivideByPOT(-5, 1) == -3)  // -2.5 -> -3 (away from zero)
  #expect(roundingDivideByPOT(-4, 2) == -1)  // exact
  #expect(roundingDivideByPOT(-6, 2) == -2)  // -1.5 -> -2
  #expect(roundingDivideByPOT(6, 2) == 2)  // 1.5 -> 2
  #expect(roundingDivideByPOT(-7, 2) == -2)  // -1.75 -> -2
  #expect(roundingDivideByPOT(-5, 2) == -1)  // -1.25 -> -1
  #expect(roundingDivideByPOT(7, 0) == 7)
  #expect(roundingDivideByPOT(.min, 31) == -1)
  #expect(roundingDivideByPOT(.max, 31) == 1)
}

@Test func roundingDivideByPOTMatchesOracleOnRandomValues() {
  var rng = SplitMix64(seed: 2)
  for _ in 0..<200_000 {
    let x = Int32(truncatingIfNeeded: rng.next())
    let e = Int32(rng.next() % 32)
    #expect(roundingDivideByPOT(x, e) == roundingDivideByPOTOracle(x, e), "x \(x) e \(e)")
  }
}

@Test func saturatingRoundingMultiplyByPOTSaturatesAndRounds() {
  #expect(saturatingRoundingMultiplyByPOT(3, 2) == 12)
  #expect(saturatingRoundingMultiplyByPOT(1 << 29, 2) == .max)
  #expect(saturatingRoundingMultiplyByPOT(-(1 << 29), 2) == .min)
  #expect(saturatingRoundingMultiplyByPOT(-(1 << 29) + 1, 2) == -(1 << 31) + 4)
  #expect(saturatingRoundingMultiplyByPOT(-5, -1) == -3)
}

@Test func quantizeMultiplierHandWorkedScales() {
  #expect(quantizeMultiplier(1.0) == (1 << 30, 1))
  #expect(quantizeMultiplier(0.5) == (1 << 30, 0))
  #expect(quantizeMultiplier(2.0) == (1 << 30, 2))
  #expect(quantizeMultiplier(0.75) == (3 << 29, 0))
  #expect(quantizeMultiplier(1.0 / 3.0) == (1_431_655_765, -1))  // round(2/3 * 2^31)
  #expect(quantizeMultiplier(300.0) == (1_258_291_200, 9))  // 300 = 0.5859375 * 2^9
  #expect(quantizeMultiplier(-0.75) == (-(3 << 29), 0))
  // Rounds up to 2^31: halved, shift + 1.
  #expect(quantizeMultiplier(1.0 - 0x1p-40) == (1 << 30, 1))
  #expect(quantizeMultiplier(0.0) == (0, 0))
  #expect(quantizeMultiplier(-0.0) == (0, 0))
  // Below 2^-32 the shift would be < -31: flushed to zero, as every subnormal is.
  #expect(quantizeMultiplier(0x1p-31) == (1 << 30, -30))
  #expect(quantizeMultiplier(0x1p-32) == (1 << 30, -31))
  #expect(quantizeMultiplier(0x1p-33) == (0, 0))
  #expect(quantizeMultiplier(Double.leastNonzeroMagnitude) == (0, 0))
  #expect(quantizeMultiplier(Double.leastNormalMagnitude / 3) == (0, 0))
}

@Test func frExpSplitsNormalsAndSubnormalsLikeLibm() {
  var rng = SplitMix64(seed: 3)
  var values: [Double] = [1, 0.5, 3, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude]
  for _ in 0..<2000 { values.append(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)) }
  for _ in 0..<200 { values.append(Double(bitPattern: rng.next() & 0x000F_FFFF_FFFF_FFFF)) }
  for x in values where x != 0 {
    let parts = FrExp(x)
    let (significand, exponent) = Foundation.frexp(x)
    #expect(Double(parts.significandBits) * 0x1p-53 == significand, "x \(x)")
    #expect(Int(parts.exponent) == exponent, "x \(x)")
  }
}

@Test func quantizeMultiplierMatchesFrexpRoundingOnRandomScales() {
  // TFLite: q, shift = frexp(x); m = round(q * 2^31), with the 2^31 and shift < -31 fix-ups.
  var rng = SplitMix64(seed: 4)
  for _ in 0..<20_000 {
    let x = Double(rng.next() % 1_000_000_000) * 0x1p-30 * Double(1 << (rng.next() % 12))
    var (q, shift) = Foundation.frexp(x)
    var m = Int64((q * 0x1p31).rounded(.toNearestOrAwayFromZero))
    if m == 1 << 31 {
      m /= 2
      shift += 1
    }
    if shift < -31 || x == 0 {
      m = 0
      shift = 0
    }
    q = 0
    let got = quantizeMultiplier(x)
    #expect(got.multiplier == Int32(m) && got.shift == Int32(shift), "x \(x)")
  }
}

@Test func multiplyByQuantizedMultiplierMatchesExactOracle() {
  // The exact oracle: the Int64 SRDHM of x * 2^left (left shift wraps in 32 bits, as in C), then
  // the rounding right shift, recomputed here without the library's helpers.
  var rng = SplitMix64(seed: 5)
  for _ in 0..<200_000 {
    let x = Int32(truncatingIfNeeded: rng.next()) >> Int32(rng.next() % 20)
    let multiplier = Int32(1 << 30) + Int32(rng.next() % (1 << 30))
    let shift = Int32(rng.next() % 40) - 31  // -31 ... 8
    let left = max(shift, 0)
    let right = max(-shift, 0)
    let high = srdhmOracle(x &* (1 << left), multiplier)
    let want = roundingDivideByPOTOracle(high, right)
    let got = multiplyByQuantizedMultiplier(x, multiplier, shift)
    #expect(got == want, "x \(x) multiplier \(multiplier) shift \(shift)")
  }
}

@Test func multiplyByQuantizedMultiplierEqualsRealProductWithinOne() {
  // x * M * 2^(shift-31) with the real multiplier 0.3: the result is the exact product rounded.
  let (m, s) = quantizeMultiplier(0.3)
  #expect(multiplyByQuantizedMultiplier(1000, m, s) == 300)
  #expect(multiplyByQuantizedMultiplier(-1000, m, s) == -300)
  #expect(multiplyByQuantizedMultiplier(5, m, s) == 2)  // 1.5 -> 2 (SRDHM then ties away)
  let (m2, s2) = quantizeMultiplier(3.5)
  #expect(multiplyByQuantizedMultiplier(10, m2, s2) == 35)
}

/// The convolution multiplier widens each Float scale to Double before the product, as current
/// TFLM's `GetQuantizedConvolutionMultipler` (kernel_util.cc) does for per-tensor
/// FULLY_CONNECTED. Golden vectors from a numpy transcription of TFLM: for each triple of scales
/// (float32 bit patterns), the Float-first product gives another multiplier, and the accumulator
/// shown requantises differently with it.
@Test func convolutionMultiplierTakesTheProductInDouble() {
  struct Case {
    var input, filter, output: UInt32
    var multiplier, shift: Int32
    var accumulator, tflmResult: Int32
  }
  let cases = [
    Case(
      input: 1_012_738_130, filter: 1_009_154_626, output: 1_041_217_675,
      multiplier: 1_074_477_846, shift: -9, accumulator: -107_957, tflmResult: -106),
    Case(
      input: 1_023_860_626, filter: 1_015_158_527, output: 1_025_012_542,
      multiplier: 1_930_907_155, shift: -6, accumulator: -152_001, tflmResult: -2136),
    Case(
      input: 1_027_146_783, filter: 982_497_431, output: 1_015_963_400,
      multiplier: 1_566_742_476, shift: -8, accumulator: 189_305, tflmResult: 539),
  ]
  for c in cases {
    let (m, s) = convolutionChannelMultiplier(
      inputScale: Float(bitPattern: c.input), filterScale: Float(bitPattern: c.filter),
      outputScale: Float(bitPattern: c.output))
    #expect(m == c.multiplier && s == c.shift)
    #expect(multiplyByQuantizedMultiplier(c.accumulator, m, s) == c.tflmResult)
  }
}
