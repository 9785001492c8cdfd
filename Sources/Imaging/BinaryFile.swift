#if canImport(Glibc)
  import Glibc
  private let systemRead = Glibc.read
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  import Darwin
  private let systemRead = Darwin.read
  private let systemWrite = Darwin.write
#endif

/// Whole-file reads and crash-safe writes, with errors a user can act on ("x.png: Is a directory").
public enum BinaryFile {
  /// The bytes of the regular file at `path`. A missing file, a directory or a read error is an
  /// `ImageError` naming `path` and the system's reason.
  public static func read(_ path: String) throws(ImageError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw systemError(path) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw systemError(path) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw ImageError(
        file: path,
        cause: info.st_mode & S_IFMT == S_IFDIR ? "is a directory" : "not a regular file")
    }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeMutableBytes {
        systemRead(fd, $0.baseAddress! + done, $0.count - done)
      }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw systemError(path) }
      if n == 0 { break }  // the file shrank while we read it: keep what is there
      done += n
    }
    if done < bytes.count { bytes.removeSubrange(done...) }
    return bytes
  }

  /// Writes `bytes` to a temporary file beside `path`, flushes it, then renames it over `path`, so
  /// a crash or a full disk leaves either the old file or the whole new one, never half of it.
  public static func write(_ bytes: [UInt8], to path: String) throws(ImageError) {
    let temporary = "\(path).tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw systemError(path) }
    var failure: ImageError?
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + done, $0.count - done) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        failure = systemError(path)
        break
      }
      done += n
    }
    if failure == nil && fsync(fd) != 0 { failure = systemError(path) }
    if close(fd) != 0 && failure == nil { failure = systemError(path) }
    if failure == nil && rename(temporary, path) != 0 { failure = systemError(path) }
    if let failure {
      unlink(temporary)
      throw failure
    }
  }

  private static func systemError(_ path: String) -> ImageError {
    ImageError(file: path, cause: String(cString: strerror(errno)))
  }
}
