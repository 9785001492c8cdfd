import Testing

@testable import Runtime

@Test func quantizeFloatRoundsHalfAwayFromZeroAndClamps() {
  // scale 0.5, zero point -1: x / 0.5 rounded, minus 1. 0.25 -> 0.5 -> 1 -> 0; -0.25 -> -1 ->
  // -2; 0.74 -> 1.48 -> 1 -> 0; 1000 -> 127; -1000 -> -128; NaN -> the zero point.
  let p = prepareQuantize(outputScale: 0.5, outputZeroPoint: -1)
  let input: [Float] = [0, 0.25, -0.25, 0.74, 1000, -1000, 63.5, .infinity, -.infinity, .nan]
  let out: [Int8] = run(input, outputCount: input.count) {
    quantizeFloatToInt8Reference(p, count: input.count, input: $0, output: $1)
  }
  expectSameValues(out, [-1, 0, -2, 0, 127, -128, 126, 127, -128, -1])
}

@Test func quantizeDividesInFloat() {
  // 0.25 / 0.1f is 2.4999999627 in Double but exactly 2.5 in Float, and 0.35f / 0.1f is
  // 3.4999998882 in Double but 3.5 in Float: TFLite divides in Float, so these are ties and
  // round away from zero (3, 4, -4), where a Double quotient would give 2, 3, -3.
  let p = prepareQuantize(outputScale: 0.1, outputZeroPoint: 0)
  let input: [Float] = [0.25, 0.35, -0.35]
  #expect(Double(input[1]) / Double(Float(0.1)) < 3.5)
  let out: [Int8] = run(input, outputCount: 3) {
    quantizeFloatToInt8Reference(p, count: 3, input: $0, output: $1)
  }
  #expect(out == [3, 4, -4])
}

@Test func requantizeInt8ToInt8() {
  // From scale 1 (zero point 3) to scale 0.5 (zero point -2): (x - 3) * 2 - 2.
  let p = prepareRequantize(inputScale: 1, inputZeroPoint: 3, outputScale: 0.5, outputZeroPoint: -2)
  let input: [Int8] = [3, 4, 0, 70, -70]
  let out: [Int8] = run(input, outputCount: 5) {
    requantizeInt8Reference(p, count: 5, input: $0, output: $1)
  }
  #expect(out == [-2, 0, -8, 127, -128])
  // Halving has shift 0, so SRDHM's rounding is the only one, and it rounds ties up (towards
  // +infinity), unlike RoundingDivideByPOT: 1.5 -> 2, -1.5 -> -1, 0.5 -> 1, -0.5 -> 0.
  let half = prepareRequantize(
    inputScale: 0.5, inputZeroPoint: 0, outputScale: 1, outputZeroPoint: 0)
  #expect(half.requantizeMultiplier == 1 << 30 && half.requantizeShift == 0)
  let halved: [Int8] = run([3, -3, 1, -1] as [Int8], outputCount: 4) {
    requantizeInt8Reference(half, count: 4, input: $0, output: $1)
  }
  #expect(halved == [2, -1, 1, 0])
  // A quarter is (2^30, -1): SRDHM halves exactly (±6 -> ±3), then RoundingDivideByPOT's
  // ties go away from zero: ±1.5 -> ±2, ±0.5 -> ±1.
  let quarter = prepareRequantize(
    inputScale: 0.25, inputZeroPoint: 0, outputScale: 1, outputZeroPoint: 0)
  let quartered: [Int8] = run([6, -6, 2, -2] as [Int8], outputCount: 4) {
    requantizeInt8Reference(quarter, count: 4, input: $0, output: $1)
  }
  #expect(quartered == [2, -2, 1, -1])
}

@Test func requantizeBetweenInt8AndUInt8() {
  // Same scale, zero points 128 apart: the top bit flips (TFLite's fast path).
  let toU = prepareRequantize(
    inputScale: 0.02, inputZeroPoint: -128, outputScale: 0.02, outputZeroPoint: 0)
  let all = (-128...127).map { Int8($0) }
  let u: [UInt8] = run(all, outputCount: 256) {
    requantizeInt8ToUInt8Reference(toU, count: 256, input: $0, output: $1)
  }
  #expect(u == (0...255).map { UInt8($0) })
  let toI = prepareRequantize(
    inputScale: 0.02, inputZeroPoint: 128, outputScale: 0.02, outputZeroPoint: 0)
  let back: [Int8] = run(u, outputCount: 256) {
    requantizeUInt8ToInt8Reference(toI, count: 256, input: $0, output: $1)
  }
  #expect(back == all)
  // Zero points 10 apart at the same scale: the general path, clamped at the ends.
  let shifted = prepareRequantize(
    inputScale: 1, inputZeroPoint: 0, outputScale: 1, outputZeroPoint: 10)
  let s: [UInt8] = run([-128, -10, 0, 127] as [Int8], outputCount: 4) {
    requantizeInt8ToUInt8Reference(shifted, count: 4, input: $0, output: $1)
  }
  #expect(s == [0, 0, 10, 137])
  let down = prepareRequantize(
    inputScale: 2, inputZeroPoint: 100, outputScale: 1, outputZeroPoint: 0)
  let d: [Int8] = run([0, 100, 101, 255] as [UInt8], outputCount: 4) {
    requantizeUInt8ToInt8Reference(down, count: 4, input: $0, output: $1)
  }
  #expect(d == [-128, 0, 2, 127])
}

@Test func dequantizeMultipliesInDouble() {
  let p = prepareDequantize(inputScale: 0.5, inputZeroPoint: 3)
  let out: [Float] = run([5, 3, -128, 127] as [Int8], outputCount: 4) {
    dequantizeInt8Reference(p, count: 4, input: $0, output: $1)
  }
  #expect(out == [1, 0, -65.5, 62])
  // uint8 input, and a scale that is not a power of two: Float(Double(0.1f) * 3).
  let tenth = prepareDequantize(inputScale: 0.1, inputZeroPoint: 0)
  let three: [Float] = run([3, 0, 255] as [UInt8], outputCount: 3) {
    dequantizeUInt8Reference(tenth, count: 3, input: $0, output: $1)
  }
  #expect(three == [Float(Double(Float(0.1)) * 3), 0, Float(Double(Float(0.1)) * 255)])
}
