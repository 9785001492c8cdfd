import Datasets
import Graph
import Testing

@testable import Training

// A max pool takes in the ReLU (or ReLU6) before it in training passes (MaxPool2DLayer's
// fusedClamp); evaluation passes run the two layers. On a conv -> clamp -> pool -> linear net,
// whose layers compute the same in both modes, the fused training pass must give the unfused
// evaluation pass's outputs and gradients bit for bit: inputs from a small set of integers (so
// windows tie, and many hold only values the clamp sends to 0 or 6), with the halving pool and
// the general one (3x3 windows, stride 2, padding 1).
@Test(
  arguments: [Layer.relu, .relu6],
  [PoolSpec(kernel: Size2(2)), PoolSpec(kernel: Size2(3), stride: Size2(2), padding: Size2(1))])
func maxPoolWithTheClampBeforeItEqualsTheTwoLayers(clamp: Layer, pool: PoolSpec) throws {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 2, height: 12, width: 20),
    [
      ("conv", .conv2d(Conv2DSpec(outChannels: 3, kernel: Size2(3), padding: Size2(1)))),
      ("clamp", clamp), ("pool", .maxPool2d(pool)), ("flatten", .flatten),
      ("fc", .linear(LinearSpec(outFeatures: 4))),
    ])
  let network = try Network(graph: graph, seed: 3, workers: Workers(count: 2), inputGradient: true)
  // Integer weights: every sum is exact, so ties between cells survive the convolution.
  var rng = SplitMix64(seed: 8)
  for p in network.parameters where p.isTrainable {
    p.values = p.values.map { _ in Float(Int.random(in: -2...2, using: &rng)) }
  }
  let batch = 3
  let x = (0..<batch * network.shapes[0].count).map { _ in
    Float(Int.random(in: -3...4, using: &rng))
  }
  let last = graph.nodes.count - 1
  let (pool, clampNode) = (3, 2)
  func pass(training: Bool) -> (pooled: [Float], gradients: [[Float]], input: [Float]) {
    let view = network.prepare(batch: batch)
    view.base.update(from: x, count: x.count)
    network.forward(training: training)
    let y = network.value(last)
    let dy = (0..<y.count).map { Float($0 % 7) - 3 }
    network.gradient(last).base.update(from: dy, count: dy.count)
    network.backward(from: last)
    let pooled = network.value(pool)
    return (
      Array(UnsafeBufferPointer(start: pooled.base, count: pooled.count)),
      network.parameters.map(\.gradients),
      Array(UnsafeBufferPointer(start: network.gradient(0).base, count: x.count))
    )
  }
  let fused = pass(training: true)
  let separate = pass(training: false)
  #expect(network.trainingInputIndices[pool] == [clampNode - 1], "the pool reads the conv")
  #expect(fused.pooled == separate.pooled)
  #expect(fused.gradients == separate.gradients)
  #expect(fused.input == separate.input)
  #expect(fused.pooled.contains(0) && fused.gradients[0].contains { $0 != 0 })
}

// Batch norm and ADD take in the ReLU after them in training passes (ClampAbsorbing): a
// ResNet-style block (conv, BN, ReLU, conv, ADD with the block's input, ReLU) trained with and
// without the fusions gives the same outputs, parameter gradients, running statistics and input
// gradient, bit for bit, on two workers.
@Test(arguments: [Layer.relu, .relu6])
func batchNormAndAddWithTheClampAfterThemEqualTheSeparateLayers(clamp: Layer) throws {
  let conv = Conv2DSpec(outChannels: 3, kernel: Size2(3), padding: Size2(1))
  let graph = try ModelGraph(nodes: [
    Node("input", .input(FeatureShape(channels: 3, height: 9, width: 10)), inputs: []),
    Node("conv1", .conv2d(conv), inputs: ["input"]),
    Node("bn1", .batchNorm2d(BatchNormSpec()), inputs: ["conv1"]),
    Node("relu1", clamp, inputs: ["bn1"]),
    Node("conv2", .conv2d(conv), inputs: ["relu1"]),
    Node("add", .add, inputs: ["input", "conv2"]),
    Node("relu2", clamp, inputs: ["add"]),
    Node("flatten", .flatten, inputs: ["relu2"]),
    Node("fc", .linear(LinearSpec(outFeatures: 5)), inputs: ["flatten"]),
  ])
  var rng = SplitMix64(seed: 12)
  let batch = 4
  let x = (0..<batch * 270).map { _ in Float.random(in: -3...3, using: &rng) }
  func train(fused: Bool) throws -> [[Float]] {
    let network = try Network(
      graph: graph, seed: 5, workers: Workers(count: 2), inputGradient: true,
      fusesClamps: fused)
    #expect(network.trainingInputIndices[4] == (fused ? [2] : [3]), "conv2 reads bn1 when fused")
    var rng = SplitMix64(seed: 13)
    for p in network.parameters where p.isTrainable {
      p.values = p.values.map { $0 * 4 + Float.random(in: -0.5..<0.5, using: &rng) }
    }
    let view = network.prepare(batch: batch)
    view.base.update(from: x, count: x.count)
    network.forward(training: true)
    let last = graph.nodes.count - 1
    let y = network.value(last)
    let dy = (0..<y.count).map { Float($0 % 5) - 2 }
    network.gradient(last).base.update(from: dy, count: dy.count)
    network.backward(from: last)
    return [Array(UnsafeBufferPointer(start: y.base, count: y.count))]
      + network.parameters.map(\.gradients) + network.parameters.map(\.values)
      + [Array(UnsafeBufferPointer(start: network.gradient(0).base, count: x.count))]
  }
  let (fused, separate) = (try train(fused: true), try train(fused: false))
  #expect(fused == separate)
}
