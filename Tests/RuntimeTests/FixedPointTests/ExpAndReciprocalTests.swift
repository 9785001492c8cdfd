import Foundation
import Testing

@testable import Runtime

/// Q`integerBits` raw value to Double.
func real(_ raw: Int32, integerBits: Int32) -> Double {
  Double(raw) * pow(2, Double(integerBits) - 31)
}

@Test func roundingHalfSumMatchesInt64Definition() {
  // gemmlowp: (a + b + sign(a + b)) / 2 in int64, C's truncating division.
  func oracle(_ a: Int32, _ b: Int32) -> Int32 {
    let sum = Int64(a) + Int64(b)
    return Int32((sum + (sum >= 0 ? 1 : -1)) / 2)
  }
  let edges: [Int32] = [.min, .min + 1, -2, -1, 0, 1, 2, .max - 1, .max]
  for a in edges {
    for b in edges { #expect(roundingHalfSum(a, b) == oracle(a, b), "a \(a) b \(b)") }
  }
  var rng = SplitMix64(seed: 11)
  for _ in 0..<100_000 {
    let a = Int32(truncatingIfNeeded: rng.next())
    let b = Int32(truncatingIfNeeded: rng.next())
    #expect(roundingHalfSum(a, b) == oracle(a, b), "a \(a) b \(b)")
  }
}

@Test func expOnNegativeValuesIsOneAtZeroAndClampsBelowMinus32() {
  for bits: Int32 in [0, 4, 5, 12, 29] {
    #expect(expOnNegativeValues(0, integerBits: bits) == .max)
  }
  // Formats with more than 5 integer bits send everything below -32 to 0.
  #expect(expOnNegativeValues(-(33 << 25), integerBits: 6) == 0)
  #expect(expOnNegativeValues(.min, integerBits: 12) == 0)
  // exp(-1/4): the range reduction leaves r = -1/4 and no barrel-shifter bit.
  #expect(
    expOnNegativeValues(-(1 << 24), integerBits: 5)
      == expOnIntervalBetweenNegativeOneQuarterAnd0Excl(-(1 << 29)))
}

@Test func expOnNegativeValuesIsWithinItsErrorOfExp() {
  // Q5.26 inputs over [-32, 0], the format SOFTMAX uses. The error is dominated by the
  // fourth-order Taylor series on [-1/4, 0) (about 2^-22 at its ends); the barrel shifter's
  // products only shrink it. Measured maximum: see the message.
  var rng = SplitMix64(seed: 12)
  var maxError = 0.0
  for i in 0..<50_000 {
    let raw = i < 1000 ? -Int32(i) << 16 : -Int32(truncatingIfNeeded: rng.next() & 0x7FFF_FFFF)
    let x = real(raw, integerBits: 5)
    let got = real(expOnNegativeValues(raw, integerBits: 5), integerBits: 0)
    maxError = max(maxError, abs(got - exp(x)))
  }
  #expect(maxError < 3e-7, "max |fixed - exp| = \(maxError)")
  // The interval kernel alone, on [-1/4, 0).
  var intervalError = 0.0
  for raw in stride(from: Int32(-(1 << 29)), to: 0, by: 4099) {
    let got = real(expOnIntervalBetweenNegativeOneQuarterAnd0Excl(raw), integerBits: 0)
    intervalError = max(intervalError, abs(got - exp(real(raw, integerBits: 0))))
  }
  #expect(intervalError < 3e-7, "max |fixed - exp| on [-1/4, 0) = \(intervalError)")
}

@Test func oneOverOnePlusXIsWithinRoundingOfTheQuotient() {
  var maxError = 0.0
  for raw in stride(from: Int32(0), to: .max - 65537, by: 65537) {
    let x = real(raw, integerBits: 0)
    let got = real(oneOverOnePlusXForXIn01(raw), integerBits: 0)
    maxError = max(maxError, abs(got - 1 / (1 + x)))
  }
  // Three Newton steps from the 48/17 - 32/17 d guess converge to a few Q0.31 units.
  #expect(maxError < 1e-8, "max |fixed - 1/(1+x)| = \(maxError)")
}

@Test func getReciprocalNormalisesAndInverts() {
  // 10.0 in Q12.19: 1/10 = 0.8 * 2^-3.
  let (reciprocal, bits) = getReciprocal(10 << 19, integerDigits: 12)
  #expect(bits == 3)
  #expect(abs(real(reciprocal, integerBits: 0) - 0.8) < 1e-8)
  // 1.0 exactly: 1 / (1 + 0), no shift.
  #expect(getReciprocal(1 << 19, integerDigits: 12).numBitsOverUnit == 0)
  var rng = SplitMix64(seed: 13)
  for _ in 0..<10_000 {
    let x = Int32(1 << 19) + Int32(truncatingIfNeeded: rng.next() & 0x3FFF_FFFF) >> 2
    let (r, n) = getReciprocal(x, integerDigits: 12)
    let got = real(r, integerBits: 0) * pow(2, -Double(n))
    let want = 1 / real(x, integerBits: 12)
    #expect(abs(got / want - 1) < 2e-8, "x \(x): \(got) vs \(want)")
  }
}

@Test func logisticIsSymmetricAndWithinItsErrorOfTheFunction() {
  #expect(logistic(0, integerBits: 4) == 1 << 30)
  var rng = SplitMix64(seed: 14)
  var maxError = 0.0
  for _ in 0..<20_000 {
    let raw = Int32(truncatingIfNeeded: rng.next()) | 1  // never 0
    guard raw != .min else { continue }
    let a = logistic(raw, integerBits: 4)
    // logistic(-x) = 1 - logistic(x), with 1 = Int32.max, exactly.
    #expect(a &+ logistic(-raw, integerBits: 4) == .max, "raw \(raw)")
    let x = real(raw, integerBits: 4)
    maxError = max(maxError, abs(real(a, integerBits: 0) - 1 / (1 + exp(-x))))
  }
  #expect(maxError < 3e-7, "max |fixed - logistic| = \(maxError)")
}
