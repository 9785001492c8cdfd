/// A graph that cannot be built or evaluated: names the layer and the numbers, in one line.
public struct GraphError: Error, Equatable, CustomStringConvertible {
  public var layer: String
  public var message: String

  public init(layer: String, _ message: String) {
    self.layer = layer
    self.message = message
  }

  public var description: String { "layer '\(layer)': \(message)" }
}
