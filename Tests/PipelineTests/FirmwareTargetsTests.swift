import Foundation
import Pipeline
import Testing

// firmware/targets.txt is the one table of CPUs and boards: the build scripts read it through
// firmware/targets.sh, `tinycnn firmware` through `FirmwareTargets`. These tests hold the two
// readers and the CLI's names to it.

// This file is Tests/PipelineTests/FirmwareTargetsTests.swift.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

@Test func everyBoardAndCPUTheCLINamesHasItsRow() throws {
  let targets = try FirmwareTargets(root: root)
  #expect(Set(targets.boards.map(\.name)) == Set(FirmwareBoard.allCases.map(\.rawValue)))
  for board in FirmwareBoard.allCases {
    let row = try targets.row(board)
    let script = root.appendingPathComponent("firmware/\(row.linkerScript)").path
    #expect(FileManager.default.fileExists(atPath: script), "\(board): \(row.linkerScript)")
    #expect(row.flashBytes > 0 && row.ramBytes > row.stackBytes, "\(board)")
  }
  for cpu in ExportCPU.allCases { #expect(throws: Never.self) { try targets.row(cpu) } }
  // The boards' instruction sets: the M4 and M7 have the DSP extension, the micro:bit's M0 not.
  #expect(try targets.row(.an386).cpu.hasDSP && targets.row(.an500).cpu.hasDSP)
  #expect(try !targets.row(.microbit).cpu.hasDSP)
  #expect(try targets.row(.microbit).machine == "microbit")
  #expect(try targets.row(.cortexM0plus).userFlags.contains("-mfloat-abi=soft"))
}

/// What firmware/targets.sh, the shell's reader, makes of a CPU's row.
private func shellArguments(_ cpu: String) throws -> [String] {
  let process = Process()
  process.executableURL = root.appendingPathComponent("firmware/targets.sh")
  process.arguments = ["swiftc-arguments", cpu]
  let stdout = Pipe()
  process.standardOutput = stdout
  process.standardError = FileHandle.nullDevice
  try process.run()
  let text = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  try #require(process.terminationStatus == 0, "targets.sh swiftc-arguments \(cpu)")
  return text.split(separator: "\n").map(String.init)
}

@Test func theShellAndSwiftReadersAgree() throws {
  let targets = try FirmwareTargets(root: root)
  for cpu in targets.cpus {
    let arguments = try shellArguments(cpu.name)
    let target = try #require(arguments.firstIndex(of: "-target"), "\(cpu.name)")
    #expect(arguments[target + 1] == cpu.swiftTriple, "\(cpu.name)")
    let xcc = arguments.indices.filter { arguments[$0] == "-Xcc" }.map { arguments[$0 + 1] }
    #expect(xcc == cpu.cFlags, "\(cpu.name)")
    let defines = arguments.indices.filter { arguments[$0] == "-D" }.map { arguments[$0 + 1] }
    #expect(defines == cpu.defines, "\(cpu.name)")
    #expect(arguments.contains("-no-allocations") && arguments.contains("Embedded"))
  }
}

@Test func aMalformedTableIsAnErrorNamingTheLine() {
  let unknownCPU = #expect(throws: InputError.self) {
    try FirmwareTargets(
      parsing: "cpu m4 armv7em-none-none-eabi - -mcpu=cortex-m4\n"
        + "board b m9 mps2-an386 mps2.ld 8192 1 2 M9\n", file: "t.txt")
  }
  #expect(unknownCPU?.cause.contains("line 2") == true, "\(String(describing: unknownCPU))")
  let short = #expect(throws: InputError.self) {
    try FirmwareTargets(parsing: "# comment\n\ncpu m4 armv7em\n", file: "t.txt")
  }
  #expect(short?.cause.contains("line 3") == true, "\(String(describing: short))")
  #expect(throws: InputError.self) {
    try FirmwareTargets(
      parsing: "cpu m4 t - -m\nboard b m4 q s.ld many 1 2 M4\n", file: "t.txt")
  }
}

@Test func dspKernelsOnACoreWithoutTheDSPExtensionAreRefusedBeforeAnyBuild() throws {
  // The micro:bit's M0 has no DSP extension: the job stops before the host prepares anything.
  let toolchain = try FirmwareToolchain(root: root, path: "/nonexistent")
  let job = FirmwareJob(
    model: root.appendingPathComponent("models/lenet5-int8.tflite").path,
    inputs: .images([]), board: .microbit, directory: URL(fileURLWithPath: "/nonexistent"),
    kernels: .dsp, run: false, toolchain: toolchain)
  let error = #expect(throws: InputError.self) { try job.perform() }
  #expect(error?.file == "cortex-m0", "\(String(describing: error))")
  #expect(error?.cause.contains("DSP extension") == true)
  let export = FirmwareExport(
    model: "m.tflite", cpu: .cortexM0plus, directory: URL(fileURLWithPath: "/nonexistent"),
    kernels: .dsp, toolchain: toolchain)
  #expect(throws: InputError.self) { try export.perform() }
}

@Test func anInstalledBinaryFindsTheFirmwareSourcesInItsShareFolder() throws {
  // scripts/install.sh's layout: PREFIX/bin/tinycnn, PREFIX/share/tinycnn/{firmware, Sources}.
  let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("prefix-\(UUID())")
  defer { try? FileManager.default.removeItem(at: prefix) }
  let share = prefix.appendingPathComponent("share/tinycnn")
  let fm = FileManager.default
  try fm.createDirectory(
    at: share.appendingPathComponent("Sources/Runtime"), withIntermediateDirectories: true)
  try fm.createDirectory(
    at: share.appendingPathComponent("firmware"), withIntermediateDirectories: true)
  try fm.createDirectory(
    at: prefix.appendingPathComponent("bin"), withIntermediateDirectories: true)
  let script = share.appendingPathComponent("firmware/build.sh").path
  #expect(fm.createFile(atPath: script, contents: Data("#!/bin/sh\n".utf8)))
  try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
  let binary = prefix.appendingPathComponent("bin/tinycnn").path
  let elsewhere = fm.temporaryDirectory.path

  let found = FirmwareToolchain.findRoot(
    environment: [:], currentDirectory: elsewhere, executable: binary)
  #expect(found?.standardizedFileURL.path == share.standardizedFileURL.path)
  // A checkout under the working directory comes first, and TINYCNN_ROOT before both.
  #expect(
    FirmwareToolchain.findRoot(
      environment: [:], currentDirectory: root.appendingPathComponent("firmware").path,
      executable: binary)?.standardizedFileURL.path == root.standardizedFileURL.path)
  #expect(
    FirmwareToolchain.findRoot(
      environment: ["TINYCNN_ROOT": share.path], currentDirectory: root.path, executable: nil)?
      .standardizedFileURL.path == share.standardizedFileURL.path)
  // Without any of them there is nothing to build from.
  #expect(
    FirmwareToolchain.findRoot(environment: [:], currentDirectory: elsewhere, executable: nil)
      == nil)
}
