import Quantization

@testable import Runtime

/// Bytes at a 16-byte aligned address (TFLM's requirement for model data), owned by the test.
final class AlignedBytes {
  let raw: UnsafeMutableRawBufferPointer

  init(_ bytes: [UInt8]) {
    raw = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
    raw.copyBytes(from: bytes)
    count = bytes.count
  }

  init(zeroed count: Int) {
    raw = .allocate(byteCount: max(count, 1), alignment: 16)
    raw.initializeMemory(as: UInt8.self, repeating: 0)
    self.count = count
  }

  let count: Int
  var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[0..<count]) }
  var mutableBuffer: UnsafeMutableRawBufferPointer {
    UnsafeMutableRawBufferPointer(rebasing: raw[0..<count])
  }

  deinit { raw.deallocate() }
}

/// Opens `bytes` as a model; the returned owner keeps the bytes alive.
func openModel(_ bytes: [UInt8]) throws(RuntimeError) -> (Model, AlignedBytes) {
  let owner = AlignedBytes(bytes)
  return (try Model(bytes: owner.buffer), owner)
}

/// The error `Model(bytes:)` throws for `bytes`, or nil when it opens.
func openError(_ bytes: [UInt8]) -> RuntimeError? {
  do {
    _ = try openModel(bytes)
    return nil
  } catch {
    return error
  }
}

func int8Bytes(_ values: [Int8]) -> [UInt8] { values.map { UInt8(bitPattern: $0) } }

func int32Bytes(_ values: [Int32]) -> [UInt8] {
  values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
}

/// A small int8 network with every structure the reader walks: per-channel conv weights, bias,
/// pooling, a reshape with a constant shape input, a per-tensor fully connected layer, metadata.
///
///     input [1,4,4,1] -> CONV_2D 2x3x3 SAME RELU -> MAX_POOL_2D 2x2 -> RESHAPE [1,8]
///       -> FULLY_CONNECTED 3 -> output [1,3]
func smallConvNet() -> TFLiteModel {
  var m = TFLiteModel(description: "runtime test net")
  let input = m.addTensor(
    "input", shape: [1, 4, 4, 1], type: .int8,
    quantization: .perTensor(scale: 1.0 / 255, zeroPoint: -128))
  let weights: [Int8] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9,  // channel 0
    -9, -8, -7, 6, 5, 4, -3, -2, 1,  // channel 1
  ]
  let filter = m.addTensor(
    "conv/filter", shape: [2, 3, 3, 1], type: .int8,
    quantization: TFLiteModel.Quantization(scales: [0.01, 0.02], zeroPoints: [0, 0]),
    data: int8Bytes(weights))
  let bias = m.addTensor(
    "conv/bias", shape: [2], type: .int32,
    quantization: TFLiteModel.Quantization(
      scales: [0.01 / 255, 0.02 / 255], zeroPoints: [0, 0]),
    data: int32Bytes([100, -200]))
  let conv = m.addTensor(
    "conv", shape: [1, 4, 4, 2], type: .int8,
    quantization: .perTensor(scale: 0.05, zeroPoint: -128))
  m.addOperator(
    .conv2D, version: 3, inputs: [input, filter, bias], outputs: [conv],
    options: .conv2D(
      padding: .same, strideW: 1, strideH: 1, activation: .relu, dilationW: 1, dilationH: 1))
  let pool = m.addTensor(
    "pool", shape: [1, 2, 2, 2], type: .int8,
    quantization: .perTensor(scale: 0.05, zeroPoint: -128))
  m.addOperator(
    .maxPool2D, version: 2, inputs: [conv], outputs: [pool],
    options: .pool2D(
      padding: .valid, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 2,
      activation: .none))
  let shape = m.addTensor("flat/shape", shape: [2], type: .int32, data: int32Bytes([1, 8]))
  let flat = m.addTensor(
    "flat", shape: [1, 8], type: .int8, quantization: .perTensor(scale: 0.05, zeroPoint: -128))
  m.addOperator(
    .reshape, inputs: [pool, shape], outputs: [flat], options: .reshape(newShape: [1, 8]))
  let fcWeights = m.addTensor(
    "fc/weights", shape: [3, 8], type: .int8,
    quantization: .perTensor(scale: 0.02, zeroPoint: 0),
    data: int8Bytes((0..<24).map { Int8($0 * 5 - 60) }))
  let fcBias = m.addTensor(
    "fc/bias", shape: [3], type: .int32,
    quantization: .perTensor(scale: 0.05 * 0.02, zeroPoint: 0), data: int32Bytes([5, -5, 50]))
  let output = m.addTensor(
    "logits", shape: [1, 3], type: .int8, quantization: .perTensor(scale: 0.1, zeroPoint: 3))
  m.addOperator(
    .fullyConnected, version: 4, inputs: [flat, fcWeights, fcBias], outputs: [output],
    options: .fullyConnected(activation: .none, keepNumDims: false))
  m.inputs = [input]
  m.outputs = [output]
  m.metadata = [
    ("class_names", Array("shirt\nshoe\nbag\n".utf8)), ("min_runtime_version", Array("1.5.0".utf8)),
  ]
  return m
}

extension Model {
  /// The root table, for tests that locate a field's bytes to corrupt them.
  var rootTableForTesting: FlatTable {
    get throws(RuntimeError) { try buffer.rootTable() }
  }
}
