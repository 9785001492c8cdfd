import Foundation
import Graph
import Quantization
import Testing

@testable import Estimator

/// A float model with small deterministic weights and a calibrated range for every node, made
/// into a .tflite by TinyCNN's own quantizer: the same file `tinycnn quantize` writes.
func quantizedFile(_ graph: ModelGraph, name: String) throws -> String {
  var parameters: [String: FloatTensor] = [:]
  var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
  for p in try graph.parameterShapes() {
    let values = (0..<p.count).map { _ -> Float in
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(Int(seed >> 40) % 2001 - 1000) / 4000
    }
    // Batch norm variances must be positive to fold.
    let positive = p.name.hasSuffix(".running_var") ? values.map { abs($0) + 0.5 } : values
    parameters[p.name] = FloatTensor(shape: p.shape, values: positive)
  }
  let model = try foldBatchNorms(FloatModel(graph: graph, parameters: parameters))
  var ranges: [String: ActivationRange] = [:]
  for node in graph.nodes {
    let nonNegative = node.layer == .relu || node.layer == .relu6
    ranges[node.name] = ActivationRange(min: nonNegative ? 0 : -4, max: 4)
  }
  let bytes = try convertToInt8(model, ranges: ranges).model.serialized()
  let path = NSTemporaryDirectory() + "estimator-\(name)-\(getpid()).tflite"
  try Data(bytes).write(to: URL(fileURLWithPath: path))
  return path
}

/// The .tflite path and the graph path describe the same int8 model: same operators, MACs,
/// parameters, shapes and arena.
@Test(arguments: ["lenet5", "cnn-small"])
func tfliteAndGraphLoweringAgree(zoo: String) throws {
  let graph = try #require(try ModelZoo.named(zoo))
  let path = try quantizedFile(graph, name: zoo)
  defer { try? FileManager.default.removeItem(atPath: path) }
  let fromFile = try ModelWork(tfliteAt: path)
  let fromGraph = try ModelWork(graph: graph, name: zoo)
  #expect(fromFile.layers.map(\.op) == fromGraph.layers.map(\.op))
  for (a, b) in zip(fromFile.layers, fromGraph.layers) {
    #expect(a.outputShape == b.outputShape, "\(b.name)")
    #expect(a.macs == b.macs, "\(b.name)")
    #expect(a.weightCount == b.weightCount && a.biasCount == b.biasCount, "\(b.name)")
    #expect(a.fusedActivation == b.fusedActivation, "\(b.name)")
    #expect(a.kernel == b.kernel && a.stride == b.stride, "\(b.name)")
  }
  #expect(fromFile.totalMACs == fromGraph.totalMACs)
  #expect(ArenaPlanner.plan(fromFile.tensors).size == ArenaPlanner.plan(fromGraph.tensors).size)
  // A shape-only model's arena is what the Runtime's planner gives the real file.
  #expect(fromFile.runtimeArena?.tensorBytes == ArenaPlanner.plan(fromGraph.tensors).size)

  // Flash: the model part is exactly the file; the structure is what is not weights or scales.
  let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
  let e = try estimate(fromFile, on: #require(Target.named("stm32f746")), kernels: .cmsisNN)
  #expect(e.memory.modelBytes == size)
  #expect(e.memory.weightBytes == fromGraph.layers.reduce(0) { $0 + $1.weightCount })
  // The shape-only estimate of the flatbuffer overhead is within 2 KB of the real file.
  let estimated = try estimate(
    fromGraph, on: #require(Target.named("stm32f746")), kernels: .cmsisNN)
  #expect(
    abs(estimated.memory.modelBytes - size) < 2048,
    "\(estimated.memory.modelBytes) vs \(size): structure \(estimated.memory.structureBytes) vs \(e.memory.structureBytes), q \(estimated.memory.quantizationBytes), tensors \(fromFile.tensors.count), ops \(fromFile.layers.count)"
  )
}

@Test func aFileThatIsNotATFLiteModelIsAClearError() throws {
  let path = NSTemporaryDirectory() + "estimator-bad-\(getpid()).tflite"
  try Data("not a flatbuffer at all".utf8).write(to: URL(fileURLWithPath: path))
  defer { try? FileManager.default.removeItem(atPath: path) }
  #expect {
    _ = try ModelWork.load(path)
  } throws: { error in
    guard let e = error as? EstimatorError else { return false }
    return e.file == path && e.cause.contains("not a readable .tflite file")
  }
}
