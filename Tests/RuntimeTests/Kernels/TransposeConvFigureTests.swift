import Testing

@testable import Runtime

// Dumoulin & Visin's Figures 4.5 and 4.6 (the seed's upsampling layer) in int8: the same inputs,
// kernel and expected values as TrainingTests' float versions, through TRANSPOSE_CONV's
// reference kernel at real multiplier 1, with an input zero point of 3 and an output zero point
// of 10 so the offsets are exercised. The padding comes from the output size the way the
// operator's prepare computes it (ComputePaddingHeightWidth over the output): VALID gives 0 for
// Figure 4.5, SAME gives 1 for Figure 4.6's 5x5 output, the guide's p = 1.

private let figureKernel: [Int8] = [0, 1, 2, 2, 2, 0, 0, 1, 2]

private func transposeConvFigure(
  input: [Int8], side: Int, padding: Padding
) throws -> [[Int]] {
  let window = try computePaddingHeightWidth(
    strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1, inHeight: 5,
    inWidth: 5, filterHeight: 3, filterWidth: 3, padding: padding)
  #expect(window.outHeight == side && window.outWidth == side)
  let p = ConvParams(
    padding: padding, paddingValues: window.padding, strideWidth: 2, strideHeight: 2,
    inputOffset: -3, outputOffset: 10)
  let inputShape = Shape4(n: 1, h: side, w: side, c: 1)
  let outputShape = Shape4(n: 1, h: 5, w: 5, c: 1)
  let (m, s) = multipliers([1])
  var scratch = [Int32](repeating: 0, count: outputShape.flatSize)
  let stored = input.map { $0 + 3 }
  let out: [Int8] = run(stored, outputCount: outputShape.flatSize) { x, y in
    transposeConvPerChannelInt8Reference(
      p, outputMultiplier: m, outputShift: s, inputShape: inputShape, input: x,
      filterShape: Shape4(n: 1, h: 3, w: 3, c: 1), filter: figureKernel, bias: nil,
      outputShape: outputShape, output: y, scratch: &scratch)
  }
  return (0..<5).map { row in out[row * 5..<row * 5 + 5].map { Int($0) - 10 } }
}

@Test func transposeConvFigure4_5ValidStride2() throws {
  #expect(
    try transposeConvFigure(input: [1, -2, 3, 4], side: 2, padding: .valid) == [
      [0, 1, 2, -2, -4], [2, 2, -4, -4, 0], [0, 4, 8, 2, 4], [6, 6, 8, 8, 0], [0, 3, 6, 4, 8],
    ])
}

@Test func transposeConvFigure4_6SameStride2IsPadding1() throws {
  #expect(
    try transposeConvFigure(input: [1, 2, -3, 4, -5, 6, 7, 8, 9], side: 3, padding: .same) == [
      [2, 4, 4, -6, -6], [5, 10, -3, -6, 3], [8, -10, -10, 12, 12], [11, 22, 3, 6, 15],
      [14, 16, 16, 18, 18],
    ])
}
