import Datasets
import Graph

@testable import Training

/// Checks a network's backward pass against central differences.
///
/// The objective is `L = Σ_i r_i · y_i` over the output node's values y, with fixed random
/// weights r, summed in `Double`; backward starts from `dL/dy = r`. Each input value and each
/// trainable parameter value θ is then nudged by ±h and `(L(θ+h) - L(θ-h)) / 2h` compared with the
/// analytic gradient. For layers linear in θ (conv, linear, pooling windows, joins) the central
/// difference is exact whatever h, so only float rounding of y is left; for curved ones (batch
/// norm, softmax) h² terms remain, hence a small h there.
struct GradientCheck {
  var graph: ModelGraph
  var batch = 2
  var training = true
  var step: Float = 1e-2
  var seed: UInt64 = 1
  /// The input batch; random in [-1, 1) when nil.
  var input: [Float]? = nil
  /// `Workers.columnBudget` (Conv2d's chunk size); the default when nil.
  var columnBudget: Int? = nil

  struct Result: CustomStringConvertible {
    var maxError: Double = 0  // |analytic - numeric| / max(1, |analytic|, |numeric|)
    var worst = ""
    var checked = 0

    var description: String { "max error \(maxError) at \(worst) over \(checked) values" }
  }

  func run() throws -> Result {
    // Two workers and no minimum job size, so every split path (and gradient reduction) runs.
    let workers = Workers(count: 2)
    workers.minimumParallelCost = 0
    if let columnBudget { workers.columnBudget = columnBudget }
    let network = try Network(graph: graph, seed: seed, workers: workers, inputGradient: true)
    var rng = SplitMix64(seed: seed &+ 99)
    // Parameters away from the defaults (zero biases, unit BN scales) so every term matters.
    for p in network.parameters where p.isTrainable {
      p.values = p.values.map { $0 + Float.random(in: -0.5..<0.5, using: &rng) }
    }
    let x = input ?? randomFloats(batch * network.shapes[0].count, &rng)
    let last = network.graph.nodes.count - 1
    let r = randomFloats(batch * network.shapes[last].count, &rng)

    func objective(_ input: [Float]) -> Double {
      let view = network.prepare(batch: batch)
      view.base.update(from: input, count: view.count)
      network.forward(training: training)
      let y = network.value(last)
      var sum: Double = 0
      for i in 0..<y.count { sum += Double(y.base[i]) * Double(r[i]) }
      return sum
    }

    _ = objective(x)
    network.gradient(last).base.update(from: r, count: r.count)
    network.backward(from: last)
    let inputGradient = Array(UnsafeBufferPointer(start: network.gradient(0).base, count: x.count))
    let parameterGradients = network.parameters.map(\.gradients)

    var result = Result()
    func compare(_ analytic: Float, _ plus: Double, _ minus: Double, _ step: Double, _ name: String)
    {
      let numeric = (plus - minus) / step
      let error = abs(Double(analytic) - numeric) / max(1, abs(Double(analytic)), abs(numeric))
      result.checked += 1
      if error > result.maxError {
        result.maxError = error
        result.worst = "\(name): analytic \(analytic), numeric \(numeric)"
      }
    }
    let h = step
    var nudged = x
    for i in 0..<x.count {
      let original = x[i]
      nudged[i] = original + h
      let plus = objective(nudged)
      nudged[i] = original - h
      let minus = objective(nudged)
      nudged[i] = original
      // The real step is what the float moved by, not 2h.
      let step = Double(original + h) - Double(original - h)
      compare(inputGradient[i], plus, minus, step, "input[\(i)]")
    }
    for (p, gradient) in zip(network.parameters, parameterGradients) where p.isTrainable {
      for i in 0..<p.count {
        let original = p.value[i]
        p.value[i] = original + h
        let plus = objective(x)
        p.value[i] = original - h
        let minus = objective(x)
        p.value[i] = original
        let step = Double(original + h) - Double(original - h)
        compare(gradient[i], plus, minus, step, "\(p.name)[\(i)]")
      }
    }
    return result
  }
}

/// A graph of the input and one layer.
func single(_ input: FeatureShape, _ layer: Layer) throws -> ModelGraph {
  try .sequential(input: input, [("layer", layer)])
}

/// Distinct values spaced 0.04 apart in a seeded random order, so no two cells of a pooling
/// window are within the ±h nudge of each other (ties would make max pooling non-differentiable).
func distinctValues(_ count: Int, seed: UInt64) -> [Float] {
  shuffledIndices(count: count, seed: seed).map { Float($0) * 0.04 - Float(count) * 0.02 }
}

/// Random values at least `margin` away from every kink in `kinks` (ReLU at 0, ReLU6 at 6).
func valuesAwayFrom(
  _ kinks: [Float], count: Int, range: ClosedRange<Float>, margin: Float,
  seed: UInt64
) -> [Float] {
  var rng = SplitMix64(seed: seed)
  return (0..<count).map { _ in
    while true {
      let v = Float.random(in: range, using: &rng)
      if kinks.allSatisfy({ abs(v - $0) > margin }) { return v }
    }
  }
}
