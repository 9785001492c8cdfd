/// Why a float model cannot become an int8 .tflite: names the layer and the cause, in one line.
public struct QuantizationError: Error, CustomStringConvertible {
  public var layer: String
  public var message: String

  public init(layer: String, _ message: String) {
    self.layer = layer
    self.message = message
  }

  public var description: String { "layer '\(layer)': \(message)" }
}
