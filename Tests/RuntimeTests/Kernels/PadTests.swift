import Testing

@testable import Runtime

func padInt8(
  _ input: [Int8], dims: [Int], paddings: [Int32], outputDims: [Int], outputZeroPoint: Int32,
  constant: (value: Int8, scale: Float, zeroPoint: Int32)? = nil
) throws -> [Int8] {
  let outputShape = try shape(outputDims)
  let inputShape = try shape(dims)
  let p = try withInt32s(paddings) { (paddings) throws(KernelError) in
    try preparePad(
      inputShape: inputShape, paddings: paddings, outputShape: outputShape, outputScale: 0.5,
      outputZeroPoint: outputZeroPoint, constant: constant)
  }
  return run(input, outputCount: outputShape.flatSize) {
    padInt8Reference(p, input: $0, output: $1)
  }
}

@Test func padSurroundsAnImageWithTheZeroPoint() throws {
  // [1, 2, 2, 1] with one row/column on each side: a 4x4 frame of the zero point (-3 = real 0).
  let out = try padInt8(
    [1, 2, 3, 4], dims: [1, 2, 2, 1], paddings: [0, 0, 1, 1, 1, 1, 0, 0],
    outputDims: [1, 4, 4, 1], outputZeroPoint: -3)
  expectSameValues(
    out,
    [
      -3, -3, -3, -3,
      -3, 1, 2, -3,
      -3, 3, 4, -3,
      -3, -3, -3, -3,
    ])
}

@Test func padAsymmetricAndAlongChannels() throws {
  // SAME padding of an even kernel puts the extra row after: [1, 1, 2, 1] -> [1, 2, 3, 2]
  // with (0, 1) rows, (1, 0) columns and one extra channel after.
  let out = try padInt8(
    [5, 6], dims: [1, 1, 2, 1], paddings: [0, 0, 0, 1, 1, 0, 0, 1], outputDims: [1, 2, 3, 2],
    outputZeroPoint: 0)
  expectSameValues(out, [0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 0, 0])
}

@Test func padV2UsesTheConstantAndLowRanks() throws {
  let out = try padInt8(
    [7, 8, 9], dims: [3], paddings: [2, 1], outputDims: [6], outputZeroPoint: 0,
    constant: (value: -128, scale: 0.5, zeroPoint: 0))
  #expect(out == [-128, -128, 7, 8, 9, -128])
  // Rank 5, padding only the outermost axis.
  let five = try padInt8(
    [1, 2], dims: [1, 1, 1, 1, 2], paddings: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    outputDims: [2, 1, 1, 1, 2], outputZeroPoint: 4)
  #expect(five == [4, 4, 1, 2])
}

@Test func padPrepareRejectsWhatTFLMRejects() throws {
  #expect(throws: KernelError.shapeMismatch) {
    try padInt8([1, 2], dims: [2], paddings: [1, 1], outputDims: [5], outputZeroPoint: 0)
  }
  #expect(throws: KernelError.invalidPadding) {
    try padInt8([1, 2], dims: [2], paddings: [1, 1, 0, 0], outputDims: [4], outputZeroPoint: 0)
  }
  #expect(throws: KernelError.invalidPadding) {
    try padInt8([1, 2], dims: [2], paddings: [-1, 1], outputDims: [2], outputZeroPoint: 0)
  }
  #expect(throws: KernelError.tooManyDimensions(rank: 6)) {
    try padInt8(
      [1], dims: [1, 1, 1, 1, 1, 1], paddings: [Int32](repeating: 0, count: 12),
      outputDims: [1, 1, 1, 1, 1, 1], outputZeroPoint: 0)
  }
  // PADV2's constant must carry the output's quantisation.
  #expect(throws: KernelError.unsupportedQuantization) {
    try padInt8(
      [1], dims: [1], paddings: [1, 0], outputDims: [2], outputZeroPoint: 0,
      constant: (value: 3, scale: 0.25, zeroPoint: 0))
  }
  #expect(throws: KernelError.unsupportedQuantization) {
    try padInt8([1], dims: [1], paddings: [1, 0], outputDims: [2], outputZeroPoint: 200)
  }
}
