import Foundation
import Testing

// The proof that Runtime is the Embedded Swift subset is a build, not a review: every source file
// under Sources/Runtime compiled for a Cortex-M4 with the firmware's flags (`-no-allocations`
// among them: firmware/targets.txt, through firmware/targets.sh). An Array, a String, an
// existential or untyped `throws` added to the core fails this test.

private let root = URL(fileURLWithPath: #filePath)  // Tests/RuntimeTests/EmbeddedBuildTests.swift
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private let runtimeSources: [String] = {
  let files =
    FileManager.default.enumerator(
      at: root.appendingPathComponent("Sources/Runtime"), includingPropertiesForKeys: nil)?
    .compactMap { ($0 as? URL)?.path }.filter { $0.hasSuffix(".swift") } ?? []
  return files.sorted()
}()

private let swiftc: String? = {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  for dir in path.split(separator: ":") {
    let candidate = "\(dir)/swiftc"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return nil
}()

/// The firmware's swiftc flags for a Cortex-M4, as firmware/build.sh passes them.
private func firmwareFlags() throws -> [String] {
  let process = Process()
  process.executableURL = root.appendingPathComponent("firmware/targets.sh")
  process.arguments = ["swiftc-arguments", "cortex-m4"]
  let stdout = Pipe()
  process.standardOutput = stdout
  try process.run()
  let text = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  try #require(process.terminationStatus == 0, "firmware/targets.sh swiftc-arguments failed")
  let flags = text.split(separator: "\n").map(String.init)
  try #require(flags.contains("-no-allocations") && flags.contains("Embedded"), "\(flags)")
  return flags
}

/// Runs the firmware's compile of `files` and returns (exit status, stderr).
private func embeddedCompile(_ files: [String]) throws -> (status: Int32, stderr: String) {
  let out = FileManager.default.temporaryDirectory
    .appendingPathComponent("runtime-embedded-\(UUID().uuidString).o")
  defer { try? FileManager.default.removeItem(at: out) }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: try #require(swiftc))
  process.arguments = try firmwareFlags() + ["-Osize", "-c"] + files + ["-o", out.path]
  let stderr = Pipe()
  process.standardError = stderr
  process.standardOutput = FileHandle.nullDevice
  try process.run()
  let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  return (process.terminationStatus, message)
}

@Test(.enabled(if: swiftc != nil, "swiftc not found on PATH: the Embedded build check is skipped"))
func runtimeBuildsAsEmbeddedSwiftWithoutAllocations() throws {
  #expect(runtimeSources.count > 10, "found \(runtimeSources.count) Runtime sources")
  let result = try embeddedCompile(runtimeSources)
  #expect(result.status == 0, "Embedded build of Sources/Runtime failed:\n\(result.stderr)")
}

@Test(.enabled(if: swiftc != nil, "swiftc not found on PATH: the Embedded build check is skipped"))
func embeddedBuildCatchesAnAllocation() throws {
  // The check above is only worth something if it fails on an allocation: add one and see.
  let extra = FileManager.default.temporaryDirectory
    .appendingPathComponent("runtime-alloc-\(UUID().uuidString).swift")
  try "func allocates(_ n: Int) -> Int { [Int32](repeating: 0, count: n).count }\n"
    .write(to: extra, atomically: true, encoding: .utf8)
  defer { try? FileManager.default.removeItem(at: extra) }
  let result = try embeddedCompile(runtimeSources + [extra.path])
  #expect(result.status != 0)
  #expect(result.stderr.contains("-no-allocations"), "\(result.stderr)")
}
