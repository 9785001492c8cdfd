import Graph

/// Folds every batch norm that directly follows a convolution into that convolution:
///   y = γ (conv(x) + b − μ) / √(σ² + ε) + β  =  conv'(x) + b'
/// with W'[o] = W[o] · γ[o]/√(σ²[o] + ε) and b'[o] = (b[o] − μ[o]) · γ[o]/√(σ²[o] + ε) + β[o].
/// The batch norm node disappears and its readers read the convolution. The folded convolution
/// always has a bias. Batch norms after anything else are left as they are (the converter then
/// reports them as unsupported).
public func foldBatchNorms(_ model: FloatModel) throws(GraphError) -> FloatModel {
  var nodes = model.graph.nodes
  var parameters = model.parameters
  var readers: [String: Int] = [:]
  for node in nodes { for input in node.inputs { readers[input, default: 0] += 1 } }

  var index = 0
  while index < nodes.count {
    let node = nodes[index]
    guard case .batchNorm2d(let bn) = node.layer,
      let convIndex = nodes.firstIndex(where: {
        $0.name == node.inputs[0]
      }), case .conv2d(var conv) = nodes[convIndex].layer, readers[nodes[convIndex].name] == 1
    else {
      index += 1
      continue
    }
    let convName = nodes[convIndex].name
    let gamma = parameters["\(node.name).weight"]!.values
    let beta = parameters["\(node.name).bias"]!.values
    let mean = parameters["\(node.name).running_mean"]!.values
    let variance = parameters["\(node.name).running_var"]!.values
    var weight = parameters["\(convName).weight"]!
    let outC = weight.shape[0]
    let perChannel = weight.values.count / outC
    let oldBias = parameters["\(convName).bias"]?.values ?? [Float](repeating: 0, count: outC)
    var bias = [Float](repeating: 0, count: outC)
    for o in 0..<outC {
      let factor = gamma[o] / (variance[o] + bn.epsilon).squareRoot()
      for i in o * perChannel..<(o + 1) * perChannel { weight.values[i] *= factor }
      bias[o] = (oldBias[o] - mean[o]) * factor + beta[o]
    }
    parameters["\(convName).weight"] = weight
    parameters["\(convName).bias"] = FloatTensor(shape: [outC], values: bias)
    for suffix in ["weight", "bias", "running_mean", "running_var"] {
      parameters["\(node.name).\(suffix)"] = nil
    }
    conv.bias = true
    // The folded conv takes the batch norm's place (its only reader, so nothing in between
    // reads it): the order stays topological and a batch norm that ended the graph still does.
    nodes[index] = Node(convName, .conv2d(conv), inputs: nodes[convIndex].inputs)
    nodes.remove(at: convIndex)
    for i in nodes.indices {
      nodes[i].inputs = nodes[i].inputs.map { $0 == node.name ? convName : $0 }
    }
  }
  return try FloatModel(
    graph: try ModelGraph(nodes: nodes), parameters: parameters, classNames: model.classNames,
    metadata: model.metadata)
}
