import InputChecks

#if canImport(Glibc)
  import Glibc
  private let systemRead = Glibc.read
#elseif canImport(Darwin)
  import Darwin
  private let systemRead = Darwin.read
#endif

/// Whole-file reads and crash-safe writes, with errors a user can act on ("x.png: is a directory").
public enum BinaryFile {
  /// The bytes of the regular file at `path`. A missing file, a directory or a read error is an
  /// `ImageError` naming `path` and the system's reason.
  public static func read(_ path: String) throws(ImageError) -> [UInt8] {
    // O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer forever;
    // it is refused below as not a regular file.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw systemError(path) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw systemError(path) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw ImageError(
        file: path,
        cause: info.st_mode & S_IFMT == S_IFDIR
          ? "is a directory" : "not a regular file (a pipe, a device or a socket)")
    }
    do { try ResourceLimit.bytes.check(Int(info.st_size), "the file") } catch {
      throw ImageError(file: path, cause: "a file of \(error.cause)")
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

  /// Writes `bytes` through `AtomicWrite` (a temporary file beside `path`, flushed, renamed), so
  /// a crash, a full disk or an interrupt leaves either the old file or the whole new one.
  public static func write(_ bytes: [UInt8], to path: String) throws(ImageError) {
    do { try AtomicWrite.write(bytes, to: path) } catch {
      throw ImageError(file: path, cause: error.reason)
    }
  }

  private static func systemError(_ path: String) -> ImageError {
    ImageError(file: path, cause: String(cString: strerror(errno)))
  }
}
