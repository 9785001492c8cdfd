import Datasets
import Foundation
import Testing

@testable import Runtime

// TFLite Micro is the judge: every committed golden case (bench/refs/make_golden.py ran TFLM on
// each model, converter-made or single-operator) must come out byte for byte equal, row by row,
// and in an arena no larger than the smallest one TFLM runs the model in.

private let goldenRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("Golden")

struct GoldenManifest: Decodable {
  struct IO: Decodable {
    var file: String
    var dtype: String
  }
  struct Arena: Decodable {
    var arenaSize: Int
    var arenaHead: Int
    enum CodingKeys: String, CodingKey {
      case arenaSize = "arena_size"
      case arenaHead = "arena_head"
    }
  }
  struct Case: Decodable {
    var name: String
    var kind: String
    var ops: [String]
    var rows: Int
    var inputs: [IO]
    var outputs: [IO]
    var tflm: Arena
  }
  var cases: [Case]

  static let shared: GoldenManifest? = {
    guard let data = try? Data(contentsOf: goldenRoot.appendingPathComponent("MANIFEST.json"))
    else { return nil }
    return try? JSONDecoder().decode(GoldenManifest.self, from: data)
  }()
}

/// Operators whose kernels have not landed yet (Sources/Runtime/Kernels/, the "kernels" helper):
/// their cases must fail to open with exactly `.unsupportedOperator` naming one of these.
let pendingOperators: Set<String> = []

private let caseNames = GoldenManifest.shared?.cases.map(\.name) ?? []

/// The reference kernels' arena is at most TFLM's on every case but these real architectures,
/// where the operators' records and the tensor table (the plan region) outgrow TFLM's persistent
/// allocations by a few hundred bytes (numbers of 2026-12-04). Closing the gap is issue 13's
/// (constants and records out of RAM); until then the test holds each case to today's figure,
/// so a regression still fails, and to TFLM's as soon as we reach it.
let knownArenaOverTFLM: [String: Int] = [
  "suite_ds_cnn": 24_208, "suite_wakeword_1d": 16_480, "suite_mobilenet_v1_025": 104_960,
  "suite_resnet8": 56_272,
]

@Test func goldenManifestIsThere() throws {
  let manifest = try #require(GoldenManifest.shared, "Tests/RuntimeTests/Golden/MANIFEST.json")
  #expect(manifest.cases.count >= 60)
  #expect(manifest.cases.contains { $0.kind == "model" })
}

// Both kernel sets: the optimized kernels must give TFLM's bytes too (their arena is larger).
@Test(arguments: caseNames, [KernelSet.reference, .optimized])
func goldenCaseEqualsTFLM(name: String, kernels: KernelSet) throws {
  let golden = try #require(GoldenManifest.shared?.cases.first { $0.name == name })
  let folder = goldenRoot.appendingPathComponent(name)
  let modelBytes = AlignedBytes(
    [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.tflite"))))
  let model = try Model(bytes: modelBytes.buffer)

  let pending = golden.ops.filter { pendingOperators.contains($0) }
  if !pending.isEmpty {
    do {
      _ = try Interpreter.planningBytes(for: model)
      Issue.record("\(name) opened although \(pending) are listed as pending")
    } catch {
      guard case .unsupportedOperator(let code, _) = error else {
        Issue.record("\(name): \(error), expected an unsupported pending operator")
        return
      }
      #expect(pending.contains(builtinOperatorName(code).description), "\(name)")
    }
    return
  }

  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model, kernels: kernels))
  let needed = try Interpreter.requirements(
    for: model, scratch: scratch.mutableBuffer, kernels: kernels)
  #expect(
    kernels == .optimized || needed.totalBytes <= golden.tflm.arenaSize
      || needed.totalBytes <= knownArenaOverTFLM[name] ?? 0,
    "\(name): arena \(needed.totalBytes) B (plan \(needed.planBytes), tensors \(needed.tensorBytes)) > TFLM's \(golden.tflm.arenaSize) B"
  )
  let buffers = try plannedBuffers(
    [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.tflite"))))
  #expect(!buffers.withUnsafeBufferPointer { anyPlannedBuffersOverlap($0) }, "\(name)")
  let arena = AlignedBytes(zeroed: needed.totalBytes)
  let interpreter = try Interpreter(model: model, arena: arena.mutableBuffer, kernels: kernels)

  let inputs = try golden.inputs.map {
    try NPYArray.read(folder.appendingPathComponent($0.file).path)
  }
  let outputs = try golden.outputs.map {
    try NPYArray.read(folder.appendingPathComponent($0.file).path)
  }
  var mismatches: [String] = []
  var mismatchedRows = 0
  for row in 0..<golden.rows {
    for (i, npy) in inputs.enumerated() {
      let slot = try interpreter.input(i)
      let rowBytes = npy.data.count / npy.shape[0]
      try #require(rowBytes == slot.bytes.count, "\(name): input \(i) row size")
      slot.bytes.copyBytes(from: npy.data[row * rowBytes..<(row + 1) * rowBytes])
    }
    try interpreter.invoke()
    var rowDiffers = false
    for (j, npy) in outputs.enumerated() {
      let got = try interpreter.output(j).bytes
      let rowBytes = npy.data.count / npy.shape[0]
      try #require(rowBytes == got.count, "\(name): output \(j) row size")
      for k in 0..<rowBytes where got[k] != npy.data[row * rowBytes + k] {
        rowDiffers = true
        if mismatches.count < 5 {
          mismatches.append(
            "row \(row) output \(j) byte \(k): got \(Int8(bitPattern: got[k])), TFLM \(Int8(bitPattern: npy.data[row * rowBytes + k]))"
          )
        }
      }
    }
    if rowDiffers { mismatchedRows += 1 }
  }
  #expect(
    mismatchedRows == 0, "\(name): \(mismatchedRows) of \(golden.rows) rows differ: \(mismatches)")
}
