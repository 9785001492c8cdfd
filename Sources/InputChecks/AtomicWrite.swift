import Synchronization

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
    // The slot is taken back exactly once, by the rename or by a failure: once free, another
    // thread's write may hold it.
    let slot = PendingTemporary.set(temporary)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      let reason = lastError()
      PendingTemporary.clear(slot)
      throw WriteFailure(reason: reason, removed: false)
    }
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
    if failure == nil {
      PauseBeforeRename.pauseIfAsked()
      failure = renameUnlessInterrupted(temporary, to: path, slot: slot)
    } else {
      PendingTemporary.clear(slot)
    }
    if let failure {
      unlink(temporary)
      throw WriteFailure(reason: failure, removed: true)
    }
  }

  /// Renames the finished temporary file over `path`, unless an interrupt handler has already
  /// claimed (and removed) it: the handler may run on any thread, and once it has claimed the
  /// file the previous `path` must survive. A signal after the claim finds nothing to remove
  /// and the process dies with the new file complete.
  private static func renameUnlessInterrupted(_ temporary: String, to path: String, slot: Int)
    -> String?
  {
    guard let claimed = PendingTemporary.claim(slot) else {
      // The process is dying of the signal; never replace the previous file now.
      while true { pause() }
    }
    free(claimed)
    return rename(temporary, path) == 0 ? nil : lastError()
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

/// The temporary files being written, removed by a SIGINT, SIGTERM or SIGHUP handler before
/// the process dies with the signal. Each write holds one slot (writes on several threads at
/// once, as a test run or a parallel batch makes them, each have their own): a C string made
/// before the write, handed over by one atomic exchange, so whoever takes it first (the handler
/// to remove it, the writer to rename it) owns it and the two never both act. The handler calls
/// only async-signal-safe functions (unlink, signal, raise) and lock-free atomics.
private enum PendingTemporary {
  static let slotCount = 64
  /// Each slot's C string address (0 for none): an `Atomic` of a pointer is not `Sendable`.
  nonisolated(unsafe) static let slots: UnsafeMutablePointer<Atomic<UInt>> = {
    let slots = UnsafeMutablePointer<Atomic<UInt>>.allocate(capacity: slotCount)
    for i in 0..<slotCount { (slots + i).initialize(to: Atomic(0)) }
    return slots
  }()

  /// Installed once the slots exist: a handler must never be the one to create them.
  static let handlersInstalled: Bool = {
    _ = slots
    installHandlers()
    return true
  }()

  /// Hands `temporary` to a free slot (waiting for one if 64 writes are under way) and returns
  /// the slot.
  static func set(_ temporary: String) -> Int {
    _ = handlersInstalled
    let copy = UInt(bitPattern: strdup(temporary))
    while true {
      for i in 0..<slotCount
      where slots[i].compareExchange(
        expected: 0, desired: copy, ordering: .sequentiallyConsistent
      ).exchanged {
        return i
      }
      sched_yield()
    }
  }

  /// Takes slot `i`'s file back; nil when a handler took it first.
  static func claim(_ i: Int) -> UnsafeMutablePointer<CChar>? {
    UnsafeMutablePointer(bitPattern: slots[i].exchange(0, ordering: .sequentiallyConsistent))
  }

  /// Takes slot `i`'s file back after a failed write and frees it (a handler may have taken
  /// it first).
  static func clear(_ i: Int) { free(claim(i)) }

  private static func installHandlers() {
    for sig in [SIGINT, SIGTERM, SIGHUP] {
      signal(sig) { sig in
        // Not freed: the process is about to die, and free is not async-signal-safe.
        for i in 0..<PendingTemporary.slotCount {
          if let p = PendingTemporary.claim(i) { unlink(p) }
        }
        signal(sig, SIG_DFL)
        raise(sig)
      }
    }
  }
}

/// A test hook, read once: with `TINYCNN_PAUSE_BEFORE_RENAME=1` in the environment, a write
/// stops its own process (SIGSTOP) when the temporary file is complete and not yet renamed, so
/// a test can signal it at exactly that point instead of racing the write.
private enum PauseBeforeRename {
  static let isAsked =
    getenv("TINYCNN_PAUSE_BEFORE_RENAME").map { String(cString: $0) == "1" } ?? false

  static func pauseIfAsked() {
    if isAsked { raise(SIGSTOP) }
  }
}
