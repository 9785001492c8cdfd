import Testing

@testable import Runtime

/// Runs int8 SOFTMAX (output scale 1/256, zero point -128) on one row.
func softmaxInt8(_ input: [Int8], inputScale: Float, beta: Float = 1) throws -> [Int8] {
  let s = try shape(1, input.count)
  let p = try prepareSoftmax(
    beta: beta, inputScale: inputScale, outputScale: 1 / 256, outputZeroPoint: -128,
    outputType: .int8, inputShape: s, outputShape: s)
  return run(input, outputCount: input.count) { softmaxInt8Reference(p, input: $0, output: $1) }
}

@Test func softmaxOfEqualValuesSplitsEvenly() throws {
  // exp(0) = 1 each: 1/2 -> 128/256 -> 0 after the -128 zero point; 1/4 -> -64; 1/10 -> 25.6
  // rounds to 26 -> -102 (the reciprocal of the Q12 sum 10.0 is 0.8 * 2^-3).
  #expect(try softmaxInt8([7, 7], inputScale: 0.1) == [0, 0])
  #expect(try softmaxInt8([-3, -3, -3, -3], inputScale: 0.1) == [-64, -64, -64, -64])
  #expect(
    try softmaxInt8([Int8](repeating: 42, count: 10), inputScale: 0.05)
      == [Int8](repeating: -102, count: 10))
}

@Test func softmaxOfOneDominantValueSaturates() throws {
  // Scale 1: a difference of 255 is far below diffMin (-15 here), so exp() is 0 there and the
  // maximum gets 256/256, which the int8 clamp turns into 127.
  #expect(try softmaxInt8([127, -128], inputScale: 1) == [127, -128])
  let p = try prepareSoftmax(
    beta: 1, inputScale: 1, outputScale: 1 / 256, outputZeroPoint: -128, outputType: .int8,
    inputShape: try shape(2), outputShape: try shape(2))
  // beta * scale * 2^26 = 2^26 = 2^30 * 2^(27 - 31); radius floor(31 * 2^26 / 2^27) = 15.
  #expect(p.inputMultiplier == 1 << 30 && p.inputLeftShift == 27 && p.diffMin == -15)
}

@Test func softmaxTwoValuesOneStepApart() throws {
  // Scale 1, values 1 apart: e^0 / (e^0 + e^-1) = 0.7311 -> 187.16 -> 187 - 128 = 59, and
  // 0.2689 -> 68.84 -> 69 - 128 = -59.
  #expect(try softmaxInt8([3, 2], inputScale: 1) == [59, -59])
}

@Test func softmaxRowsAreIndependent() throws {
  let s = try shape(2, 1, 2)
  let p = try prepareSoftmax(
    beta: 1, inputScale: 1, outputScale: 1 / 256, outputZeroPoint: -128, outputType: .int8,
    inputShape: s, outputShape: s)
  #expect(p.outerSize == 2 && p.depth == 2)
  let out: [Int8] = run([3, 2, 5, 5], outputCount: 4) {
    softmaxInt8Reference(p, input: $0, output: $1)
  }
  #expect(out == [59, -59, 0, 0])
}

@Test func softmaxInt16OutputUsesSixteenFractionalBits() throws {
  let s = try shape(2)
  let p = try prepareSoftmax(
    beta: 1, inputScale: 0.1, outputScale: 1 / 65536, outputZeroPoint: -32768,
    outputType: .int16, inputShape: s, outputShape: s)
  let out: [Int16] = run([5, 5] as [Int8], outputCount: 2) {
    softmaxInt8ToInt16Reference(p, input: $0, output: $1)
  }
  #expect(out == [0, 0])  // 1/2 -> 32768/65536 -> 0 after the -32768 zero point
  let dominant: [Int16] = run([127, -128] as [Int8], outputCount: 2) {
    softmaxInt8ToInt16Reference(p, input: $0, output: $1)
  }
  // 255 steps below the maximum is past diffMin (-floor(31 * 2^26 / 2^23) = -248): -32768.
  #expect(dominant == [32767, -32768])
}

@Test func softmaxPrepareRejectsWhatTFLMRejects() throws {
  let s = try shape(4)
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareSoftmax(
      beta: 1, inputScale: 0.1, outputScale: 1 / 255, outputZeroPoint: -128, outputType: .int8,
      inputShape: s, outputShape: s)
  }
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareSoftmax(
      beta: 1, inputScale: 0.1, outputScale: 1 / 256, outputZeroPoint: 0, outputType: .int8,
      inputShape: s, outputShape: s)
  }
  // int16: within 0.1 % of 1/65536 is accepted, 1 % off is not.
  _ = try prepareSoftmax(
    beta: 1, inputScale: 0.1, outputScale: 1.0005 / 65536, outputZeroPoint: -32768,
    outputType: .int16, inputShape: s, outputShape: s)
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareSoftmax(
      beta: 1, inputScale: 0.1, outputScale: 1.01 / 65536, outputZeroPoint: -32768,
      outputType: .int16, inputShape: s, outputShape: s)
  }
  // beta * scale * 2^26 must exceed 1 (QuantizeMultiplierGreaterThanOne's TFLITE_CHECK).
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareSoftmax(
      beta: 1, inputScale: 0x1p-27, outputScale: 1 / 256, outputZeroPoint: -128,
      outputType: .int8, inputShape: s, outputShape: s)
  }
  #expect(throws: KernelError.shapeMismatch) {
    try prepareSoftmax(
      beta: 1, inputScale: 0.1, outputScale: 1 / 256, outputZeroPoint: -128, outputType: .int8,
      inputShape: s, outputShape: try shape(2, 2))
  }
}

@Test func softmaxCapsTheInputMultiplierAtInt32Max() throws {
  // beta * scale * 2^26 = 2^32 is capped at 2^31 - 1 (PreprocessSoftmaxScaling), which
  // QuantizeMultiplier keeps exactly: (2^31 - 1) * 2^(31 - 31).
  let s = try shape(3)
  let p = try prepareSoftmax(
    beta: 1, inputScale: 64, outputScale: 1 / 256, outputZeroPoint: -128, outputType: .int8,
    inputShape: s, outputShape: s)
  #expect(p.inputMultiplier == .max && p.inputLeftShift == 31)
  #expect(p.diffMin == 0)  // floor(31 * 2^26 / 2^31) = 0: only the maximum survives
  let out: [Int8] = run([10, 9, 10] as [Int8], outputCount: 3) {
    softmaxInt8Reference(p, input: $0, output: $1)
  }
  #expect(out == [0, -128, 0])
}

/// Rows of up to 64 elements reuse each exp from the sum (kept on the stack); longer rows
/// compute it again. An element far below the row's maximum contributes exactly nothing, so a
/// 64-element row and the same row with one such element more must give the same 64 outputs.
@Test func softmaxLongRowsEqualShortOnes() throws {
  var rng = SplitMix64(seed: 0x50F7)
  for _ in 0..<20 {
    var row = (0..<64).map { _ in Int8(truncatingIfNeeded: 100 + rng.below(28)) }
    let short = try softmaxInt8(row, inputScale: 0.5)
    row.append(-128)  // 228 or more below the maximum: under diffMin at this scale
    let long = try softmaxInt8(row, inputScale: 0.5)
    #expect(Array(long.prefix(64)) == short)
    #expect(long[64] == -128)
  }
}
