/// Why an image file could not be read or written: one line naming the file and the cause, e.g.
/// `cat.png: IDAT: CRC error`. The cause of a decoding failure is libpng's own message.
public struct ImageError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var cause: String

  public init(file: String, cause: String) {
    self.file = file
    self.cause = cause
  }

  public var description: String { "\(file.isEmpty ? "(an empty path)" : file): \(cause)" }
}
