#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A stated bound on what one input may make TinyCNN allocate, checked before the allocation: a
/// corrupt header or a hand-written graph must fail with a message, not ask the allocator for
/// terabytes. Each limit has a default and an environment variable that changes it; the error
/// says both:
///
///     net.json: layer 'conv1': 1,600,000,000 activation values per sample, over the limit of
///     16,777,216 (set TINYCNN_MAX_ACTIVATIONS to raise it)
public struct ResourceLimit: Sendable {
  /// What is counted, plural: "parameters", "bytes".
  public var unit: String
  /// The environment variable that overrides `defaultValue`.
  public var variable: String
  public var defaultValue: Int

  /// The limit in force: the environment variable when it holds a positive integer, else the
  /// default.
  public var value: Int {
    guard let raw = getenv(variable), let v = Int(String(cString: raw)), v > 0 else {
      return defaultValue
    }
    return v
  }

  /// Refuses `count` above the limit; `what` says what was counted ("the training set").
  public func check(_ count: Int, _ what: String) throws(NumberError) {
    let limit = value
    guard count <= limit else {
      throw NumberError(
        what,
        "\(Checked.grouped(count)) \(unit), over the limit of \(Checked.grouped(limit)) "
          + "(set \(variable) to raise it)")
    }
  }

  /// `factors` multiplied with overflow checks, then checked against the limit.
  public func checkProduct(_ factors: [Int], _ what: String) throws(NumberError) -> Int {
    let p: Int
    do { p = try Checked.product(factors, what) } catch {
      throw NumberError(
        what,
        "\(factors.map(String.init).joined(separator: " x ")) \(unit), over the limit of "
          + "\(Checked.grouped(value)) (set \(variable) to raise it)")
    }
    try check(p, what)
    return p
  }
}

extension ResourceLimit {
  /// Learned values in one model (a float model trains with 4 copies: weights, gradients and
  /// Adam's two moments).
  public static let parameters = ResourceLimit(
    unit: "parameters", variable: "TINYCNN_MAX_PARAMETERS", defaultValue: 50_000_000)
  /// Activation values of one sample summed over the layers of a model.
  public static let activations = ResourceLimit(
    unit: "activation values per sample", variable: "TINYCNN_MAX_ACTIVATIONS",
    defaultValue: 1 << 25)
  /// Bytes of one thing held in memory: a decoded image, an inflated file, a dataset, the
  /// estimated memory of a training run.
  public static let bytes = ResourceLimit(
    unit: "bytes", variable: "TINYCNN_MAX_BYTES", defaultValue: 4 << 30)
}
