import Graph

extension Network {
  /// A network with the graph and parameters of a model file (for inference, calibration or
  /// further training).
  public convenience init(model: FloatModel, workers: Workers = Workers()) throws(GraphError) {
    try self.init(graph: model.graph, workers: workers)
    for p in parameters {
      // FloatModel's initialiser checked names and shapes against the same graph.
      p.values = model.parameters[p.name]!.values
    }
  }

  /// The trained model as a `.safetensors` model file: parameters under their PyTorch names and
  /// layouts, the graph, the class names, `metadata`, and how pixels were normalised.
  public func floatModel(classNames: [String], metadata: [String: String] = [:])
    throws(GraphError) -> FloatModel
  {
    var tensors: [String: FloatTensor] = [:]
    for p in parameters { tensors[p.name] = FloatTensor(shape: p.shape, values: p.values) }
    var meta = metadata
    meta["input_normalization"] = InputNormalization.name
    return try FloatModel(
      graph: graph, parameters: tensors, classNames: classNames, metadata: meta)
  }
}
