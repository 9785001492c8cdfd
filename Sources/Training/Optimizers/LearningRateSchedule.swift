#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How the learning rate changes over training.
public enum LearningRateSchedule: Sendable, Equatable {
  case constant
  /// Multiply by `factor` every `every` epochs (PyTorch's StepLR).
  case step(every: Int, factor: Float)
  /// Cosine annealing from the base rate to 0 over all steps of the run, updated every batch
  /// (SGDR without restarts).
  case cosine

  /// The rate for training step `step` of `totalSteps` (0-based), which falls in epoch `epoch`.
  public func rate(base: Float, epoch: Int, step: Int, totalSteps: Int) -> Float {
    switch self {
    case .constant:
      return base
    case .step(let every, let factor):
      var rate = base
      for _ in 0..<(epoch / max(every, 1)) { rate *= factor }
      return rate
    case .cosine:
      let progress = Double(step) / Double(max(totalSteps, 1))
      return Float(Double(base) * 0.5 * (1 + cos(Double.pi * progress)))
    }
  }

  public var name: String {
    switch self {
    case .constant: "constant"
    case .step(let every, let factor): "step:\(every):\(factor)"
    case .cosine: "cosine"
    }
  }

  /// Parses `constant`, `cosine` or `step:EVERY:FACTOR` (e.g. `step:3:0.5`).
  public init?(_ text: String) {
    let parts = text.split(separator: ":")
    switch parts.first {
    case "constant" where parts.count == 1: self = .constant
    case "cosine" where parts.count == 1: self = .cosine
    case "step" where parts.count == 3:
      guard let every = Int(parts[1]), every > 0, let factor = Float(parts[2]), factor > 0 else {
        return nil
      }
      self = .step(every: every, factor: factor)
    default: return nil
    }
  }
}
