import Graph
import Runtime
import Testing

@testable import Estimator

// LeNet-5 as the zoo defines it (ARCHITECTURE.md / issue 3): conv 6@5x5 pad 2, ReLU, pool 2,
// conv 16@5x5, ReLU, pool 2, fc 120, ReLU, fc 84, ReLU, fc 10 on 28x28x1. Every number below is
// worked out by hand from the shapes, not read back from the code.
@Test func lenet5LayersHaveHandComputedMACsAndParameters() throws {
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  // (name, operator, output shape, MACs, parameters)
  let expected: [(String, BuiltinOperator, [Int], Int, Int)] = [
    // 28x28 output (pad 2 keeps the size) x 6 channels x 5*5*1 taps; 6*25 weights + 6 biases
    ("conv1", .conv2D, [28, 28, 6], 28 * 28 * 6 * 25, 6 * 25 + 6),
    ("pool1", .maxPool2D, [14, 14, 6], 0, 0),
    // (14 - 5) + 1 = 10; 10x10x16 outputs x 5*5*6 taps; 16*150 weights + 16 biases
    ("conv2", .conv2D, [10, 10, 16], 10 * 10 * 16 * 150, 16 * 150 + 16),
    ("pool2", .maxPool2D, [5, 5, 16], 0, 0),
    ("flatten", .reshape, [400], 0, 0),
    ("fc1", .fullyConnected, [120], 400 * 120, 400 * 120 + 120),
    ("fc2", .fullyConnected, [84], 120 * 84, 120 * 84 + 84),
    ("fc3", .fullyConnected, [10], 84 * 10, 84 * 10 + 10),
  ]
  #expect(work.layers.count == expected.count)
  for (layer, (name, op, shape, macs, params)) in zip(work.layers, expected) {
    #expect(layer.name == name)
    #expect(layer.op == op, "\(name)")
    #expect(layer.outputShape == shape, "\(name)")
    #expect(layer.macs == macs, "\(name)")
    #expect(layer.parameters == params, "\(name)")
  }
  #expect(work.totalMACs == 117_600 + 240_000 + 48_000 + 10_080 + 840)
  #expect(work.totalMACs == 416_520)
  #expect(work.totalParameters == 61_706)
  // The ReLUs fold into the clamp of the layer before them.
  #expect(
    work.layers.filter { $0.fusedActivation == "RELU" }.map(\.name) == [
      "conv1", "conv2", "fc1", "fc2",
    ])
}

@Test func alexnetAndVGG16MatchThePublishedSizes() throws {
  let alexnet = try ModelWork(graph: #require(try ModelZoo.named("alexnet")), name: "alexnet")
  // conv1 on 227x227x3: (227 - 11)/4 + 1 = 55; 55*55*96 outputs x 11*11*3 taps.
  #expect(alexnet.layers[0].outputShape == [55, 55, 96])
  #expect(alexnet.layers[0].macs == 55 * 55 * 96 * 363)
  // Single-tower AlexNet: 62,378,344 parameters (conv 3,747,200 + fc 58,631,144).
  #expect(alexnet.totalParameters == 62_378_344)
  let vgg = try ModelWork(graph: #require(try ModelZoo.named("vgg16")), name: "vgg16")
  // VGG-16 configuration D: 138,357,544 parameters, 15.47 G MACs on 224x224x3.
  #expect(vgg.totalParameters == 138_357_544)
  #expect(vgg.totalMACs == 15_470_264_320)
}

@Test func depthwiseAndPaddingLowerAsTheQuantizerDoes() throws {
  // 8x8x4 -> depthwise 3x3 pad 1 (SAME) -> 1x1 conv 8, then a 2x2 conv with pad 1, which TFLite
  // cannot express as SAME: the quantizer inserts a PAD.
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 4, height: 8, width: 8),
    [
      ("dw", .conv2d(Conv2DSpec(outChannels: 4, kernel: Size2(3), padding: Size2(1), groups: 4))),
      ("bn", .batchNorm2d(BatchNormSpec())),
      ("relu", .relu6),
      ("pw", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(1)))),
      ("odd", .conv2d(Conv2DSpec(outChannels: 2, kernel: Size2(2), padding: Size2(1)))),
    ])
  let work = try ModelWork(graph: graph, name: "t")
  #expect(work.layers.map(\.op) == [.depthwiseConv2D, .conv2D, .pad, .conv2D])
  #expect(work.layers[0].fusedActivation == "RELU6")  // batch norm folded, ReLU6 fused
  #expect(work.layers[0].macs == 8 * 8 * 4 * 9)
  #expect(work.layers[0].weightCount == 4 * 9)
  #expect(work.layers[2].outputShape == [10, 10, 8])
  #expect(work.layers[3].outputShape == [9, 9, 2])
}
