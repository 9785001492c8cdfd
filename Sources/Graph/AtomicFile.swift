import Foundation

/// Writes files so that a crash or a full disk never leaves half a file under the real name: the
/// bytes go to a temporary file beside the target, then one `rename` replaces the target.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible {
    public var path: String
    public var cause: String
    public var description: String { "\(path): \(cause)" }
  }

  public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(WriteError) {
    let temporary = "\(path).tmp-\(getpid())"
    let data = Data(bytes)
    do {
      try data.write(to: URL(fileURLWithPath: temporary))
    } catch {
      throw WriteError(path: path, cause: "cannot write (\(reason(error)))")
    }
    guard rename(temporary, path) == 0 else {
      let cause = String(cString: strerror(errno))
      unlink(temporary)
      throw WriteError(path: path, cause: "cannot replace the file (\(cause))")
    }
  }

  public static func write(_ text: String, to path: String) throws(WriteError) {
    try write(Array(text.utf8), to: path)
  }

  private static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain
    {
      return String(cString: strerror(Int32(underlying.code)))
    }
    return ns.localizedDescription
  }
}
