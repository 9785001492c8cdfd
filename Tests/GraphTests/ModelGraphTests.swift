import Testing

@testable import Graph

@Test func lenet5ShapesFollowTheSeed() throws {
  let graph = ModelZoo.lenet5
  let shapes = try graph.shapes()
  let byName = Dictionary(uniqueKeysWithValues: zip(graph.nodes.map(\.name), shapes))
  #expect(byName["conv1"] == FeatureShape(channels: 6, height: 28, width: 28))
  #expect(byName["pool1"] == FeatureShape(channels: 6, height: 14, width: 14))
  #expect(byName["conv2"] == FeatureShape(channels: 16, height: 10, width: 10))
  #expect(byName["pool2"] == FeatureShape(channels: 16, height: 5, width: 5))
  #expect(byName["flatten"] == FeatureShape(features: 400))
  #expect(byName["fc3"] == FeatureShape(features: 10))
}

@Test func lenet5MACsAndParametersPerLayer() throws {
  let graph = ModelZoo.lenet5
  let costs = try graph.costs()
  let byName = Dictionary(uniqueKeysWithValues: zip(graph.nodes.map(\.name), costs))
  // conv1: 28*28 outputs * 6 channels * 5*5*1 taps; conv2: 10*10 * 16 * 5*5*6; fc: in*out.
  #expect(byName["conv1"] == LayerCost(macs: 28 * 28 * 6 * 25, parameters: 6 * 25 + 6))
  #expect(byName["conv2"] == LayerCost(macs: 10 * 10 * 16 * 150, parameters: 16 * 150 + 16))
  #expect(byName["fc1"] == LayerCost(macs: 400 * 120, parameters: 400 * 120 + 120))
  #expect(byName["fc2"] == LayerCost(macs: 120 * 84, parameters: 120 * 84 + 84))
  #expect(byName["fc3"] == LayerCost(macs: 84 * 10, parameters: 84 * 10 + 10))
  #expect(costs.reduce(0) { $0 + $1.macs } == 416_520)
  #expect(costs.reduce(0) { $0 + $1.parameters } == 61_706)
}

@Test func parameterShapesUsePyTorchLayouts() throws {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 4, height: 8, width: 8),
    [
      ("conv", .conv2d(Conv2DSpec(outChannels: 6, kernel: Size2(3, 1), groups: 2))),
      ("bn", .batchNorm2d(BatchNormSpec())),
      ("up", .convTranspose2d(ConvTranspose2DSpec(outChannels: 2, kernel: Size2(2), bias: false))),
      ("flat", .flatten),
      ("fc", .linear(LinearSpec(outFeatures: 3))),
    ])
  let shapes = try graph.parameterShapes()
  #expect(
    shapes.map(\.name) == [
      "conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
      "up.weight", "fc.weight", "fc.bias",
    ])
  #expect(shapes[0].shape == [6, 2, 3, 1])
  #expect(shapes[6].shape == [6, 2, 2, 2])
  // conv: 6x8 spatial (kernel 3x1); transposed 2x2 stride 1: 7x9; flatten 2*7*9.
  #expect(shapes[7].shape == [3, 126])
}

@Test func residualAndInceptionJoins() throws {
  let x = FeatureShape(channels: 8, height: 6, width: 6)
  let graph = try ModelGraph(nodes: [
    Node("input", .input(x), inputs: []),
    Node(
      "a", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(3), padding: Size2(1))),
      inputs: ["input"]),
    Node("sum", .add, inputs: ["a", "input"]),
    Node("b", .conv2d(Conv2DSpec(outChannels: 4, kernel: Size2(1))), inputs: ["sum"]),
    Node("cat", .concat, inputs: ["sum", "b", "input"]),
    Node("gap", .globalAvgPool, inputs: ["cat"]),
  ])
  let shapes = try graph.shapes()
  #expect(shapes[4] == FeatureShape(channels: 20, height: 6, width: 6))
  #expect(shapes[5] == FeatureShape(features: 20))
}

@Test func impossibleShapesNameTheLayerAndTheNumbers() throws {
  let tooSmall = try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: 4, width: 4),
    [("conv1", .conv2d(Conv2DSpec(outChannels: 2, kernel: Size2(5))))])
  #expect(throws: GraphError.self) { try tooSmall.shapes() }
  do {
    _ = try tooSmall.shapes()
  } catch {
    #expect(error.layer == "conv1")
    #expect(error.description.contains("kernel 5"))
    #expect(error.description.contains("input 4"))
  }
  let badGroups = try ModelGraph.sequential(
    input: FeatureShape(channels: 3, height: 4, width: 4),
    [("g", .conv2d(Conv2DSpec(outChannels: 4, kernel: Size2(1), groups: 2)))])
  #expect(
    throws: GraphError(layer: "g", "3 input and 4 output channels do not split into 2 groups")
  ) {
    try badGroups.shapes()
  }
  let unflattened = try ModelGraph.sequential(
    input: FeatureShape(channels: 3, height: 4, width: 4),
    [("fc", .linear(LinearSpec(outFeatures: 2)))])
  #expect(throws: GraphError.self) { try unflattened.shapes() }
  let mismatch = try ModelGraph(nodes: [
    Node("input", .input(FeatureShape(channels: 2, height: 4, width: 4)), inputs: []),
    Node("p", .maxPool2d(PoolSpec(kernel: Size2(2))), inputs: ["input"]),
    Node("sum", .add, inputs: ["p", "input"]),
  ])
  #expect(throws: GraphError.self) { try mismatch.shapes() }
}

@Test func structuralErrors() {
  let input = Node("input", .input(FeatureShape(channels: 1, height: 2, width: 2)), inputs: [])
  #expect(throws: GraphError(layer: "r", "reads 'nope', which is not an earlier node of the graph"))
  {
    try ModelGraph(nodes: [input, Node("r", .relu, inputs: ["nope"])])
  }
  #expect(throws: GraphError(layer: "input", "the name is used twice")) {
    try ModelGraph(nodes: [input, Node("input", .relu, inputs: ["input"])])
  }
  #expect(throws: GraphError(layer: "sum", "add needs at least 2 inputs, got 1")) {
    try ModelGraph(nodes: [input, Node("sum", .add, inputs: ["input"])])
  }
  #expect(throws: GraphError.self) {
    try ModelGraph(nodes: [Node("r", .relu, inputs: [])])
  }
}

@Test func alexnetAndVGG16HaveTheirPublishedSizes() throws {
  let alexnet = try #require(try ModelZoo.named("alexnet"))
  let shapes = try alexnet.shapes()
  #expect(shapes[alexnet.index(of: "conv1")!] == FeatureShape(channels: 96, height: 55, width: 55))
  #expect(shapes[alexnet.index(of: "pool5")!] == FeatureShape(channels: 256, height: 6, width: 6))
  let alexParams = try alexnet.costs().reduce(0) { $0 + $1.parameters }
  #expect(alexParams == 62_378_344)  // single-tower AlexNet, the commonly quoted ~62.4M
  let vgg = try #require(try ModelZoo.named("vgg16"))
  let vggParams = try vgg.costs().reduce(0) { $0 + $1.parameters }
  #expect(vggParams == 138_357_544)  // Simonyan & Zisserman's VGG-16: 138M
  let vggMACs = try vgg.costs().reduce(0) { $0 + $1.macs }
  #expect(vggMACs == 15_470_264_320)  // 15.5 GMACs, as usually quoted
}

/// The branching zoo nets: their joins see the shapes the blocks promise, and the parameter
/// counts are the hand-computed ones.
@Test func residualAndInceptionZooNetsHaveTheirShapes() throws {
  let resnet = try #require(try ModelZoo.named("resnet-mini"))
  let r = try resnet.shapes()
  #expect(r[resnet.index(of: "block1_add")!] == FeatureShape(channels: 16, height: 28, width: 28))
  #expect(r[resnet.index(of: "block2_add")!] == FeatureShape(channels: 32, height: 14, width: 14))
  #expect(resnet.nodes.filter { $0.layer == .add }.count == 2)
  // Convolutions without bias before batch norm; each batch norm stores weight, bias,
  // running_mean and running_var per channel; fc 32 -> 10.
  let convWeights = 16 * 9 + 2 * 16 * 16 * 9 + 32 * 16 * 9 + 2 * 32 * 32 * 9
  let batchNorms = 4 * (16 * 3 + 32 * 3)
  #expect(try resnet.costs().reduce(0) { $0 + $1.parameters } == convWeights + batchNorms + 330)

  let inception = try #require(try ModelZoo.named("inception-mini"))
  let s = try inception.shapes()
  let join = try #require(inception.nodes.first { $0.layer == .concat })
  #expect(join.inputs.count == 4)
  #expect(s[inception.index(of: "inception")!] == FeatureShape(channels: 80, height: 14, width: 14))
  #expect(s.last == FeatureShape(features: 10))
}
