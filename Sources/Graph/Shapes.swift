/// A height and a width: kernel sizes, strides, paddings, dilations.
public struct Size2: Hashable, Codable, Sendable, CustomStringConvertible {
  public var height: Int
  public var width: Int

  public init(_ height: Int, _ width: Int) {
    self.height = height
    self.width = width
  }

  /// The same value along both axes (`Size2(3)` is a 3x3 kernel).
  public init(_ both: Int) { self.init(both, both) }

  public var description: String {
    height == width ? "\(height)" : "\(height)x\(width)"
  }
}

/// The shape of one sample's activations: channels, height, width. A flat feature vector of n
/// values is `(n, 1, 1)`. The layout in memory is the consumer's business (the trainer uses NCHW,
/// the int8 runtime NHWC); the graph only knows the sizes.
public struct FeatureShape: Hashable, Codable, Sendable, CustomStringConvertible {
  public var channels: Int
  public var height: Int
  public var width: Int

  public init(channels: Int, height: Int, width: Int) {
    self.channels = channels
    self.height = height
    self.width = width
  }

  /// A flat vector of `features` values.
  public init(features: Int) { self.init(channels: features, height: 1, width: 1) }

  public var count: Int { channels * height * width }
  public var isFlat: Bool { height == 1 && width == 1 }

  public var description: String {
    isFlat ? "\(channels)" : "\(channels)x\(height)x\(width)"
  }
}
