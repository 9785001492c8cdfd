import Graph

/// Watches every node's output over the calibration images and proposes the int8 range of each:
/// one `RangeObserver` per graph node, fed in node order with whatever the float model computed.
///
/// The input node is the exception: its range is not measured but set from the model's pixel
/// normalisation (`fixedInput`), so the int8 input is exactly the 8-bit pixel shifted by the zero
/// point, as a firmware feeds it, whatever the calibration images happen to contain.
public struct ActivationCalibrator: Sendable {
  public let nodeNames: [String]
  public let fixedInput: ActivationRange?
  private var observers: [RangeObserver]

  public init(graph: ModelGraph, fixedInput: ActivationRange?) {
    nodeNames = graph.nodes.map(\.name)
    self.fixedInput = fixedInput
    observers = graph.nodes.map { _ in RangeObserver() }
  }

  /// Images seen so far, counted at the input node.
  public private(set) var imageCount = 0

  /// Adds one batch: `outputs[i]` holds node i's values for every image of the batch (any layout).
  public mutating func observe(_ outputs: [[Float]], images: Int) {
    precondition(outputs.count == observers.count, "one output per graph node")
    for i in outputs.indices where !(i == 0 && fixedInput != nil) {
      observers[i].observe(outputs[i])
    }
    imageCount += images
  }

  /// Every node's range under `method` (the input's is `fixedInput` when set).
  public func ranges(_ method: CalibrationMethod) -> [String: ActivationRange] {
    var ranges: [String: ActivationRange] = [:]
    for (i, name) in nodeNames.enumerated() {
      ranges[name] =
        i == 0 ? (fixedInput ?? observers[i].range(method)) : observers[i].range(method)
    }
    return ranges
  }
}

/// How a model turns 8-bit pixels into its float input, as recorded in its metadata under
/// `input_normalization`. TinyCNN's trainer writes "pixel/255" (x in [0, 1]), whose int8 form is
/// scale 1/255 and zero point -128: the int8 input is `pixel - 128`, TensorFlow's convention too.
public enum PixelNormalization: Sendable, Equatable {
  case unitRange  // x = pixel / 255

  public static let metadataKey = "input_normalization"

  /// Parses the metadata value; nil for one TinyCNN does not know.
  public init?(metadataValue: String) {
    switch metadataValue {
    case "pixel/255": self = .unitRange
    default: return nil
    }
  }

  /// The float range of every possible input value: the input tensor's int8 range.
  public var inputRange: ActivationRange {
    switch self {
    case .unitRange: ActivationRange(min: 0, max: 1)
    }
  }
}
