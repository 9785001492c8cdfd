/// One learned tensor of a network (or a batch norm running statistic) under its PyTorch name,
/// with its gradient. The values live in manually managed memory so kernels read them through
/// plain pointers from any thread.
public final class Parameter {
  public let name: String
  public let shape: [Int]
  public let count: Int
  /// Updated by the optimizer; false for batch norm's running mean and variance, which the
  /// forward pass updates itself.
  public let isTrainable: Bool
  /// Whether weight decay applies: conv and linear weights only, not biases or batch norm
  /// parameters (decaying a bias or a BN scale only hurts).
  public let decays: Bool

  let value: UnsafeMutablePointer<Float>
  let gradient: UnsafeMutablePointer<Float>

  init(name: String, shape: [Int], isTrainable: Bool = true, decays: Bool = false) {
    self.name = name
    self.shape = shape
    self.count = shape.reduce(1, *)
    self.isTrainable = isTrainable
    self.decays = decays
    value = .allocate(capacity: count)
    value.initialize(repeating: 0, count: count)
    gradient = .allocate(capacity: count)
    gradient.initialize(repeating: 0, count: count)
  }

  deinit {
    value.deallocate()
    gradient.deallocate()
  }

  /// A copy of the values, row-major in `shape`.
  public var values: [Float] {
    get { Array(UnsafeBufferPointer(start: value, count: count)) }
    set {
      precondition(newValue.count == count, "\(name): \(newValue.count) values for \(shape)")
      value.update(from: newValue, count: count)
    }
  }

  /// A copy of the gradient of the last backward pass.
  public var gradients: [Float] { Array(UnsafeBufferPointer(start: gradient, count: count)) }

  func fill(_ x: Float) { value.update(repeating: x, count: count) }
}
