// The zoo's two branching nets: a small ResNet (residual blocks with batch norm) and a small
// GoogLeNet-style net (one Inception block), sized for 28x28 inputs so that they train on
// Fashion-MNIST in minutes and quantise to operators the int8 runtime runs (ADD,
// CONCATENATION, MEAN).

/// Appends nodes to a graph under construction, each reading the nodes it names (by default the
/// one added last), and gives back the name of what it added.
struct GraphBuilder {
  var nodes: [Node]
  var last: String { nodes[nodes.count - 1].name }

  init(input: FeatureShape) { nodes = [Node("input", .input(input), inputs: [])] }

  @discardableResult
  mutating func add(_ name: String, _ layer: Layer, after inputs: [String]? = nil) -> String {
    nodes.append(Node(name, layer, inputs: inputs ?? [last]))
    return name
  }

  /// conv k x k (padding keeps the size at stride 1), then batch norm if asked, then ReLU.
  @discardableResult
  mutating func convBlock(
    _ name: String, _ channels: Int, kernel: Int, stride: Int = 1, batchNorm: Bool,
    relu: Bool = true, after input: String? = nil
  ) -> String {
    add(
      name,
      .conv2d(
        Conv2DSpec(
          outChannels: channels, kernel: Size2(kernel), stride: Size2(stride),
          padding: Size2(kernel / 2), bias: !batchNorm)),
      after: input.map { [$0] })
    if batchNorm { add(name + "_bn", .batchNorm2d(BatchNormSpec())) }
    return relu ? add(name + "_relu", .relu) : last
  }

  func graph() throws(GraphError) -> ModelGraph { try ModelGraph(nodes: nodes) }
}

extension ModelZoo {
  /// A ResNet in miniature (He et al. 2016): a 16-channel stem, a residual block at 16 channels,
  /// a stride-2 convolution to 32, a residual block at 32, global average pooling, fc. Each
  /// residual block is conv-BN-ReLU, conv-BN, + the block's input, ReLU.
  public static func resnetMini(_ input: FeatureShape, classes: Int) throws(GraphError)
    -> ModelGraph
  {
    var g = GraphBuilder(input: input)
    func residual(_ name: String, _ channels: Int, _ g: inout GraphBuilder) {
      let entry = g.last
      g.convBlock(name + "a", channels, kernel: 3, batchNorm: true)
      let branch = g.convBlock(name + "b", channels, kernel: 3, batchNorm: true, relu: false)
      g.add(name + "_add", .add, after: [branch, entry])
      g.add(name + "_relu", .relu)
    }
    g.convBlock("stem", 16, kernel: 3, batchNorm: true)
    residual("block1", 16, &g)
    g.convBlock("down", 32, kernel: 3, stride: 2, batchNorm: true)
    residual("block2", 32, &g)
    g.add("gap", .globalAvgPool)
    g.add("fc", .linear(LinearSpec(outFeatures: classes)))
    return try g.graph()
  }

  /// One Inception block (Szegedy et al. 2015) between a convolution stem and the classifier:
  /// four branches over the same 14x14x32 input (1x1 to 16; 1x1 to 16 then 3x3 to 32; 1x1 to 8
  /// then 5x5 to 16; 3x3 max pool then 1x1 to 16) concatenated to 80 channels.
  public static func inceptionMini(_ input: FeatureShape, classes: Int) throws(GraphError)
    -> ModelGraph
  {
    var g = GraphBuilder(input: input)
    g.convBlock("stem", 32, kernel: 3, batchNorm: false)
    let stem = g.add("stem_pool", .maxPool2d(PoolSpec(kernel: Size2(2))))
    let b1 = g.convBlock("b1x1", 16, kernel: 1, batchNorm: false, after: stem)
    g.convBlock("b3x3_reduce", 16, kernel: 1, batchNorm: false, after: stem)
    let b2 = g.convBlock("b3x3", 32, kernel: 3, batchNorm: false)
    g.convBlock("b5x5_reduce", 8, kernel: 1, batchNorm: false, after: stem)
    let b3 = g.convBlock("b5x5", 16, kernel: 5, batchNorm: false)
    g.add(
      "bpool", .maxPool2d(PoolSpec(kernel: Size2(3), stride: Size2(1), padding: Size2(1))),
      after: [stem])
    let b4 = g.convBlock("bpool_proj", 16, kernel: 1, batchNorm: false)
    g.add("inception", .concat, after: [b1, b2, b3, b4])
    g.add("pool", .maxPool2d(PoolSpec(kernel: Size2(2))))
    g.add("gap", .globalAvgPool)
    g.add("fc", .linear(LinearSpec(outFeatures: classes)))
    return try g.graph()
  }
}
