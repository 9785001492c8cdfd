import Foundation
import Graph
import Runtime
import Testing

@testable import Estimator

// `--kernels tinycnn-optimized`: TinyCNN's Runtime with KernelSet.portable. Its memory is the
// Runtime's own figure for a .tflite and the same packing sizes for a shape-only model; its
// cycles are fitted on the harness's run of the same kernels and checked against the firmware.

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("../..").standardized

let bundledLenet5 = repositoryRoot.appendingPathComponent("models/lenet5-int8.tflite").path

/// `Interpreter.requirements` for the file at `path`, as the firmware sizes its arena.
func runtimeRequirements(_ path: String, kernels: KernelSet) throws -> ArenaRequirements {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  return try data.withUnsafeBytes { raw in
    let model = try Runtime.Model(bytes: raw)
    let scratch = UnsafeMutableRawBufferPointer.allocate(
      byteCount: try Interpreter.planningBytes(for: model, kernels: kernels),
      alignment: 16)
    defer { scratch.deallocate() }
    return try Interpreter.requirements(
      for: model, scratch: scratch, kernels: kernels)
  }
}

/// The arena the firmware allocates with the optimized kernels is what the estimate counts in
/// SRAM (besides the stack), and the reference kernels' arena for `--kernels tinycnn`; the
/// constants prepared on the host (packed filters, multipliers) are flash.
@Test func optimizedMemoryOfLenet5IsTheRuntimesArena() throws {
  let work = try ModelWork(tfliteAt: bundledLenet5)
  let target = try #require(Target.named("cortex-m4"))
  let optimized = try estimate(work, on: target, kernels: .tinycnnOptimized).memory
  let reference = try estimate(work, on: target, kernels: .tinycnn).memory
  let runtimeOptimized = try runtimeRequirements(bundledLenet5, kernels: .portable)
  let runtimeReference = try runtimeRequirements(bundledLenet5, kernels: .reference)
  for (estimate, runtime) in [(optimized, runtimeOptimized), (reference, runtimeReference)] {
    #expect(
      estimate.arenaBytes + estimate.persistentBytes == runtime.totalBytes - runtime.constantBytes)
    #expect(estimate.preparedConstantBytes == runtime.constantBytes)
  }
  #expect(optimized.arenaFromRuntime)
  // The packed filters (48 KB of them in fc1 alone) are most of the difference, in flash.
  #expect(optimized.flashBytes - reference.flashBytes > work.totalParameters)
  #expect(optimized.sramBytes - reference.sramBytes < work.totalParameters / 4)
}

/// The packed sizes the estimator adds for a shape-only model are exactly what the optimized
/// prepare adds to the plan region of the real file.
@Test func packedFilterBytesAreWhatThePrepareReserves() throws {
  let work = try ModelWork(tfliteAt: bundledLenet5)
  let packed = work.layers.reduce(0) { $0 + (OptimizedKernels.packing(for: $1)?.packedBytes ?? 0) }
  let optimized = try runtimeRequirements(bundledLenet5, kernels: .portable)
  let reference = try runtimeRequirements(bundledLenet5, kernels: .reference)
  #expect(packed > 0)
  // Each packed block starts on a cache line (`packedWeightAlignment`) of the constants after
  // whatever the operator allocated before it, and the constants themselves on one after the
  // records: less than one line of padding per packed operator, and one more.
  let packedOperators = work.layers.filter { OptimizedKernels.packing(for: $0) != nil }.count
  let padding = optimized.planBytes - reference.planBytes - packed
  #expect(
    padding >= 0 && padding < packedWeightAlignment * (packedOperators + 1), "\(padding)")

  // The zoo's LeNet-5 (no file): its kernel state grows by the same bytes.
  let shapes = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  let target = try #require(Target.named("cortex-m4"))
  let withPacking = try estimate(shapes, on: target, kernels: .tinycnnOptimized).memory
  let without = try estimate(shapes, on: target, kernels: .tinycnn).memory
  #expect(withPacking.persistentBytes == without.persistentBytes)
  #expect(withPacking.preparedConstantBytes - without.preparedConstantBytes == packed)
  #expect(withPacking.scratchBytes > 0 && without.scratchBytes == 0)
}

/// One operator row of `tinycnn firmware --count`'s table: index, operator, instructions.
func firmwareCounts(_ file: String) throws -> (ops: [(String, Int)], invoke: Int) {
  let text = try String(
    contentsOf: repositoryRoot.appendingPathComponent("bench/estimator/firmware/\(file)"),
    encoding: .utf8)
  var ops: [(String, Int)] = []
  var invoke: Int?
  for line in text.split(separator: "\n") {
    let fields = line.split(separator: " ")
    let number = { (s: Substring) in Int(s.replacingOccurrences(of: ",", with: "")) }
    if fields.count == 5, Int(fields[0]) != nil, let insns = number(fields[3]) {
      ops.append((String(fields[1]), insns))
    } else if fields.first == "invoke", fields.count >= 3 {
      invoke = number(fields[2])
    }
  }
  return (ops, try #require(invoke, "\(file): no invoke row"))
}

/// The estimate for LeNet-5 with the optimized kernels on a Cortex-M4 is the firmware's measured
/// instruction count at the timing rules' cycles per instruction for these kernels (the
/// harness's ratio on the same model): within 10% for the whole inference and 15% per operator.
/// QEMU counts instructions; the cycles are the timing rules' verdict on them (cycles.py).
@Test func theOptimizedEstimateOfLenet5MatchesTheFirmware() throws {
  let firmware = try firmwareCounts("lenet5-int8-an386-optimized.txt")
  let harness = try MeasuredLayer.load("tinycnn-optimized-armv7em-m4-lenet5.json")
  let harnessInsns =
    try JSONSerialization.jsonObject(
      with: Data(
        contentsOf: repositoryRoot.appendingPathComponent(
          "bench/estimator/kernels/measurements/tinycnn-optimized-armv7em-m4-lenet5.json"))
    ) as? [String: Any]
  let rows = try #require(harnessInsns?["layers"] as? [[String: Any]])
  let layerInsns = try rows.map { try #require($0["insns"] as? Int) }
  let layerCycles = try harness.map { try #require($0.cycles["cortex-m4"]) }
  let cyclesPerInstruction = layerCycles.reduce(0, +) / Double(layerInsns.reduce(0, +))
  #expect(cyclesPerInstruction > 1 && cyclesPerInstruction < 2)

  let work = try ModelWork(tfliteAt: bundledLenet5)
  let e = try estimate(work, on: #require(Target.named("cortex-m4")), kernels: .tinycnnOptimized)
  // Compute cycles only: QEMU has no flash wait states (and these kernels read their packed
  // weights from SRAM anyway).
  let estimated = e.layers.reduce(0.0) { $0 + $1.computeCycles }
  let expected = Double(firmware.invoke) * cyclesPerInstruction
  #expect(abs(estimated / expected - 1) < 0.10, "\(estimated) vs \(expected)")
  // The reference kernels' estimate is 7-8x more: the two libraries are not the same costs.
  let reference = try estimate(work, on: #require(Target.named("cortex-m4")), kernels: .tinycnn)
  #expect(reference.totalCycles > 5 * e.totalCycles)

  // Per operator, at that operator's own cycles per instruction (a pool's loads and compares
  // run ~1.0 per instruction, the GEMM's multiplies ~1.3).
  let kernels = e.layers.filter { $0.layer.op != .reshape }
  let counted = firmware.ops.filter { $0.0 != "RESHAPE" }
  #expect(kernels.map(\.layer.opName) == counted.map(\.0))
  #expect(kernels.count == layerInsns.count)
  for (i, (layer, (op, count))) in zip(kernels, counted).enumerated() {
    let perOp = Double(count) * layerCycles[i] / Double(layerInsns[i])
    #expect(abs(layer.computeCycles / perOp - 1) < 0.15, "\(layer.layer.name) \(op)")
  }
}
