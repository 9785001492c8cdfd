import Graph
import Testing

@testable import Quantization

/// The DAG operators: asymmetric padding (PAD), a residual ADD with a fused ReLU, a channel
/// CONCATENATION (inputs requantised to a common scale), a depthwise convolution, a padded max
/// pool after ReLUs, global average pooling (MEAN) and a final SOFTMAX.
@Test func convertedResidualNetMatchesTheFloatModel() throws {
  let test = try fashion.get()
  let conv = { (out: Int, k: Int, s: Int, p: Int, groups: Int) -> Layer in
    .conv2d(
      Conv2DSpec(
        outChannels: out, kernel: Size2(k), stride: Size2(s), padding: Size2(p), groups: groups))
  }
  let graph = try ModelGraph(nodes: [
    Node("input", .input(FeatureShape(channels: 1, height: 28, width: 28)), inputs: []),
    Node("conv1", conv(8, 3, 2, 1, 1), inputs: ["input"]),  // 28 -> 14: PAD, then VALID
    Node("relu1", .relu, inputs: ["conv1"]),
    Node("conv2a", conv(8, 3, 1, 1, 1), inputs: ["relu1"]),
    Node("relu2a", .relu, inputs: ["conv2a"]),
    Node("conv2b", conv(8, 1, 1, 0, 1), inputs: ["relu1"]),
    Node("add", .add, inputs: ["relu2a", "conv2b"]),
    Node("relu3", .relu, inputs: ["add"]),
    Node("concat", .concat, inputs: ["relu3", "relu1"]),
    Node("dw", conv(16, 3, 1, 1, 16), inputs: ["concat"]),
    Node("relu4", .relu, inputs: ["dw"]),
    Node(
      "pool", .maxPool2d(PoolSpec(kernel: Size2(3), stride: Size2(2), padding: Size2(1))),
      inputs: ["relu4"]),  // 14 -> 7: PAD after a ReLU
    Node("gap", .globalAvgPool, inputs: ["pool"]),
    Node("fc", .linear(LinearSpec(outFeatures: 10)), inputs: ["gap"]),
    Node("softmax", .softmax, inputs: ["fc"]),
  ])
  let model = try randomModel(graph, seed: 11)
  // Any ranges do to see which operators the lowering emits (ReLU outputs start at 0).
  let ranges = Dictionary(
    uniqueKeysWithValues: graph.nodes.map {
      ($0.name, ActivationRange(min: $0.name.hasPrefix("relu") ? 0 : -1, max: 1))
    })
  let conversion = try convertToInt8(try foldBatchNorms(model), ranges: ranges)
  let operators = conversion.layers.flatMap(\.operators)
  for op in ["PAD", "ADD", "CONCATENATION", "DEPTHWISE_CONV_2D", "MEAN", "SOFTMAX"] {
    #expect(operators.contains(op), "\(op) in \(operators)")
  }
  let r = try ConvertedModel.run(
    model, calibration: test.selecting(1000..<1200), test: test.prefix(300))
  #expect(r.cosine > 0.999, "cosine of the probabilities \(r.cosine)")
  #expect(r.agreement >= 0.95, "top-1 agreement \(r.agreement)")
}
