import Datasets
import Foundation
import Graph
import Testing

@testable import Training

private let tolerance = 2e-3

// Conv2d: stride, padding, dilation, groups, rectangular kernels, with and without bias; each
// with the default chunks (one per worker's share here) and with one sample per chunk, where the
// weight and bias gradients add up over chunks and a pointwise conv reads its input in place.
@Test(
  arguments: [
    Conv2DSpec(outChannels: 4, kernel: Size2(3), padding: Size2(1)),
    Conv2DSpec(outChannels: 4, kernel: Size2(3), stride: Size2(2), padding: Size2(1)),
    Conv2DSpec(outChannels: 3, kernel: Size2(3), padding: Size2(2), dilation: Size2(2)),
    Conv2DSpec(outChannels: 6, kernel: Size2(3), padding: Size2(1), groups: 2),
    Conv2DSpec(outChannels: 4, kernel: Size2(3), padding: Size2(1), groups: 4, bias: false),
    Conv2DSpec(
      outChannels: 5, kernel: Size2(3, 2), stride: Size2(2, 1), padding: Size2(0, 1),
      dilation: Size2(1, 2)),
    Conv2DSpec(outChannels: 20, kernel: Size2(1)),
  ], [nil, 1])
func conv2DBackwardMatchesFiniteDifferences(spec: Conv2DSpec, columnBudget: Int?) throws {
  let graph = try single(FeatureShape(channels: 4, height: 7, width: 6), .conv2d(spec))
  let result = try GradientCheck(graph: graph, batch: 3, step: 0.25, columnBudget: columnBudget)
    .run()
  #expect(result.maxError < tolerance, "\(spec), column budget \(columnBudget ?? 0): \(result)")
}

@Test(arguments: [
  ConvTranspose2DSpec(outChannels: 3, kernel: Size2(3)),
  ConvTranspose2DSpec(outChannels: 3, kernel: Size2(3), stride: Size2(2), padding: Size2(1)),
  ConvTranspose2DSpec(
    outChannels: 2, kernel: Size2(3), stride: Size2(2), padding: Size2(1),
    outputPadding: Size2(1)),
  ConvTranspose2DSpec(outChannels: 4, kernel: Size2(2), stride: Size2(2), groups: 2),
  ConvTranspose2DSpec(
    outChannels: 2, kernel: Size2(3, 2), dilation: Size2(2, 1), bias: false),
])
func convTranspose2DBackwardMatchesFiniteDifferences(spec: ConvTranspose2DSpec) throws {
  let graph = try single(FeatureShape(channels: 4, height: 4, width: 5), .convTranspose2d(spec))
  let result = try GradientCheck(graph: graph, batch: 3, step: 0.25).run()
  #expect(result.maxError < tolerance, "\(spec): \(result)")
}

@Test(arguments: [true, false])
func linearBackwardMatchesFiniteDifferences(bias: Bool) throws {
  let graph = try single(
    FeatureShape(features: 13), .linear(LinearSpec(outFeatures: 7, bias: bias)))
  let result = try GradientCheck(graph: graph, batch: 5, step: 0.25).run()
  #expect(result.maxError < tolerance, "\(result)")
}

@Test(arguments: [
  PoolSpec(kernel: Size2(2)),
  PoolSpec(kernel: Size2(3), stride: Size2(1)),
  PoolSpec(kernel: Size2(3), stride: Size2(2), padding: Size2(1)),
  PoolSpec(kernel: Size2(2, 3), stride: Size2(1, 2)),
])
func poolingBackwardMatchesFiniteDifferences(spec: PoolSpec) throws {
  let shape = FeatureShape(channels: 3, height: 6, width: 7)
  for layer in [Layer.maxPool2d(spec), .avgPool2d(spec)] {
    let graph = try single(shape, layer)
    let input = distinctValues(2 * shape.count, seed: 5)
    let result = try GradientCheck(graph: graph, batch: 2, step: 0.01, input: input).run()
    #expect(result.maxError < tolerance, "\(layer): \(result)")
  }
}

@Test func globalAvgPoolBackwardMatchesFiniteDifferences() throws {
  let graph = try single(FeatureShape(channels: 3, height: 4, width: 5), .globalAvgPool)
  let result = try GradientCheck(graph: graph, batch: 3, step: 0.25).run()
  #expect(result.maxError < tolerance, "\(result)")
}

@Test func reluAndRelu6BackwardMatchFiniteDifferences() throws {
  let shape = FeatureShape(channels: 2, height: 3, width: 5)
  for (layer, kinks) in [(Layer.relu, [Float(0)]), (.relu6, [0, 6])] {
    let graph = try single(shape, layer)
    let input = valuesAwayFrom(kinks, count: 2 * shape.count, range: -8...8, margin: 0.05, seed: 3)
    let result = try GradientCheck(graph: graph, batch: 2, step: 0.01, input: input).run()
    #expect(result.maxError < tolerance, "\(layer): \(result)")
  }
}

@Test func flattenAndSoftmaxBackwardMatchFiniteDifferences() throws {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 2, height: 2, width: 3),
    [("flatten", .flatten), ("softmax", .softmax)])
  let result = try GradientCheck(graph: graph, batch: 3, step: 1e-2).run()
  #expect(result.maxError < tolerance, "\(result)")
  // Softmax over channels at every pixel of a spatial map.
  let spatial = try single(FeatureShape(channels: 4, height: 2, width: 3), .softmax)
  let perPixel = try GradientCheck(graph: spatial, batch: 2, step: 1e-2).run()
  #expect(perPixel.maxError < tolerance, "\(perPixel)")
}

@Test(arguments: [true, false])
func batchNormBackwardMatchesFiniteDifferences(training: Bool) throws {
  let graph = try single(
    FeatureShape(channels: 3, height: 3, width: 4), .batchNorm2d(BatchNormSpec()))
  let result = try GradientCheck(graph: graph, batch: 4, training: training, step: 1e-2).run()
  #expect(result.maxError < 5e-3, "training \(training): \(result)")
}

@Test(arguments: [true, false])
func dropoutBackwardMatchesFiniteDifferences(training: Bool) throws {
  let graph = try single(FeatureShape(features: 40), .dropout(DropoutSpec(rate: 0.5)))
  let result = try GradientCheck(graph: graph, batch: 3, training: training, step: 0.25).run()
  #expect(result.maxError < tolerance, "training \(training): \(result)")
}

/// A residual block and an Inception-style concat: joins, and nodes read by two consumers, whose
/// gradients must be summed.
@Test func dagBackwardMatchesFiniteDifferences() throws {
  let shape = FeatureShape(channels: 3, height: 5, width: 5)
  func conv(_ c: Int, _ k: Int) -> Layer {
    .conv2d(Conv2DSpec(outChannels: c, kernel: Size2(k), padding: Size2(k / 2)))
  }
  let graph = try ModelGraph(nodes: [
    Node("input", .input(shape), inputs: []),
    Node("stem", conv(4, 3), inputs: ["input"]),
    Node("branch1", conv(4, 3), inputs: ["stem"]),
    Node("branch2", conv(2, 1), inputs: ["stem"]),
    Node("residual", .add, inputs: ["stem", "branch1"]),
    Node("twice", .add, inputs: ["branch2", "branch2"]),
    Node("joined", .concat, inputs: ["residual", "twice", "input"]),
    Node("bn", .batchNorm2d(BatchNormSpec()), inputs: ["joined"]),
    Node("pool", .globalAvgPool, inputs: ["bn"]),
    Node("fc", .linear(LinearSpec(outFeatures: 3)), inputs: ["pool"]),
  ])
  let result = try GradientCheck(graph: graph, batch: 3, step: 1e-2).run()
  #expect(result.maxError < 5e-3, "\(result)")
}

@Test func softmaxCrossEntropyGradientMatchesFiniteDifferences() {
  var rng = SplitMix64(seed: 8)
  let (batch, classes) = (4, 7)
  var logits = randomFloats(batch * classes, &rng).map { $0 * 4 }
  let labels: [Int32] = [0, 6, 3, 3]
  var gradient = [Float](repeating: 0, count: logits.count)
  func loss(_ z: inout [Float], _ g: UnsafeMutablePointer<Float>?) -> Double {
    z.withUnsafeMutableBufferPointer { zp in
      labels.withUnsafeBufferPointer { lp in
        let view = TensorView(
          base: zp.baseAddress!, batch: batch, shape: FeatureShape(features: classes))
        let gv = g.map { TensorView(base: $0, batch: batch, shape: view.shape) }
        return softmaxCrossEntropy(logits: view, labels: lp.baseAddress!, gradient: gv).totalLoss
      }
    } / Double(batch)
  }
  _ = gradient.withUnsafeMutableBufferPointer { loss(&logits, $0.baseAddress!) }
  var maxError: Double = 0
  let h: Float = 1e-2
  for i in 0..<logits.count {
    let original = logits[i]
    logits[i] = original + h
    let plus = loss(&logits, nil)
    logits[i] = original - h
    let minus = loss(&logits, nil)
    logits[i] = original
    let numeric = (plus - minus) / (Double(original + h) - Double(original - h))
    maxError = max(maxError, abs(numeric - Double(gradient[i])))
  }
  #expect(maxError < 1e-4, "max error \(maxError)")
  // The mean loss itself, by hand for sample 0: log Σ e^z - z_label.
  let z0 = logits[0..<classes].map(Double.init)
  let expected = log(z0.map { exp($0) }.reduce(0, +)) - z0[0]
  var one = Array(logits[0..<classes])
  let single = one.withUnsafeMutableBufferPointer { zp in
    [Int32(0)].withUnsafeBufferPointer { lp in
      softmaxCrossEntropy(
        logits: TensorView(base: zp.baseAddress!, batch: 1, shape: FeatureShape(features: classes)),
        labels: lp.baseAddress!, gradient: nil
      ).totalLoss
    }
  }
  #expect(abs(single - expected) < 1e-5, "loss \(single), expected \(expected)")
}

// 2x2 max pooling at stride 2 (MaxPool2DLayer's halving path) against the windows taken one by
// one: the maximum, and the first maximum in row-major order on ties (values from a small set,
// so ties are common) gets the gradient; an odd row and column are left out (zero gradient).
// Rows of 19 and 8 windows take the 8-lane steps (19: an overlapping last step), 7 and 4 the
// 4-lane ones, 3 the scalar loop; dx starts as NaN, so a cell backward does not write shows.
@Test(arguments: [(7, 39), (8, 16), (6, 14), (5, 8), (4, 6)])
func maxPoolHalvingTakesTheFirstMaximumOfEachWindow(height: Int, width: Int) throws {
  let shape = FeatureShape(channels: 3, height: height, width: width)
  let (outHeight, outWidth) = (height / 2, width / 2)
  let network = try Network(
    graph: try single(shape, .maxPool2d(PoolSpec(kernel: Size2(2)))),
    seed: 1, workers: Workers(count: 1), inputGradient: true)
  var rng = SplitMix64(seed: 22)
  let (batch, last) = (2, network.graph.nodes.count - 1)
  let x = (0..<batch * shape.count).map { _ in Float(Int.random(in: 0..<4, using: &rng)) }
  let input = network.prepare(batch: batch)
  input.base.update(from: x, count: x.count)
  network.forward(training: true)
  let y = network.value(last)
  let dy = (0..<y.count).map { Float($0 + 1) }
  network.gradient(last).base.update(from: dy, count: dy.count)
  network.gradient(0).base.update(repeating: .nan, count: x.count)
  network.backward(from: last)
  let dx = network.gradient(0)
  var expectedY: [Float] = []
  var expectedDx = [Float](repeating: 0, count: x.count)
  for plane in 0..<batch * shape.channels {
    for outY in 0..<outHeight {
      for outX in 0..<outWidth {
        var best = plane * shape.height * shape.width + 2 * outY * shape.width + 2 * outX
        for (dY, dX) in [(0, 1), (1, 0), (1, 1)] {
          let cell =
            plane * shape.height * shape.width + (2 * outY + dY) * shape.width + 2 * outX + dX
          if x[cell] > x[best] { best = cell }
        }
        expectedDx[best] += dy[expectedY.count]
        expectedY.append(x[best])
      }
    }
  }
  #expect(Array(UnsafeBufferPointer(start: y.base, count: y.count)) == expectedY)
  #expect(Array(UnsafeBufferPointer(start: dx.base, count: dx.count)) == expectedDx)
}
