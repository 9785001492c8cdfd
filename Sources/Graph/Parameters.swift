/// A learned tensor of the model by its PyTorch name, e.g. `conv1.weight` with shape [6, 1, 5, 5].
public struct ParameterShape: Hashable, Sendable {
  public var name: String
  public var shape: [Int]

  public var count: Int { shape.reduce(1, *) }
}

extension ModelGraph {
  /// Every learned tensor, in node order, with PyTorch's names and layouts so the float model
  /// file loads in PyTorch: conv `[outC, inC/groups, kH, kW]`, transposed conv
  /// `[inC, outC/groups, kH, kW]`, linear `[out, in]`, biases `[outC]`; batch norm has
  /// `weight`, `bias`, `running_mean`, `running_var`, all `[C]`.
  public func parameterShapes() throws(GraphError) -> [ParameterShape] {
    let shapes = try self.shapes()
    return zip(nodes, inputIndices()).flatMap { node, inputs in
      Self.parameterShapes(of: node, input: inputs.first.map { shapes[$0] })
    }
  }

  static func parameterShapes(of node: Node, input x: FeatureShape?) -> [ParameterShape] {
    func named(_ suffix: String, _ shape: [Int]) -> ParameterShape {
      ParameterShape(name: "\(node.name).\(suffix)", shape: shape)
    }
    switch node.layer {
    case .conv2d(let c):
      return [
        named("weight", [c.outChannels, x!.channels / c.groups, c.kernel.height, c.kernel.width])
      ]
        + (c.bias ? [named("bias", [c.outChannels])] : [])
    case .convTranspose2d(let c):
      return [
        named("weight", [x!.channels, c.outChannels / c.groups, c.kernel.height, c.kernel.width])
      ]
        + (c.bias ? [named("bias", [c.outChannels])] : [])
    case .linear(let l):
      return [named("weight", [l.outFeatures, x!.count])]
        + (l.bias ? [named("bias", [l.outFeatures])] : [])
    case .batchNorm2d:
      return ["weight", "bias", "running_mean", "running_var"].map { named($0, [x!.channels]) }
    default:
      return []
    }
  }
}

/// The arithmetic size of one node: multiply-accumulates per sample and learned values.
public struct LayerCost: Hashable, Sendable {
  public var macs: Int
  public var parameters: Int
}

extension ModelGraph {
  /// MACs and parameter counts per node, in node order. Only convolutions and linear layers
  /// multiply-accumulate; batch norm's 4 values per channel count as parameters.
  public func costs() throws(GraphError) -> [LayerCost] {
    let shapes = try self.shapes()
    return zip(nodes, inputIndices()).enumerated().map { index, pair in
      let (node, inputs) = pair
      let out = shapes[index]
      let x = inputs.first.map { shapes[$0] }
      let parameters = Self.parameterShapes(of: node, input: x).reduce(0) { $0 + $1.count }
      // shapes() has checked these products, so the `try!`-free fallback never runs.
      let macs = (try? Self.macs(of: node, output: out, input: x)) ?? Int.max
      return LayerCost(macs: macs, parameters: parameters)
    }
  }
}
