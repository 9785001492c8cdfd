/// How parameters follow their gradients.
public enum OptimizerKind: Sendable, Equatable {
  /// SGD with momentum as PyTorch computes it: `v = μ v + (g + λ w)`, `w -= lr v`.
  case sgd(momentum: Float)
  /// Adam (Kingma & Ba) with bias-corrected moments; weight decay is decoupled as in AdamW
  /// (Loshchilov & Hutter): `w -= lr (m̂ / (sqrt(v̂) + ε) + λ w)`.
  case adam(beta1: Float, beta2: Float, epsilon: Float)

  public static let defaultAdam = OptimizerKind.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)

  public var name: String {
    switch self {
    case .sgd: "sgd"
    case .adam: "adam"
    }
  }
}

/// The optimizer state for one network: a velocity (SGD) or two moments (Adam) per trainable
/// parameter. Weight decay λ applies to conv and linear weights only (`Parameter.decays`).
final class Optimizer {
  let kind: OptimizerKind
  let weightDecay: Float
  private let parameters: [Parameter]
  private let first: [FloatBuffer]  // SGD velocity, Adam first moment
  private let second: [FloatBuffer]  // Adam second moment
  private var steps = 0

  init(_ kind: OptimizerKind, weightDecay: Float, parameters: [Parameter]) {
    self.kind = kind
    self.weightDecay = weightDecay
    self.parameters = parameters.filter(\.isTrainable)
    first = self.parameters.map { FloatBuffer(count: $0.count) }
    second = self.parameters.map { FloatBuffer(count: $0.count) }
  }

  /// The state a checkpoint keeps, per trainable parameter in `parameters` order: its name, the
  /// SGD velocity or Adam first moment, the Adam second moment (zeros for SGD); and the steps
  /// taken (Adam's bias corrections depend on them).
  var state: (steps: Int, moments: [(name: String, first: [Float], second: [Float])]) {
    let moments = parameters.indices.map { i in
      (
        parameters[i].name,
        Array(UnsafeBufferPointer(start: first[i].pointer, count: parameters[i].count)),
        Array(UnsafeBufferPointer(start: second[i].pointer, count: parameters[i].count))
      )
    }
    return (steps, moments)
  }

  /// Restores `state` (names and sizes checked by the caller).
  func restore(steps: Int, moments: [(first: [Float], second: [Float])]) {
    precondition(moments.count == parameters.count, "one moment pair per trainable parameter")
    self.steps = steps
    for (i, m) in moments.enumerated() {
      first[i].pointer.update(from: m.first, count: parameters[i].count)
      second[i].pointer.update(from: m.second, count: parameters[i].count)
    }
  }

  /// One update from the gradients of the last backward pass. Each element's update reads only
  /// its own weight, gradient and moments, so the elements are split among `workers` (the same
  /// result on any count): serial, Adam was 3 % of a cnn-small step with the other core idle.
  func step(learningRate lr: Float, workers: Workers? = nil) {
    steps += 1
    // Adam's bias corrections, the same for every parameter this step.
    let t = Float(steps)
    let (stepSize, inverseRoot): (Float, Float) =
      switch kind {
      case .sgd: (lr, 1)
      case .adam(let beta1, let beta2, _):
        (lr / (1 - pow(beta1, t)), 1 / (1 - pow(beta2, t)).squareRoot())
      }
    for (index, p) in parameters.enumerated() {
      let (w, g) = (p.value, p.gradient)
      let decay = p.decays ? weightDecay : 0
      let (m, v) = (first[index].pointer, second[index].pointer)
      func update(_ range: Range<Int>) {
        switch kind {
        case .sgd(let momentum):
          for i in range {
            m[i] = momentum * m[i] + g[i] + decay * w[i]
            w[i] -= lr * m[i]
          }
        case .adam(let beta1, let beta2, let epsilon):
          for i in range {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            let denominator = v[i].squareRoot() * inverseRoot + epsilon
            w[i] -= stepSize * m[i] / denominator + lr * decay * w[i]
          }
        }
      }
      if let workers {
        workers.split(p.count, cost: 16 * p.count) { _, range in update(range) }
      } else {
        update(0..<p.count)
      }
    }
  }
}

/// `base^exponent` for the bias corrections, without Foundation.
private func pow(_ base: Float, _ exponent: Float) -> Float {
  var result: Float = 1
  var remaining = Int(exponent)
  var factor = base
  while remaining > 0 {
    if remaining & 1 == 1 { result *= factor }
    factor *= factor
    remaining >>= 1
  }
  return result
}
