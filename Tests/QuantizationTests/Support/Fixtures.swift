import Datasets
import Graph
import Runtime
import Training

/// Bytes at a 16-byte aligned address (TFLM's requirement for model data), owned by the test.
final class AlignedModelBytes {
  let raw: UnsafeMutableRawBufferPointer
  let count: Int

  init(_ bytes: [UInt8]) {
    raw = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
    raw.copyBytes(from: bytes)
    count = bytes.count
  }

  var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[0..<count]) }

  deinit { raw.deallocate() }
}

/// Opens `bytes` with the runtime's reader; the returned owner keeps the bytes alive.
func openModel(_ bytes: [UInt8]) throws(RuntimeError) -> (Model, AlignedModelBytes) {
  let owner = AlignedModelBytes(bytes)
  return (try Model(bytes: owner.buffer), owner)
}

/// Uniform floats in [low, high) from `rng`.
func uniform(_ count: Int, _ low: Float, _ high: Float, _ rng: inout SplitMix64) -> [Float] {
  (0..<count).map { _ in low + (high - low) * Float(rng.next() >> 40) / Float(1 << 24) }
}

/// A float model over `graph` with He-initialised weights, and random biases and batch-norm
/// statistics (a fresh network has zero biases and identity batch norms, which would hide bugs).
func randomModel(_ graph: ModelGraph, seed: UInt64 = 1) throws -> FloatModel {
  let network = try Network(graph: graph, seed: seed)
  var model = try network.floatModel(classNames: [])
  var rng = SplitMix64(seed: seed &+ 100)
  for name in model.parameters.keys.sorted() {
    var p = model.parameters[name]!
    let n = p.values.count
    if name.hasSuffix(".running_var") {
      p.values = uniform(n, 0.5, 2, &rng)
    } else if name.hasSuffix(".running_mean") || name.hasSuffix(".bias") {
      p.values = uniform(n, -0.5, 0.5, &rng)
    } else if let node = graph.nodes.first(where: { name == "\($0.name).weight" }),
      case .batchNorm2d = node.layer
    {
      p.values = uniform(n, 0.5, 1.5, &rng)  // gamma
    }
    model.parameters[name] = p
  }
  return model
}

/// A batch of random NCHW inputs in [0, 1) for `graph`.
func randomInput(_ graph: ModelGraph, batch: Int, seed: UInt64) -> Training.Tensor {
  var rng = SplitMix64(seed: seed)
  let shape = graph.inputShape
  return Training.Tensor(
    batch: batch, shape: shape, values: uniform(batch * shape.count, 0, 1, &rng))
}
