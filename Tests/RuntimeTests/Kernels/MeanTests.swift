import Testing

@testable import Runtime

/// Int8 MEAN of `input` (shape `dims`) over `axes`.
func meanInt8(
  _ input: [Int8], dims: [Int], axes: [Int32], outputDims: [Int], inputScale: Float = 1,
  inputZeroPoint: Int32 = 0, outputScale: Float = 1, outputZeroPoint: Int32 = 0
) throws -> (MeanParams, [Int8]) {
  let outputShape = try shape(outputDims)
  let inputShape = try shape(dims)
  let p = try withInt32s(axes) { (axis) throws(KernelError) in
    try prepareMean(
      inputShape: inputShape, axis: axis, outputShape: outputShape,
      inputScale: inputScale, inputZeroPoint: inputZeroPoint, outputScale: outputScale,
      outputZeroPoint: outputZeroPoint)
  }
  return (
    p, run(input, outputCount: outputShape.flatSize) { meanInt8Reference(p, input: $0, output: $1) }
  )
}

@Test func meanFoldsOneOverCountIntoTheMultiplier() throws {
  // Equal scales: (2^30, 1). Four elements: shift 2, (2^30 << 2) / 4 = 2^30, output shift -1.
  let (p4, _) = try meanInt8(
    [1, 2, 3, 4], dims: [1, 2, 2, 1], axes: [1, 2], outputDims: [1, 1, 1, 1])
  #expect(p4.outputMultiplier == 1 << 30 && p4.outputShift == -1 && p4.elementsPerOutput == 4)
  // Three: shift 1, (2^31) / 3 = 715827882 truncated, output shift 0.
  let (p3, _) = try meanInt8([1, 1, 2], dims: [3], axes: [0], outputDims: [1])
  #expect(p3.outputMultiplier == 715_827_882 && p3.outputShift == 0)
}

@Test func meanHandWorkedValuesRoundHalfAwayFromZero() throws {
  // 2.5 -> 3 and -2.5 -> -3 (RoundingDivideByPOT); 4/3 -> 1.
  #expect(
    try meanInt8([1, 2, 3, 4], dims: [1, 2, 2, 1], axes: [1, 2], outputDims: [1, 1, 1, 1]).1 == [3])
  #expect(
    try meanInt8([-1, -2, -3, -4], dims: [1, 2, 2, 1], axes: [1, 2], outputDims: [1, 1]).1 == [-3])
  #expect(try meanInt8([1, 1, 2], dims: [3], axes: [0], outputDims: []).1 == [1])
}

@Test func meanOverHeightAndWidthKeepsChannelsApart() throws {
  // [1, 2, 2, 2] NHWC: channel 0 holds 10, 20, 30, 40 (mean 25), channel 1 holds -8 x 4.
  // With input zero point 2 and output zero point -1 at equal scales:
  // (25 - 2) - 1 = 22 and (-8 - 2) - 1 = -11. keep_dims only changes the stated output rank.
  let input: [Int8] = [10, -8, 20, -8, 30, -8, 40, -8]
  for outputDims in [[1, 1, 1, 2], [1, 2]] {
    let (_, out) = try meanInt8(
      input, dims: [1, 2, 2, 2], axes: [2, 1], outputDims: outputDims, inputZeroPoint: 2,
      outputZeroPoint: -1)
    #expect(out == [22, -11], "output dims \(outputDims)")
  }
}

@Test func meanRescalesBetweenScales() throws {
  // Input at 0.5/step, output at 0.25/step: the mean of 3 and 6 steps (2.25) is 9 steps out.
  #expect(
    try meanInt8(
      [3, 6], dims: [2], axes: [0], outputDims: [1], inputScale: 0.5,
      outputScale: 0.25
    ).1 == [9])
  // And saturates: 100 steps at 0.5 is 200 steps at 0.25.
  #expect(
    try meanInt8(
      [100, 100], dims: [2], axes: [-1], outputDims: [1], inputScale: 0.5,
      outputScale: 0.25
    ).1 == [127])
}

@Test func meanResolvesNegativeAndRepeatedAxes() throws {
  // Axes [-1, 1, 1] on [2, 3]: axis 1 once, so each row is averaged over 3.
  let (p, out) = try meanInt8(
    [3, 3, 6, -9, 0, 0], dims: [2, 3], axes: [-1, 1, 1], outputDims: [2])
  #expect(p.elementsPerOutput == 3)
  #expect(out == [4, -3])
  // Reducing the outer axis of [2, 3]: column means.
  #expect(
    try meanInt8([3, 3, 6, -9, 0, 0], dims: [2, 3], axes: [0], outputDims: [3]).1 == [-3, 2, 3])
}

@Test func meanOfAnEmptyInputWritesZeros() throws {
  // TFLM writes zeros (not the zero point) and stops when a dimension is 0.
  let (p, out) = try meanInt8([], dims: [2, 0], axes: [1], outputDims: [2], outputZeroPoint: 5)
  #expect(p.inputIsEmpty)
  #expect(out == [0, 0])
}

@Test func meanPrepareRejectsBadAxesAndOutputs() throws {
  #expect(throws: KernelError.invalidAxis(2)) {
    try meanInt8([1, 2], dims: [2], axes: [2], outputDims: [1])
  }
  #expect(throws: KernelError.invalidAxis(-2)) {
    try meanInt8([1, 2], dims: [2], axes: [-2], outputDims: [1])
  }
  #expect(throws: KernelError.shapeMismatch) {
    try meanInt8([1, 2, 3, 4], dims: [2, 2], axes: [1], outputDims: [1])
  }
}
