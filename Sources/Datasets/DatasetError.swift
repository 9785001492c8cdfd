/// Why a dataset could not be read: one line naming the file (or folder, or dataset name) and the
/// cause, e.g. `/data/train-images-idx3-ubyte.gz: 47040016 bytes of pixels, the header promises
/// 60000 x 28 x 28 = 47040000`.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var cause: String

  public init(file: String, cause: String) {
    self.file = file
    self.cause = cause
  }

  public var description: String { "\(file.isEmpty ? "(an empty path)" : file): \(cause)" }
}
