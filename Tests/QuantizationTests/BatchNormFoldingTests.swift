import Graph
import Testing
import Training

@testable import Quantization

/// conv (no bias) -> BN -> ReLU -> conv (bias, stride 2) -> BN: the two kinds of convolution a
/// batch norm folds into, one BN feeding a ReLU and one ending the graph.
private func convBNNet() throws -> ModelGraph {
  try ModelGraph.sequential(
    input: FeatureShape(channels: 3, height: 9, width: 9),
    [
      (
        "conv1",
        .conv2d(Conv2DSpec(outChannels: 4, kernel: Size2(3), padding: Size2(1), bias: false))
      ),
      ("bn1", .batchNorm2d(BatchNormSpec(epsilon: 1e-3))),
      ("relu1", .relu),
      ("conv2", .conv2d(Conv2DSpec(outChannels: 5, kernel: Size2(3), stride: Size2(2)))),
      ("bn2", .batchNorm2d(BatchNormSpec())),
    ])
}

@Test func foldingBatchNormsKeepsTheFloatOutputs() throws {
  let model = try randomModel(try convBNNet(), seed: 3)
  let folded = try foldBatchNorms(model)
  #expect(folded.graph.nodes.map(\.name) == ["input", "conv1", "relu1", "conv2"])
  #expect(
    folded.parameters.keys.sorted() == ["conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight"])

  let input = randomInput(model.graph, batch: 3, seed: 9)
  let before = try Network(model: model).outputs(input)
  let after = try Network(model: folded).outputs(input)
  // The batch norms must change something, or the comparison proves nothing.
  for (bn, conv) in [(2, 1), (5, 4)] {
    #expect(zip(before[bn].values, before[conv].values).contains { abs($0 - $1) > 0.01 })
  }
  // relu1 (after bn1), and the output (bn2 before folding, the folded conv2 after).
  for (b, a) in [(3, 2), (5, 3)] {
    let want = before[b].values
    let got = after[a].values
    #expect(want.count == got.count)
    let maxDiff = zip(want, got).map { abs($0 - $1) }.max() ?? 0
    #expect(maxDiff <= 1e-5, "node \(model.graph.nodes[b].name): max |diff| \(maxDiff)")
  }
}

@Test func batchNormAfterAnythingButAConvolutionStays() throws {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 2, height: 4, width: 4),
    [("pool", .maxPool2d(PoolSpec(kernel: Size2(2)))), ("bn", .batchNorm2d(BatchNormSpec()))])
  let folded = try foldBatchNorms(try randomModel(graph))
  #expect(folded.graph.nodes.map(\.name) == ["input", "pool", "bn"])
  let error = #expect(throws: QuantizationError.self) {
    _ = try convertToInt8(folded, ranges: ["input": .init(min: 0, max: 1)])
  }
  #expect(error?.layer == "bn" && error?.message.contains("batch norm") == true)
}
