import InputChecks

/// Whole-file reads and crash-safe writes, with errors a user can act on ("x.png: is a directory").
public enum BinaryFile {
  /// The bytes of the regular file at `path`. A missing file, a directory or a read error is an
  /// `ImageError` naming `path` and the system's reason.
  public static func read(_ path: String) throws(ImageError) -> [UInt8] {
    do { return try FileBytes.read(path) } catch {
      throw ImageError(file: path, cause: error.reason)
    }
  }

  /// Writes `bytes` through `AtomicWrite` (a temporary file beside `path`, flushed, renamed), so
  /// a crash, a full disk or an interrupt leaves either the old file or the whole new one.
  public static func write(_ bytes: [UInt8], to path: String) throws(ImageError) {
    do { try AtomicWrite.write(bytes, to: path) } catch {
      throw ImageError(file: path, cause: error.reason)
    }
  }

}
