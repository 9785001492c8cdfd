import InputChecks

extension ModelGraph {
  /// Refuses a graph whose float model would exceed a `ResourceLimit` before anything is
  /// allocated for it: its parameters, its activations per sample, and the bytes of a batch of
  /// `batchSize` samples, for inference or for training (which keeps weights, gradients and two
  /// optimizer moments per parameter, and values and gradients per activation).
  ///
  ///     net.json: layer 'fc1': the model has 3,211,264,000 parameters, over the limit of
  ///     50,000,000 (set TINYCNN_MAX_PARAMETERS to raise it)
  public func checkResources(batchSize: Int, training: Bool) throws(GraphError) {
    let shapes = try self.shapes()
    let parameters = try parameterShapes()
    // shapes() bounds every tensor by maximumElements (2^40), so these sums cannot overflow.
    let parameterCount = parameters.reduce(0) { $0 + $1.count }
    let activationCount = shapes.reduce(0) { $0 + $1.count }
    let biggestParameter = parameters.max { $0.count < $1.count }?.name ?? input.name
    let biggestLayer = zip(nodes, shapes).max { $0.1.count < $1.1.count }?.0.name ?? input.name
    do {
      try ResourceLimit.parameters.check(parameterCount, "the model")
    } catch {
      throw GraphError(
        layer: String(biggestParameter.split(separator: ".").first ?? ""),
        "the model has \(error.cause)")
    }
    do { try ResourceLimit.activations.check(activationCount, "the model") } catch {
      throw GraphError(layer: biggestLayer, "the model has \(error.cause)")
    }
    let perParameter = training ? 4 : 1
    let perActivation = training ? 2 : 1
    do {
      let weightBytes = try Checked.product([parameterCount, 4 * perParameter], "weights")
      let batchBytes = try Checked.product(
        [activationCount, batchSize, 4 * perActivation], "activations")
      let total = try Checked.sum(weightBytes, batchBytes, "memory")
      try ResourceLimit.bytes.check(total, "memory")
    } catch {
      throw GraphError(
        layer: biggestLayer,
        "\(training ? "training" : "running") the model \(batchSize) samples at a time needs "
          + "\(error.cause)")
    }
  }
}

extension FloatModel {
  /// The first parameter value that is NaN or infinite, by tensor in graph order: a model with
  /// one is never quantized or written (it would compute NaN, or scale every other weight to 0).
  public func firstNonFiniteValue() -> (tensor: String, index: Int, value: Float)? {
    let order = (try? graph.parameterShapes())?.map(\.name) ?? parameters.keys.sorted()
    for name in order {
      guard let values = parameters[name]?.values else { continue }
      if let i = values.firstIndex(where: { !$0.isFinite }) { return (name, i, values[i]) }
    }
    return nil
  }
}
