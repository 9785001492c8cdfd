import Foundation
import Graph
import Testing
import Training

// Issue 16: a `quantize` or `train` killed while it writes its output leaves the previous file
// as it was. Each test runs the tinycnn binary with TINYCNN_PAUSE_BEFORE_RENAME=1, so it stops
// itself (SIGSTOP) when its temporary file `<out>.tmp-<pid>` is complete and not yet renamed,
// then sends the signal: the process is caught at the last moment of the write every time,
// without racing it (polling for the temporary file and stopping the process from outside
// missed the moment under load, and then the test measured the race, not the writer).

/// A command that writes `output` (relative to an empty folder `$OUT`), and what that file held
/// before the run.
struct WritingCommand: CustomTestStringConvertible, Sendable {
  var name: String
  var arguments: [String]
  var output: String
  var previous: String  // a file of the bad-input corpus

  var testDescription: String { name }

  static let all = [
    WritingCommand(
      name: "quantize",
      arguments: [
        "quantize", "good/model.safetensors", "-o", "$OUT/m.tflite", "--dataset", "good/idx",
        "--samples", "5",
      ],
      output: "m.tflite", previous: "good/model.tflite"),
    WritingCommand(
      name: "train",
      arguments: [
        "train", "--model", "lenet5", "--dataset", "good/idx", "--epochs", "1", "-o",
        "$OUT/m.safetensors",
      ],
      output: "m.safetensors", previous: "good/model.safetensors"),
    WritingCommand(
      name: "train's checkpoint",
      arguments: [
        "train", "--model", "lenet5", "--dataset", "good/idx", "--epochs", "3",
        "--checkpoint-every", "1", "-o", "$OUT/m.safetensors",
      ],
      output: "m.safetensors.checkpoint", previous: "good/model.safetensors"),
  ]
}

/// tinycnn started in the corpus folder with `arguments` ($OUT replaced by `folder`), through
/// env(1) --default-signal: the test runner ignores SIGINT and SIGTERM, and a child inherits
/// ignored signals, so without it they would never arrive. env execs tinycnn in place, so the
/// process identifier is tinycnn's.
func startTinycnn(
  _ arguments: [String], in folder: URL, environment: [String: String] = [:]
) throws -> Process {
  let binary = try #require(tinycnnBinary(), "build tinycnn first (swift build -c release)")
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.currentDirectoryURL = corpus
  process.arguments =
    ["--default-signal=INT,TERM", binary.path]
    + arguments.map { $0.replacingOccurrences(of: "$OUT", with: folder.path) } + ["--quiet"]
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  return process
}

private func temporaryFiles(in folder: URL, of output: String) -> [String] {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
  return names.filter { $0.hasPrefix(output + ".tmp-") }
}

/// Waits (up to 2 minutes: a loaded machine may be slow to reach the write) until `process`
/// has stopped itself; false when it exited or never stopped.
private func waitUntilStopped(_ process: Process) -> Bool {
  let pid = process.processIdentifier
  for _ in 0..<1_200_000 where process.isRunning {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    if state == "T" || state == "t" { return true }
    usleep(100)
  }
  return false
}

@Test(arguments: WritingCommand.all, [SIGINT, SIGTERM, SIGKILL])
func aCommandKilledInsideItsWriteLeavesThePreviousFile(
  _ command: WritingCommand, signal: Int32
) throws {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent(
      "tinycnn-killed-\(signal)-\(getpid())-\(UInt32.random(in: 0...999_999))")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let output = folder.appendingPathComponent(command.output)
  let previous = try Data(contentsOf: corpus.appendingPathComponent(command.previous))
  try previous.write(to: output)

  let process = try startTinycnn(
    command.arguments, in: folder, environment: ["TINYCNN_PAUSE_BEFORE_RENAME": "1"])
  defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
  try #require(waitUntilStopped(process), "tinycnn never reached the write of \(command.output)")
  #expect(temporaryFiles(in: folder, of: command.output).count == 1)
  kill(process.processIdentifier, signal)
  kill(process.processIdentifier, SIGCONT)
  process.waitUntilExit()

  #expect(process.terminationReason == .uncaughtSignal)
  #expect(process.terminationStatus == signal)
  #expect(try Data(contentsOf: output) == previous, "the previous \(command.output) changed")
  let left = temporaryFiles(in: folder, of: command.output)
  if signal == SIGKILL {
    // Nothing runs after SIGKILL: the temporary file stays, the output is still intact.
    #expect(left.count == 1, "\(left)")
  } else {
    #expect(left.isEmpty, "left behind: \(left)")
  }
}

/// A `train` killed by SIGINT or SIGTERM in the middle of training leaves the previous output as
/// it was and no temporary file: the model is written once, through `AtomicWrite`, after the
/// last epoch.
@Test(arguments: [SIGINT, SIGTERM])
func interruptedTrainLeavesThePreviousOutput(signal: Int32) throws {
  let out = FileManager.default.temporaryDirectory
    .appendingPathComponent("tinycnn-interrupt-\(signal)-\(getpid())")
  try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: out) }
  let model = out.appendingPathComponent("m.safetensors")
  let previous = try Data(contentsOf: corpus.appendingPathComponent("good/model.safetensors"))
  try previous.write(to: model)

  let process = try startTinycnn(
    [
      "train", "--model", "lenet5", "--dataset", "good/idx", "--epochs", "100000", "-o",
      "$OUT/m.safetensors",
    ], in: out)
  Thread.sleep(forTimeInterval: 1)
  kill(process.processIdentifier, signal)
  process.waitUntilExit()

  #expect(process.terminationReason == .uncaughtSignal)
  #expect(try Data(contentsOf: model) == previous)
  let left = try FileManager.default.contentsOfDirectory(atPath: out.path)
  #expect(left == ["m.safetensors"], "left behind: \(left)")
}

/// `train --checkpoint-every 1` interrupted after its first checkpoint, then `--resume`: the
/// model has the weights of the same run never interrupted, bit for bit (the record's times
/// aside), and the finished run removes its checkpoint.
@Test func anInterruptedTrainResumesToTheSameWeights() throws {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("tinycnn-resume-\(getpid())-\(UInt32.random(in: 0...999_999))")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let run = [
    "train", "--model", "lenet5", "--dataset", "good/idx", "--epochs", "4",
    "--checkpoint-every", "1", "--seed", "3", "--threads", "1", "--augment", "flip,shift:1",
  ]
  let straight = try startTinycnn(run + ["-o", "$OUT/straight.safetensors"], in: folder)
  straight.waitUntilExit()
  #expect(straight.terminationStatus == 0)

  let out = folder.appendingPathComponent("m.safetensors")
  let checkpoint = folder.appendingPathComponent("m.safetensors.checkpoint")
  var interrupted = false
  for _ in 0..<10 where !interrupted {
    try? FileManager.default.removeItem(at: out)
    let process = try startTinycnn(run + ["-o", "$OUT/m.safetensors"], in: folder)
    while process.isRunning && !FileManager.default.fileExists(atPath: checkpoint.path) {}
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    interrupted = process.terminationReason == .uncaughtSignal
  }
  try #require(interrupted, "train always finished before the signal")
  #expect(!FileManager.default.fileExists(atPath: out.path))
  #expect(FileManager.default.fileExists(atPath: checkpoint.path))

  let resumed = try startTinycnn(run + ["-o", "$OUT/m.safetensors", "--resume"], in: folder)
  resumed.waitUntilExit()
  #expect(resumed.terminationStatus == 0)
  #expect(!FileManager.default.fileExists(atPath: checkpoint.path))

  let a = try SafetensorsFile.read(folder.appendingPathComponent("straight.safetensors").path)
  let b = try SafetensorsFile.read(out.path)
  #expect(a.tensors.map(\.name) == b.tensors.map(\.name))
  for ((name, x), (_, y)) in zip(a.tensors, b.tensors) {
    #expect(x.values.map(\.bitPattern) == y.values.map(\.bitPattern), "\(name) differs")
  }
  let record = try TrainingRecord(json: #require(a.metadata["training"]))
  let resumedRecord = try TrainingRecord(json: #require(b.metadata["training"]))
  #expect(record.history.map(\.testLoss) == resumedRecord.history.map(\.testLoss))
  #expect(resumedRecord.history.map(\.epoch) == [1, 2, 3, 4])
}
