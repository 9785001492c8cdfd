/// How the int8 range of an activation is chosen from the values seen during calibration.
///
/// - `minMax`: the smallest and largest value seen (TensorFlow's converter does this). Nothing is
///   clipped, but one outlier stretches the scale for every other value.
/// - `percentile(p)`: clip the `(100 - p) / 2` percent tails on each side (on a ReLU output, whose
///   negative side is empty, the top `100 - p` percent): `percentile(99.99)` is a common choice.
/// - `mse`: the range, among shrinkings of the min/max range, whose int8 grid reproduces the
///   calibration values with the least squared error (clipping error plus rounding error).
public enum CalibrationMethod: Hashable, Sendable, CustomStringConvertible {
  case minMax
  case percentile(Double)
  case mse

  /// Parses `minmax`, `mse`, `percentile` (99.99) or `percentile:99.9`.
  public init?(_ text: String) {
    let lowered = text.lowercased()
    switch lowered {
    case "minmax", "min-max", "min_max": self = .minMax
    case "mse": self = .mse
    case "percentile": self = .percentile(99.99)
    default:
      guard lowered.hasPrefix("percentile:"), let p = Double(lowered.dropFirst(11)), p > 50,
        p <= 100
      else { return nil }
      self = .percentile(p)
    }
  }

  public var description: String {
    switch self {
    case .minMax: "minmax"
    case .mse: "mse"
    case .percentile(let p): "percentile:\(p)"
    }
  }
}
