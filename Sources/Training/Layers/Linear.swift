import Graph

/// A fully connected layer, `y = x·Wᵀ + b` on flat samples, with PyTorch's `[out, in]` weight.
/// Per worker share of nb samples:
///
///     forward   y[nb x out]   = x[nb x in] · Wᵀ         (+ bias)
///     backward  dW[out x in] += dyᵀ · x
///               db           += Σ_n dy[n, :]
///               dx[nb x in]   = dy · W
///
/// The transposes are views, not copies (the GEMM reads through strides).
final class LinearLayer: WeightedLayer {
  let weight: Parameter
  let bias: Parameter?
  let parameters: [Parameter]
  private let inFeatures: Int
  private let outFeatures: Int
  private let partialWeight: GradientPartials
  private let partialBias: GradientPartials?

  init(name: String, spec: LinearSpec, input: FeatureShape, workers: Workers) {
    inFeatures = input.count
    outFeatures = spec.outFeatures
    weight = Parameter(name: "\(name).weight", shape: [outFeatures, inFeatures], decays: true)
    bias = spec.bias ? Parameter(name: "\(name).bias", shape: [outFeatures]) : nil
    parameters = [weight] + (bias.map { [$0] } ?? [])
    partialWeight = GradientPartials(count: weight.count, workers: workers)
    partialBias = bias.map { GradientPartials(count: $0.count, workers: workers) }
  }

  var fanIn: Int { inFeatures }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let (w, b) = (UnsafePointer(weight.value), bias.map { UnsafePointer($0.value) })
    let (nIn, nOut) = (inFeatures, outFeatures)
    let y = output.sample(samples.lowerBound)
    gemm(
      MatrixView(x.sample(samples.lowerBound), rows: samples.count, columns: nIn),
      MatrixView(w, rows: nOut, columns: nIn).transposed,
      into: MutableMatrixView(y, rows: samples.count, columns: nOut),
      workspace: context.workers.workspaces[worker])
    if let b {
      for i in 0..<samples.count {
        let row = y + i * nOut
        for o in 0..<nOut { row[o] += b[o] }
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    let x = inputs[0]
    let w = UnsafePointer(weight.value)
    let (nIn, nOut) = (inFeatures, outFeatures)
    let dy = UnsafePointer(outputGradient.sample(samples.lowerBound))
    let workspace = context.workers.workspaces[worker]
    gemm(
      MatrixView(dy, rows: samples.count, columns: nOut).transposed,
      MatrixView(x.sample(samples.lowerBound), rows: samples.count, columns: nIn),
      into: MutableMatrixView(
        partialWeight.target(worker, weight.gradient), rows: nOut, columns: nIn),
      workspace: workspace)
    if let bias, let partialBias {
      let db = partialBias.target(worker, bias.gradient)
      db.update(repeating: 0, count: nOut)
      for i in 0..<samples.count {
        let row = dy + i * nOut
        for o in 0..<nOut { db[o] += row[o] }
      }
    }
    if let dx = inputGradients[0] {
      gemm(
        MatrixView(dy, rows: samples.count, columns: nOut),
        MatrixView(w, rows: nOut, columns: nIn),
        into: MutableMatrixView(dx.sample(samples.lowerBound), rows: samples.count, columns: nIn),
        workspace: workspace)
    }
  }

  func reduceGradients(workers: Int) {
    partialWeight.reduce(into: weight.gradient, workers: workers)
    if let bias { partialBias?.reduce(into: bias.gradient, workers: workers) }
  }
}
