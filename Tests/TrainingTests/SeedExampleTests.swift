import Graph
import Testing

@testable import Training

/// Runs one layer on one 5x5 single-channel image (no bias), with `weights` when it has them.
private func run(_ layer: Layer, on image: [[Float]], weights: [[Float]]? = nil) throws -> [[Float]]
{
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: image.count, width: image[0].count),
    [("layer", layer)])
  let network = try Network(graph: graph, workers: Workers(count: 1))
  if let weights { network.parameters[0].values = weights.flatMap { $0 } }
  let out = try network.outputs(
    Tensor(batch: 1, shape: network.shapes[0], values: image.flatMap { $0 }))[1]
  return (0..<out.shape.height).map { y in
    Array(out.values[y * out.shape.width..<(y + 1) * out.shape.width])
  }
}

private let conv3x3 = Layer.conv2d(Conv2DSpec(outChannels: 1, kernel: Size2(3), bias: false))
private let window3x3 = PoolSpec(kernel: Size2(3), stride: Size2(1))

// The seed's worked convolution (the UFLDL / CS231n "convolved feature" example): a 5x5 binary
// image and the 3x3 kernel [[1,0,1],[0,1,0],[1,0,1]], valid padding, stride 1.
@Test func seedBinaryImageConvolution() throws {
  let image: [[Float]] = [
    [1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0],
  ]
  let kernel: [[Float]] = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
  #expect(try run(conv3x3, on: image, weights: kernel) == [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
}

// The seed's pooling input is the 5x5 image of Dumoulin & Visin's "A guide to convolution
// arithmetic" figures (vdumoulin/conv_arithmetic, bin/produce_figure: numpy seed 1234,
// randint(0, 4, (5, 5)), then randint(0, 3, (3, 3)) for the kernel).
private let convArithmeticInput: [[Float]] = [
  [3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1],
]

@Test func seedMaxPooling3x3Stride1() throws {
  #expect(
    try run(.maxPool2d(window3x3), on: convArithmeticInput) == [[3, 3, 3], [3, 3, 3], [3, 2, 3]])
}

@Test func convArithmeticAveragePoolingAndConvolution() throws {
  // Window sums 15 15 15 / 9 11 16 / 10 7 12 over 9 cells (the figure's 1.7 1.7 1.7 / 1.0 1.2
  // 1.8 / 1.1 0.8 1.3, rounded).
  let average = try run(.avgPool2d(window3x3), on: convArithmeticInput)
  let sums: [[Float]] = [[15, 15, 15], [9, 11, 16], [10, 7, 12]]
  #expect(average == sums.map { $0.map { $0 / 9 } })
  let kernel: [[Float]] = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
  #expect(
    try run(conv3x3, on: convArithmeticInput, weights: kernel)
      == [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
}

// Dumoulin & Visin's transposed-convolution relation: a stride-2 3x3 convolution maps 5x5 to 2x2;
// the transposed convolution with the same parameters maps 2x2 back to 5x5, and is its adjoint:
// <conv(x), y> = <x, convT(y)> for the same weights.
@Test func transposedConvolutionIsTheAdjointOfConvolution() throws {
  let conv = try Network(
    graph: .sequential(
      input: FeatureShape(channels: 1, height: 5, width: 5),
      [("c", .conv2d(Conv2DSpec(outChannels: 1, kernel: Size2(3), stride: Size2(2), bias: false)))]
    ), workers: Workers(count: 1))
  let transposed = try Network(
    graph: .sequential(
      input: FeatureShape(channels: 1, height: 2, width: 2),
      [
        (
          "t",
          .convTranspose2d(
            ConvTranspose2DSpec(outChannels: 1, kernel: Size2(3), stride: Size2(2), bias: false))
        )
      ]), workers: Workers(count: 1))
  #expect(transposed.shapes[1] == FeatureShape(channels: 1, height: 5, width: 5))
  let kernel: [Float] = [0, 1, 2, 2, 2, 0, 0, 1, 2]
  conv.parameters[0].values = kernel
  transposed.parameters[0].values = kernel
  let x = convArithmeticInput.flatMap { $0 }
  let y: [Float] = [1, -2, 3, 5]
  let cx = try conv.outputs(Tensor(batch: 1, shape: conv.shapes[0], values: x))[1].values
  let ty = try transposed.outputs(Tensor(batch: 1, shape: transposed.shapes[0], values: y))[1]
    .values
  #expect(cx.count == 4)
  let left: Float = zip(cx, y).map { $0 * $1 }.reduce(0, +)
  let right: Float = zip(x, ty).map { $0 * $1 }.reduce(0, +)
  #expect(left == right)
}

// The seed's upsampling figures are Dumoulin & Visin's Figures 4.5 and 4.6: the transpose of a
// stride-2 3x3 convolution over a 5x5 input, without padding (4.5: a 2x2 input grows to 5x5)
// and with 1x1 padding (4.6: a 3x3 input grows to 5x5). The guide's equivalent view: insert
// s - 1 zeros between the inputs, pad by k - 1 - p, and convolve with the flipped kernel. The
// expected values were computed that way (numpy), independently of the scatter the layer does.
private let figureKernel: [[Float]] = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]

private func transposed3x3Stride2(padding: Int) -> Layer {
  .convTranspose2d(
    ConvTranspose2DSpec(
      outChannels: 1, kernel: Size2(3), stride: Size2(2), padding: Size2(padding), bias: false))
}

@Test func convArithmeticFigure4_5TransposedStride2NoPadding() throws {
  let out = try run(
    transposed3x3Stride2(padding: 0), on: [[1, -2], [3, 4]], weights: figureKernel)
  #expect(
    out == [
      [0, 1, 2, -2, -4], [2, 2, -4, -4, 0], [0, 4, 8, 2, 4], [6, 6, 8, 8, 0], [0, 3, 6, 4, 8],
    ])
}

@Test func convArithmeticFigure4_6TransposedStride2Padding1() throws {
  let out = try run(
    transposed3x3Stride2(padding: 1), on: [[1, 2, -3], [4, -5, 6], [7, 8, 9]],
    weights: figureKernel)
  #expect(
    out == [
      [2, 4, 4, -6, -6], [5, 10, -3, -6, 3], [8, -10, -10, 12, 12], [11, 22, 3, 6, 15],
      [14, 16, 16, 18, 18],
    ])
}
