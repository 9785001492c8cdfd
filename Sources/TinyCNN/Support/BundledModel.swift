import Foundation

/// The int8 model that ships with the repository (`tinycnn quantize models/lenet5.safetensors`),
/// which `tinycnn infer` uses when no `--model` is given.
enum BundledModel {
  static let relativePath = "models/lenet5-int8.tflite"

  /// Where the bundled model is: under the current directory, else under the repository that
  /// holds the running executable (`.build/release/tinycnn` -> the checkout), so that a fresh
  /// clone finds it after `scripts/setup.sh` from any working directory. nil if neither has it.
  static func path(
    currentDirectory: String = FileManager.default.currentDirectoryPath,
    executable: String? = executablePath()
  ) -> String? {
    let fm = FileManager.default
    let local = (currentDirectory as NSString).appendingPathComponent(relativePath)
    if fm.isReadableFile(atPath: local) { return relativePath }
    guard let executable else { return nil }
    var folder = ((executable as NSString).resolvingSymlinksInPath as NSString)
      .deletingLastPathComponent
    while folder != "/" && !folder.isEmpty {
      let candidate = (folder as NSString).appendingPathComponent(relativePath)
      if fm.isReadableFile(atPath: candidate) { return candidate }
      folder = (folder as NSString).deletingLastPathComponent
    }
    return nil
  }

  /// The running executable's path (Linux: /proc/self/exe; elsewhere argv[0]).
  static func executablePath() -> String? {
    if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return link
    }
    return CommandLine.arguments.first.map { URL(fileURLWithPath: $0).path }
  }
}
