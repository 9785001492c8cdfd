import Foundation
import Pipeline

/// The int8 model that ships with the repository (`tinycnn quantize models/lenet5.safetensors`),
/// which `tinycnn infer` uses when no `--model` is given.
enum BundledModel {
  static let relativePath = "models/lenet5-int8.tflite"

  /// Where the bundled model is: under the current directory, else beside the running
  /// executable (`InstalledFiles.folders`: an installation's PREFIX/share/tinycnn, or the
  /// checkout that holds `.build/release/tinycnn`), so that a fresh clone finds it after
  /// `scripts/setup.sh` from any working directory, and an installed binary from anywhere. nil
  /// if none has it.
  static func path(
    currentDirectory: String = FileManager.default.currentDirectoryPath,
    executable: String? = InstalledFiles.executablePath()
  ) -> String? {
    let fm = FileManager.default
    let local = (currentDirectory as NSString).appendingPathComponent(relativePath)
    if fm.isReadableFile(atPath: local) { return relativePath }
    guard let executable else { return nil }
    return InstalledFiles.folders(besideExecutable: executable)
      .map { $0.appendingPathComponent(relativePath).path }
      .first { fm.isReadableFile(atPath: $0) }
  }
}
