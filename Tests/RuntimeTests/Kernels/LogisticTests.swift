import Testing

@testable import Runtime

@Test func logisticPrepareMatchesTFLMsFrexpRescaling() throws {
  // scale 1/16: one step is 2^23 in Q4.27 = 0.5 * 2^24 -> (2^30, 24); the radius is
  // floor(15 * 2^27 / 2^24) = 120 steps, i.e. 7.5.
  let p = try prepareLogistic(inputScale: 1 / 16, inputZeroPoint: 0, outputZeroPoint: -128)
  #expect(p.inputMultiplier == 1 << 30 && p.inputLeftShift == 24 && p.inputRangeRadius == 120)
  // scale 0.1f = 0xCCCCCD * 2^-27, so 0.1f * 2^27 = 13421773 = (13421773 / 2^24) * 2^24 and
  // the Q0.31 fraction is exactly 13421773 * 2^7 = 1717986944 (no rounding: 24-bit scales).
  let q = try prepareLogistic(inputScale: 0.1, inputZeroPoint: 3, outputZeroPoint: -128)
  #expect(q.inputMultiplier == 1_717_986_944 && q.inputLeftShift == 24)
  #expect(q.inputRangeRadius == 120 && q.inputZeroPoint == 3)
}

@Test func logisticHandWorkedValues() throws {
  let p = try prepareLogistic(inputScale: 1 / 16, inputZeroPoint: 0, outputZeroPoint: -128)
  let input: [Int8] = [0, 16, 32, -32, 119, 120, 127, -120, -128]
  let out: [Int8] = run(input, outputCount: input.count) {
    logisticInt8Reference(p, count: input.count, input: $0, output: $1)
  }
  // 0 -> 0.5 -> 128/256 -> 0; 1.0 -> 0.7311 * 256 = 187.15 -> 59; 2.0 -> 225.48 -> 97;
  // -2.0 -> 30.52 -> 31 -> -97; 7.4375 -> 255.85 rounds to 256, clamped to 127; at and past
  // the radius (120 steps) the output saturates without evaluating.
  expectSameValues(out, [0, 59, 97, -97, 127, 127, 127, -128, -128])
}

@Test func logisticIsSymmetricAroundTheZeroPoint() throws {
  // logistic(-x) = 1 - logistic(x) exactly in Q0.31 (1 being Int32.max), so the two rounded
  // outputs are 256 apart before the -128 zero point: their sum is 0, or -1 where one of them
  // is 256/256, clamped to 127.
  let p = try prepareLogistic(inputScale: 0.037, inputZeroPoint: -5, outputZeroPoint: -128)
  let input = (0..<128).map { Int8(truncatingIfNeeded: -5 + $0) }
  let mirrored = (0..<128).map { Int8(truncatingIfNeeded: -5 - $0) }
  let a: [Int8] = run(input, outputCount: 128) {
    logisticInt8Reference(p, count: 128, input: $0, output: $1)
  }
  let b: [Int8] = run(mirrored, outputCount: 128) {
    logisticInt8Reference(p, count: 128, input: $0, output: $1)
  }
  for i in 0..<123 {  // -5 - i stays in int8 for i <= 123
    let sum = Int(a[i]) + Int(b[i])
    #expect(sum == 0 || sum == -1, "x = \(i) steps: \(a[i]) + \(b[i])")
  }
}

@Test func logisticPrepareRejectsWhatTFLMCannotRun() throws {
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareLogistic(inputScale: 0.1, inputZeroPoint: 0, outputZeroPoint: 0)
  }
  // Below 2^-28 the frexp shift goes negative, where TFLite's radius is undefined.
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareLogistic(inputScale: 0x1p-30, inputZeroPoint: 0, outputZeroPoint: -128)
  }
}
