import Foundation
import Pipeline
import TestSupport
import Testing

// scripts/install.sh: the binary in PREFIX/bin, what it reads in PREFIX/share/tinycnn. The
// installed binary, run from a folder outside any checkout with TINYCNN_ROOT unset, must find
// the firmware's sources and the bundled model there. Skipped, with the reason, without the ARM
// toolchain or QEMU (TINYCNN_REQUIRE_FIRMWARE=1 makes that a failure).

private let root = URL(fileURLWithPath: repositoryRoot)

private let installToolsMissing = firmwareToolsMissing("the installed firmware test") {
  try FirmwareToolchain(root: root).checkTools(running: true)
}

/// Runs `executable` in `folder` with the environment less TINYCNN_ROOT (plus `extra`); returns
/// its exit status and standard output.
private func run(
  _ executable: String, _ arguments: [String], in folder: String, extra: [String: String] = [:]
) throws -> (status: Int32, stdout: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: folder)
  var environment = ProcessInfo.processInfo.environment
  environment["TINYCNN_ROOT"] = nil
  process.environment = environment.merging(extra) { $1 }
  let stdout = Pipe()
  process.standardOutput = stdout
  process.standardError = FileHandle.nullDevice
  try process.run()
  let data = stdout.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Test(.enabled(if: installToolsMissing == nil, Comment(rawValue: installToolsMissing ?? "")))
func anInstalledTinyCNNBuildsTheFirmwareFromOutsideTheCheckout() throws {
  let binary = try #require(tinycnnBinary(), "build tinycnn first (swift build -c release)")
  let scratch = try ScratchFolder()
  let prefix = scratch.file("prefix")
  let install = try run(
    root.appendingPathComponent("scripts/install.sh").path, [prefix], in: scratch.path,
    extra: ["TINYCNN_BINARY": binary.path])
  try #require(install.status == 0, "scripts/install.sh: \(install.stdout)")
  let installed = prefix + "/bin/tinycnn"
  let share = prefix + "/share/tinycnn"

  let work = scratch.file("work")
  try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
  let model = root.appendingPathComponent("models/lenet5-int8.tflite").path
  let firmware = try run(
    installed, ["firmware", "--model", model, "--run", "--json", "--out", "fw"], in: work)
  #expect(firmware.status == 0, "\(firmware.stdout)")
  let report = try #require(
    try JSONSerialization.jsonObject(with: Data(firmware.stdout.utf8)) as? [String: Any])
  #expect(report["identical"] as? Bool == true)
  // The default inputs are the installed sample images.
  let images = try #require(report["images"] as? [[String: Any]])
  #expect(!images.isEmpty)
  for image in images {
    let name = image["image"] as? String ?? ""
    #expect(name.hasPrefix(share + "/images/"), "\(name)")
  }

  // infer without --model runs the installed bundled model.
  let infer = try run(installed, ["infer", share + "/images/bag-0.png"], in: work)
  #expect(infer.status == 0 && infer.stdout.contains("Bag"), "\(infer.stdout)")
}
