#if canImport(Glibc)
  import Glibc
  private let systemWrite = Glibc.write
#elseif canImport(Darwin)
  import Darwin
  private let systemWrite = Darwin.write
#endif

/// The one crash-safe file writer every output goes through (models, .npy arrays, PNGs): the
/// bytes go to `<path>.tmp-<pid>` in the same folder, are flushed, then one `rename` replaces
/// `path`. A full disk, a failed write, SIGINT or SIGTERM removes the temporary file and leaves
/// the previous `path` as it was; a reader never sees half a file.
///
/// Commands that can fail after they have the bytes (a report to render, a check to run) must do
/// all of that first and call `write` last: once renamed, the old file is gone.
public enum AtomicWrite {
  /// Writes `bytes` to `path` through a temporary file. The error is the system's reason, e.g.
  /// "No space left on device"; the caller adds the path.
  public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(WriteFailure) {
    let temporary = "\(path).tmp-\(getpid())"
    PendingTemporary.set(temporary)
    defer { PendingTemporary.clear() }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw WriteFailure(reason: lastError(), removed: false) }
    var failure: String?
    let contiguous = Array(bytes)
    var done = 0
    while done < contiguous.count {
      let n = contiguous.withUnsafeBytes {
        systemWrite(fd, $0.baseAddress! + done, $0.count - done)
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        failure = lastError()
        break
      }
      done += n
    }
    if failure == nil && fsync(fd) != 0 { failure = lastError() }
    if close(fd) != 0 && failure == nil { failure = lastError() }
    if failure == nil && rename(temporary, path) != 0 { failure = lastError() }
    if let failure {
      unlink(temporary)
      throw WriteFailure(reason: failure, removed: true)
    }
  }

  /// Why a write failed: the system's message ("Permission denied").
  public struct WriteFailure: Error, CustomStringConvertible {
    public var reason: String
    /// Whether a temporary file had been made (and was removed).
    public var removed: Bool
    public var description: String { reason }
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }

  /// Whether `output` names the same file as `input` (the same inode, through any spelling or
  /// link), so `quantize model.safetensors -o model.safetensors` can be refused before it runs.
  public static func isSameFile(_ output: String, _ input: String) -> Bool {
    var a = stat()
    var b = stat()
    guard stat(output, &a) == 0, stat(input, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
  }
}

/// The temporary file being written, removed by a SIGINT or SIGTERM handler before the process
/// dies with the signal. A C string made before the write, so the handler only calls
/// async-signal-safe functions (unlink, signal, raise).
private enum PendingTemporary {
  nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>?
  nonisolated(unsafe) static var handlersInstalled = false

  static func set(_ temporary: String) {
    installHandlers()
    let copy = strdup(temporary)
    let old = path
    path = copy
    free(old)
  }

  static func clear() {
    let old = path
    path = nil
    free(old)
  }

  static func installHandlers() {
    guard !handlersInstalled else { return }
    handlersInstalled = true
    for sig in [SIGINT, SIGTERM, SIGHUP] {
      signal(sig) { sig in
        if let p = PendingTemporary.path { unlink(p) }
        signal(sig, SIG_DFL)
        raise(sig)
      }
    }
  }
}
