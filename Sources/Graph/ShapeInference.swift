import InputChecks

extension ModelGraph {
  /// The output shape of every node, in node order. An impossible shape (a kernel larger than its
  /// padded input, channels that do not split into groups, a join of mismatched shapes) is an
  /// error naming the layer and the numbers.
  ///
  /// Sizes are bounded (`maximumDimension`, `maximumElements`) and every product is computed with
  /// overflow checks, so a hand-written or corrupt graph with 1e15 channels is an error here, and
  /// the arithmetic of `parameterShapes()`, `costs()` and the estimator on a checked graph cannot
  /// overflow.
  public func shapes() throws(GraphError) -> [FeatureShape] {
    var shapes: [FeatureShape] = []
    shapes.reserveCapacity(nodes.count)
    for (node, inputs) in zip(nodes, inputIndices()) {
      try Self.checkDimensions(of: node)
      let x = inputs.map { shapes[$0] }
      let shape = try Self.outputShape(of: node, inputs: x)
      try Self.checkSizes(of: node, output: shape, input: x.first)
      shapes.append(shape)
    }
    return shapes
  }

  /// The largest channel count, kernel, stride, padding or image side a graph may have.
  public static let maximumDimension = 1 << 24
  /// The most values one activation or parameter tensor may hold (2^40), and the most
  /// multiply-accumulates one layer may do (2^52): far above any resource limit, low enough that
  /// sums over a graph stay inside an `Int`.
  public static let maximumElements = 1 << 40
  public static let maximumMACs = 1 << 52

  private static func checkDimensions(of node: Node) throws(GraphError) {
    for (field, value) in node.layer.dimensions where value.magnitude > maximumDimension {
      throw GraphError(
        layer: node.name,
        "\(field) \(value) is out of range (TinyCNN takes sizes up to "
          + "\(Checked.grouped(maximumDimension)))")
    }
  }

  private static func checkSizes(of node: Node, output: FeatureShape, input: FeatureShape?)
    throws(GraphError)
  {
    do throws(NumberError) {
      for d in [output.channels, output.height, output.width] where d > maximumDimension {
        throw NumberError(
          "output \(output)",
          "\(Checked.grouped(d)) along one axis, more than \(Checked.grouped(maximumDimension))")
      }
      _ = try Checked.product(
        [output.channels, output.height, output.width], "output", limit: maximumElements)
      for p in parameterShapes(of: node, input: input) {
        _ = try Checked.product(p.shape, "parameter \(p.name) \(p.shape)", limit: maximumElements)
      }
      _ = try macs(of: node, output: output, input: input)
    } catch {
      throw GraphError(layer: node.name, "too large: \(error.description)")
    }
  }

  /// Multiply-accumulates per sample of one node, overflow-checked.
  static func macs(of node: Node, output out: FeatureShape, input x: FeatureShape?)
    throws(NumberError) -> Int
  {
    switch node.layer {
    case .conv2d(let c):
      return try Checked.product(
        [out.count, x!.channels / c.groups, c.kernel.height, c.kernel.width], "MACs",
        limit: maximumMACs)
    case .convTranspose2d(let c):
      return try Checked.product(
        [x!.count, c.outChannels / c.groups, c.kernel.height, c.kernel.width], "MACs",
        limit: maximumMACs)
    case .linear(let l):
      return try Checked.product([x!.count, l.outFeatures], "MACs", limit: maximumMACs)
    default:
      return 0
    }
  }

  /// The shape of the model's output (the last node).
  public func outputShape() throws(GraphError) -> FeatureShape {
    try shapes()[nodes.count - 1]
  }

  static func outputShape(of node: Node, inputs: [FeatureShape]) throws(GraphError)
    -> FeatureShape
  {
    let name = node.name
    switch node.layer {
    case .input(let shape):
      guard shape.channels > 0, shape.height > 0, shape.width > 0 else {
        throw GraphError(layer: name, "input shape \(shape) has an empty dimension")
      }
      return shape
    case .conv2d(let conv):
      let x = inputs[0]
      try checkGroups(name, in: x.channels, out: conv.outChannels, groups: conv.groups)
      return FeatureShape(
        channels: conv.outChannels,
        height: try slide(
          name, "height", x.height, conv.kernel.height, conv.stride.height,
          conv.padding.height, conv.dilation.height),
        width: try slide(
          name, "width", x.width, conv.kernel.width, conv.stride.width,
          conv.padding.width, conv.dilation.width))
    case .convTranspose2d(let conv):
      let x = inputs[0]
      try checkGroups(name, in: x.channels, out: conv.outChannels, groups: conv.groups)
      return FeatureShape(
        channels: conv.outChannels,
        height: try unslide(
          name, "height", x.height, conv.kernel.height, conv.stride.height,
          conv.padding.height, conv.outputPadding.height, conv.dilation.height),
        width: try unslide(
          name, "width", x.width, conv.kernel.width, conv.stride.width,
          conv.padding.width, conv.outputPadding.width, conv.dilation.width))
    case .maxPool2d(let pool), .avgPool2d(let pool):
      let x = inputs[0]
      // Pooling padding wider than half the window would create all-padding windows.
      guard 2 * pool.padding.height <= pool.kernel.height,
        2 * pool.padding.width <= pool.kernel.width
      else {
        throw GraphError(
          layer: name, "padding \(pool.padding) is more than half the window \(pool.kernel)")
      }
      return FeatureShape(
        channels: x.channels,
        height: try slide(
          name, "height", x.height, pool.kernel.height, pool.stride.height,
          pool.padding.height, 1),
        width: try slide(
          name, "width", x.width, pool.kernel.width, pool.stride.width,
          pool.padding.width, 1))
    case .globalAvgPool:
      return FeatureShape(features: inputs[0].channels)
    case .linear(let linear):
      guard inputs[0].isFlat else {
        throw GraphError(
          layer: name, "linear needs a flat input, got \(inputs[0]); add a flatten before it")
      }
      guard linear.outFeatures > 0 else {
        throw GraphError(layer: name, "outFeatures must be positive, got \(linear.outFeatures)")
      }
      return FeatureShape(features: linear.outFeatures)
    case .flatten:
      return FeatureShape(features: inputs[0].count)
    case .dropout(let dropout):
      guard dropout.rate >= 0, dropout.rate < 1 else {
        throw GraphError(layer: name, "dropout rate must be in [0, 1), got \(dropout.rate)")
      }
      return inputs[0]
    case .batchNorm2d(let bn):
      guard bn.epsilon > 0, bn.epsilon.isFinite, bn.momentum >= 0, bn.momentum <= 1 else {
        throw GraphError(
          layer: name,
          "batch norm needs epsilon > 0 and momentum in [0, 1], got \(bn.epsilon) and \(bn.momentum)"
        )
      }
      return inputs[0]
    case .relu, .relu6, .softmax:
      return inputs[0]
    case .add:
      for other in inputs.dropFirst() where other != inputs[0] {
        throw GraphError(layer: name, "add needs equal shapes, got \(inputs[0]) and \(other)")
      }
      return inputs[0]
    case .concat:
      for other in inputs.dropFirst()
      where other.height != inputs[0].height || other.width != inputs[0].width {
        throw GraphError(
          layer: name,
          "concat needs equal height and width, got \(inputs[0]) and \(other)")
      }
      return FeatureShape(
        channels: inputs.reduce(0) { $0 + $1.channels }, height: inputs[0].height,
        width: inputs[0].width)
    }
  }

  private static func checkGroups(_ name: String, in inC: Int, out outC: Int, groups: Int)
    throws(GraphError)
  {
    guard groups > 0, outC > 0, inC % groups == 0, outC % groups == 0 else {
      throw GraphError(
        layer: name,
        "\(inC) input and \(outC) output channels do not split into \(groups) groups")
    }
  }

  private static func slide(
    _ name: String, _ axis: String, _ input: Int, _ kernel: Int, _ stride: Int, _ padding: Int,
    _ dilation: Int
  ) throws(GraphError) -> Int {
    guard
      let size = ConvArithmetic.outputSize(
        input: input, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    else {
      let k = ConvArithmetic.effectiveKernel(kernel, dilation: dilation)
      throw GraphError(
        layer: name,
        "\(axis): kernel \(kernel) (dilation \(dilation), spans \(k)) stride \(stride) "
          + "does not fit input \(input) with padding \(padding) "
          + "(floor((\(input) - \(k) + 2*\(padding))/\(stride)) + 1 < 1)")
    }
    return size
  }

  private static func unslide(
    _ name: String, _ axis: String, _ input: Int, _ kernel: Int, _ stride: Int, _ padding: Int,
    _ outputPadding: Int, _ dilation: Int
  ) throws(GraphError) -> Int {
    guard
      let size = ConvArithmetic.transposedOutputSize(
        input: input, kernel: kernel, stride: stride, padding: padding,
        outputPadding: outputPadding, dilation: dilation)
    else {
      throw GraphError(
        layer: name,
        "\(axis): transposed conv of input \(input), kernel \(kernel), stride \(stride), "
          + "padding \(padding), output padding \(outputPadding) has no positive size "
          + "(output padding must be smaller than the stride or the dilation)")
    }
    return size
  }
}
