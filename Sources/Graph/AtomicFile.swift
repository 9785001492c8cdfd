import InputChecks

/// Writes files so that a crash, a full disk or an interrupt never leaves half a file under the
/// real name: `AtomicWrite` (a temporary file beside the target, then one `rename`), with errors
/// that name the path.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible {
    public var path: String
    public var cause: String
    public var description: String { "\(path): \(cause)" }
  }

  public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(WriteError) {
    do { try AtomicWrite.write(bytes, to: path) } catch {
      throw WriteError(path: path, cause: "cannot write (\(error.reason))")
    }
  }

  public static func write(_ text: String, to path: String) throws(WriteError) {
    try write(Array(text.utf8), to: path)
  }
}
