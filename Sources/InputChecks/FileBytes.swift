#if canImport(Glibc)
  import Glibc
  private let systemRead = Glibc.read
#elseif canImport(Darwin)
  import Darwin
  private let systemRead = Darwin.read
#endif

/// Whole-file reads for every reader, with the reason a user can act on: "no such file", "is a
/// directory", "not a regular file" (a named pipe is refused, not waited on), "not UTF-8 text",
/// or a size over `ResourceLimit.bytes`. The caller adds the path.
public enum FileBytes {
  public struct ReadFailure: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
  }

  /// The bytes of the regular file at `path`.
  public static func read(_ path: String) throws(ReadFailure) -> [UInt8] {
    guard !path.isEmpty else { throw ReadFailure(reason: "an empty path") }
    // O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer forever.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw systemFailure() }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw systemFailure() }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw ReadFailure(
        reason: info.st_mode & S_IFMT == S_IFDIR
          ? "is a directory" : "not a regular file (a pipe, a device or a socket)")
    }
    do { try ResourceLimit.bytes.check(Int(info.st_size), "file") } catch {
      throw ReadFailure(reason: "a file of \(error.cause)")
    }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeMutableBytes {
        systemRead(fd, $0.baseAddress! + done, $0.count - done)
      }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw systemFailure() }
      if n == 0 { break }  // the file shrank while we read it: keep what is there
      done += n
    }
    if done < bytes.count { bytes.removeSubrange(done...) }
    return bytes
  }

  /// The file's text, which must be UTF-8 (JSON, target and graph files).
  public static func text(_ path: String) throws(ReadFailure) -> String {
    let bytes = try read(path)
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar): offset += scalar.count
      case .emptyInput: return String(decoding: bytes, as: UTF8.self)
      case .error:
        let byte = String(bytes[offset], radix: 16, uppercase: true)
        throw ReadFailure(reason: "not UTF-8 text (byte \(offset) is 0x\(byte))")
      }
    }
  }

  private static func systemFailure() -> ReadFailure {
    ReadFailure(reason: String(cString: strerror(errno)))
  }
}
