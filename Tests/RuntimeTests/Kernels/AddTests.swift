import Testing

@testable import Runtime

/// Int8 ADD of two same-shape vectors.
func addInt8(
  _ a: [Int8], _ b: [Int8], scales: (Float, Float, Float), zeroPoints: (Int32, Int32, Int32),
  activation: FusedActivation = .none
) throws -> [Int8] {
  let s = try shape(a.count)
  let p = try prepareAdd(
    input1Scale: scales.0, input1ZeroPoint: zeroPoints.0, input2Scale: scales.1,
    input2ZeroPoint: zeroPoints.1, outputScale: scales.2, outputZeroPoint: zeroPoints.2,
    activation: activation, input1Shape: s, input2Shape: s, outputShape: s)
  return b.withUnsafeBufferPointer { second in
    run(a, outputCount: a.count) {
      addInt8Reference(p, input1: $0, input2: second.baseAddress!, output: $1)
    }
  }
}

@Test func addPrepareRescalesToTwiceTheLargerInputScale() throws {
  let s = try shape(1)
  let p = try prepareAdd(
    input1Scale: 0.5, input1ZeroPoint: 3, input2Scale: 0.25, input2ZeroPoint: -4,
    outputScale: 1, outputZeroPoint: 7, activation: .none, input1Shape: s, input2Shape: s,
    outputShape: s)
  // 0.5 / (2 * 0.5) = 1/2 -> (2^30, 0); 0.25 / 1 = 1/4 -> (2^30, -1);
  // 1 / (2^20 * 1) = 2^-20 -> (2^30, -19).
  #expect(p.leftShift == 20 && p.input1Offset == -3 && p.input2Offset == 4 && p.outputOffset == 7)
  #expect(p.input1Multiplier == 1 << 30 && p.input1Shift == 0)
  #expect(p.input2Multiplier == 1 << 30 && p.input2Shift == -1)
  #expect(p.outputMultiplier == 1 << 30 && p.outputShift == -19)
}

@Test func addOfTwoScalesHandWorked() throws {
  // a at 0.5/step, b at 0.25/step, output at 1/step with zero point 7:
  // (4 - 3) * 0.5 + (8 + 4) * 0.25 = 3.5 -> rounds away from zero to 4 -> 11;
  // (-3 - 3) * 0.5 + (-4 + 4) * 0.25 = -3 -> 4; (23 - 3) * 0.5 + (-44 + 4) * 0.25 = 0 -> 7.
  let out = try addInt8(
    [4, -3, 23], [8, -4, -44], scales: (0.5, 0.25, 1), zeroPoints: (3, -4, 7))
  #expect(out == [11, 4, 7])
}

@Test func addRoundsTiesAwayFromZero() throws {
  // Output scale 2 on unit inputs: (1 + 2) / 2 = 1.5 -> 2 and -1.5 -> -2, the double rounding
  // (SRDHM then RoundingDivideByPOT) keeping the tie exact.
  #expect(
    try addInt8([1, -1, 2, -2], [2, -2, 3, -3], scales: (1, 1, 2), zeroPoints: (0, 0, 0))
      == [2, -2, 3, -3])
}

@Test func addSaturatesAndFoldsTheActivation() throws {
  // 100 + 100 at unit scales is 200: clamped to 127. RELU at zero point -10 clamps at -10.
  #expect(
    try addInt8([100, -100], [100, -100], scales: (1, 1, 1), zeroPoints: (0, 0, 0))
      == [127, -128])
  #expect(
    try addInt8(
      [-5, 20], [-5, 0], scales: (1, 1, 1), zeroPoints: (0, 0, -10),
      activation: .relu) == [-10, 10])
}

@Test func addBroadcastsSizeOneDimensions() throws {
  // [1, 2, 2, 1] + [1, 1, 1, 3]: every pixel plus a per-channel vector, at unit scales.
  let p = try prepareAdd(
    input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0, outputScale: 1,
    outputZeroPoint: 0, activation: .none, input1Shape: try shape(1, 2, 2, 1),
    input2Shape: try shape(3), outputShape: try shape(1, 2, 2, 3))
  #expect(p.requiresBroadcast)
  let pixels: [Int8] = [0, 10, 20, 30]
  let channels: [Int8] = [1, 2, 3]
  let out: [Int8] = channels.withUnsafeBufferPointer { c in
    run(pixels, outputCount: 12) {
      addInt8Reference(p, input1: $0, input2: c.baseAddress!, output: $1)
    }
  }
  #expect(out == [1, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32, 33])
}

@Test func addPrepareRejectsShapesAndScalesTFLMCannotRun() throws {
  func prepare(_ a: RuntimeShape, _ b: RuntimeShape, _ out: RuntimeShape, outputScale: Float = 1)
    throws
  {
    _ = try prepareAdd(
      input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0,
      outputScale: outputScale, outputZeroPoint: 0, activation: .none, input1Shape: a,
      input2Shape: b, outputShape: out)
  }
  #expect(throws: KernelError.shapeMismatch) { try prepare(shape(2, 3), shape(3, 3), shape(3, 3)) }
  #expect(throws: KernelError.shapeMismatch) { try prepare(shape(1, 3), shape(2, 1), shape(2, 1)) }
  #expect(throws: KernelError.tooManyDimensions(rank: 5)) {
    try prepare(shape(1, 1, 1, 1, 3), shape(3), shape(1, 1, 1, 1, 3))
  }
  // The output multiplier 2 / (2^20 * outputScale) must stay below one.
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepare(shape(3), shape(3), shape(3), outputScale: 0x1p-20)
  }
}
