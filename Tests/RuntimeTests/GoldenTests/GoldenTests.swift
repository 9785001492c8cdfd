import Datasets
import Foundation
import KernelDispatch
import Testing

@testable import Runtime

// TFLite Micro is the judge: every committed golden case (bench/refs/make_golden.py ran TFLM on
// each model, converter-made or single-operator) must come out byte for byte equal, row by row,
// and (the plan kept apart, as a firmware keeps it in flash) in an arena no larger than the
// smallest one TFLM runs the model in.

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

@Test func goldenManifestIsThere() throws {
  let manifest = try #require(GoldenManifest.shared, "Tests/RuntimeTests/Golden/MANIFEST.json")
  #expect(manifest.cases.count >= 60)
  #expect(manifest.cases.contains { $0.kind == "model" })
}

// Every kernel set this CPU runs: each vector set, and the DSP set's Swift twins of the Cortex-M
// assembly, must give TFLM's bytes too (their arenas are larger).
@Test(arguments: caseNames, KernelSet.available)
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
  // The plan (records and constants) in a buffer of its own, as a firmware keeps it out of RAM:
  // the arena is the tensors alone, which TFLM's planner would also place, and no larger than
  // TFLM's whole arena (its persistent data included) with the reference kernels.
  #expect(
    kernels != .reference || needed.tensorRegionBytes <= golden.tflm.arenaSize,
    "\(name): arena \(needed.tensorRegionBytes) B (tensors \(needed.tensorBytes), planner \(needed.planningBytes)) > TFLM's \(golden.tflm.arenaSize) B"
  )
  let buffers = try plannedBuffers(
    [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.tflite"))))
  #expect(!buffers.withUnsafeBufferPointer { anyPlannedBuffersOverlap($0) }, "\(name)")
  let plan = AlignedBytes(zeroed: needed.planBytes)
  let arena = AlignedBytes(zeroed: needed.tensorRegionBytes)
  let interpreter = try Interpreter(
    model: model, plan: plan.mutableBuffer, arena: arena.mutableBuffer, kernels: kernels)

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
