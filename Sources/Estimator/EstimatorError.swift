/// A problem a user can cause (a bad target file, an unknown target or core, an unsupported
/// kernel library): one line naming the file or flag and the cause.
public struct EstimatorError: Error, Equatable, CustomStringConvertible {
  public var file: String
  public var cause: String

  public init(file: String, _ cause: String) {
    self.file = file
    self.cause = cause
  }

  public var description: String { "\(file.isEmpty ? "(an empty path)" : file): \(cause)" }
}
