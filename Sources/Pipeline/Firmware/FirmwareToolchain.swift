import Foundation

/// Where the firmware's sources are and which tools build and run it. Nothing is looked up twice;
/// a missing tool is an error naming it and what installs it.
package struct FirmwareToolchain {
  /// The repository root, or an installation's share folder: holds firmware/build.sh and
  /// Sources/Runtime.
  package let root: URL
  /// The directories searched for tools (PATH).
  package let searchPath: [String]
  /// firmware/targets.txt: the CPUs and boards.
  package let targets: FirmwareTargets

  package static let installHint =
    "run scripts/setup.sh (it installs qemu-system-arm, gcc-arm-none-eabi, "
    + "libnewlib-arm-none-eabi, binutils-arm-none-eabi)"

  /// - root: the repository or an installation's share folder; nil finds it (`findRoot`).
  /// - path: the tool search path; nil uses PATH.
  package init(root: URL? = nil, path: String? = nil) throws {
    let environment = ProcessInfo.processInfo.environment
    searchPath = (path ?? environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(
      String.init)
    if let root {
      guard FirmwareToolchain.isRoot(root) else {
        throw InputError(root.path, "not a TinyCNN checkout (no firmware/build.sh)")
      }
      self.root = root
    } else {
      guard
        let found = FirmwareToolchain.findRoot(
          environment: environment, currentDirectory: FileManager.default.currentDirectoryPath,
          executable: InstalledFiles.executablePath())
      else {
        throw InputError(
          "firmware/build.sh",
          "not found: run tinycnn inside a TinyCNN checkout, install it with scripts/install.sh "
            + "or set TINYCNN_ROOT to a checkout")
      }
      self.root = found
    }
    targets = try FirmwareTargets(root: self.root)
  }

  /// The folder with the firmware's sources and scripts (firmware/build.sh, Sources/Runtime),
  /// looked for in order: `TINYCNN_ROOT`; the current directory and its parents (a checkout);
  /// beside the executable (`InstalledFiles.folders`: an installation's PREFIX/share/tinycnn,
  /// then the parents of a checkout's .build/release). Nil when none has them.
  package static func findRoot(
    environment: [String: String], currentDirectory: String, executable: String?
  ) -> URL? {
    var candidates: [URL] = []
    if let root = environment["TINYCNN_ROOT"] { candidates.append(URL(fileURLWithPath: root)) }
    var folder = URL(fileURLWithPath: currentDirectory).standardizedFileURL
    while folder.path != "/" && !folder.path.isEmpty {
      candidates.append(folder)
      folder = folder.deletingLastPathComponent()
    }
    if let executable { candidates += InstalledFiles.folders(besideExecutable: executable) }
    return candidates.first(where: isRoot)
  }

  package static func isRoot(_ dir: URL) -> Bool {
    let fm = FileManager.default
    return fm.isExecutableFile(atPath: dir.appendingPathComponent("firmware/build.sh").path)
      && fm.fileExists(atPath: dir.appendingPathComponent("Sources/Runtime").path)
  }

  package var buildScript: URL { root.appendingPathComponent("firmware/build.sh") }

  /// The full path of `tool` on the search path, or nil.
  package func find(_ tool: String) -> String? {
    for dir in searchPath {
      let candidate = dir + "/" + tool
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// `tool`'s path, or an error telling what to install.
  package func require(_ tool: String, hint: String = FirmwareToolchain.installHint) throws
    -> String
  {
    guard let path = find(tool) else { throw InputError(tool, "not found on PATH: \(hint)") }
    return path
  }

  /// Checks every tool a build needs, and QEMU when it will run, before any work starts.
  package func checkTools(running: Bool) throws {
    _ = try require("swiftc", hint: "install the Swift 6.3 toolchain (see README)")
    _ = try require("arm-none-eabi-gcc")
    _ = try sizeTool()
    if running { _ = try require("qemu-system-arm") }
  }

  /// A Berkeley-format `size`: binutils' for ARM, else LLVM's.
  package func sizeTool() throws -> String {
    if let path = find("arm-none-eabi-size") ?? find("llvm-size") { return path }
    return try require("arm-none-eabi-size")
  }
}
