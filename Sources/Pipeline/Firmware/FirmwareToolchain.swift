import Foundation

/// A QEMU board the firmware builds for (firmware/build.sh knows the same three).
package enum FirmwareBoard: String, CaseIterable, Codable {
  case an386, an500, microbit

  /// QEMU's machine name.
  package var machine: String {
    switch self {
    case .an386: "mps2-an386"
    case .an500: "mps2-an500"
    case .microbit: "microbit"
    }
  }

  package var cpu: String {
    switch self {
    case .an386: "Cortex-M4F"
    case .an500: "Cortex-M7"
    case .microbit: "Cortex-M0"
    }
  }

  /// The cycle table `--count` uses by default: the board's core.
  package var defaultCore: CoreTiming {
    switch self {
    case .an386: .m4
    case .an500: .m7
    case .microbit: .m0
    }
  }

  /// The cores whose cycle tables fit the code built for this board (same instruction set).
  package var compatibleCores: [CoreTiming] {
    self == .microbit ? [.m0, .m0plus] : [.m4, .m33, .m7]
  }

  /// The memory the board has (firmware/*.ld).
  package var flashBytes: Int { self == .microbit ? 256 * 1024 : 4 * 1024 * 1024 }
  package var ramBytes: Int { self == .microbit ? 16 * 1024 : 4 * 1024 * 1024 }
}

/// Where the firmware's sources are and which tools build and run it. Nothing is looked up twice;
/// a missing tool is an error naming it and what installs it.
package struct FirmwareToolchain {
  /// The repository root: holds firmware/build.sh and Sources/Runtime.
  package let root: URL
  /// The directories searched for tools (PATH).
  package let searchPath: [String]

  package static let installHint =
    "run scripts/setup.sh (it installs qemu-system-arm, gcc-arm-none-eabi, "
    + "libnewlib-arm-none-eabi, binutils-arm-none-eabi)"

  /// - root: the repository; nil finds it (TINYCNN_ROOT, then up from the current directory and
  ///   from the executable, then the source tree this binary was built from).
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
      return
    }
    var candidates: [URL] = []
    if let env = environment["TINYCNN_ROOT"] { candidates.append(URL(fileURLWithPath: env)) }
    candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    // Sources/Pipeline/Firmware/FirmwareToolchain.swift: three folders below the root.
    candidates.append(URL(fileURLWithPath: #filePath))
    for start in candidates {
      var dir = start.standardizedFileURL
      for _ in 0..<8 {
        if FirmwareToolchain.isRoot(dir) {
          self.root = dir
          return
        }
        dir = dir.deletingLastPathComponent()
      }
    }
    throw InputError(
      "firmware/build.sh",
      "not found: run tinycnn inside a TinyCNN checkout or set TINYCNN_ROOT to one")
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

/// A finished child process: its status and what it printed.
package struct ProcessResult {
  package var status: Int32
  package var stdout: String
  package var stderr: String
}

/// Runs `executable` with `arguments`, its output captured through files (no pipe can fill up
/// and stall a long build), and waits.
package func runProcess(
  _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
  logDirectory: URL
) throws -> ProcessResult {
  let name = URL(fileURLWithPath: executable).lastPathComponent
  let out = logDirectory.appendingPathComponent(".\(name)-\(getpid()).stdout")
  let err = logDirectory.appendingPathComponent(".\(name)-\(getpid()).stderr")
  FileManager.default.createFile(atPath: out.path, contents: nil)
  FileManager.default.createFile(atPath: err.path, contents: nil)
  defer {
    try? FileManager.default.removeItem(at: out)
    try? FileManager.default.removeItem(at: err)
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if let environment { process.environment = environment }
  process.standardOutput = try FileHandle(forWritingTo: out)
  process.standardError = try FileHandle(forWritingTo: err)
  process.standardInput = FileHandle.nullDevice
  do {
    try process.run()
  } catch {
    throw InputError(executable, "cannot start (\(error.localizedDescription))")
  }
  process.waitUntilExit()
  let read = { (url: URL) in
    String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
  }
  return ProcessResult(status: process.terminationStatus, stdout: read(out), stderr: read(err))
}
