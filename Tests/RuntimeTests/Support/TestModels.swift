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

/// A random network over the other kernel paths: depthwise (depth multiplier 2, stride 2, SAME
/// or VALID, dilation 1 or 2), a grouped-free conv with odd channel counts and no bias, average
/// pooling with SAME padding (partial windows), and a per-channel fully connected layer. The
/// depthwise output has RELU6 fused.
func randomNet(_ rng: inout SplitMix64) -> TFLiteModel {
  func scale(_ rng: inout SplitMix64) -> Float { Float.random(in: 0.002...0.08, using: &rng) }
  func zp(_ rng: inout SplitMix64) -> Int64 { Int64.random(in: -40...40, using: &rng) }
  // An output scale that keeps the accumulators' spread (uniform int8 operands: std about
  // 74 * 74 * sqrt(taps)) near +-40 steps, so few outputs clamp and the comparison sees values.
  func outScale(_ inScale: Float, _ weightScales: [Float], taps: Int, _ rng: inout SplitMix64)
    -> Float
  {
    let w = weightScales.reduce(0, +) / Float(weightScales.count)
    return inScale * w * 137 * Float(taps).squareRoot() * Float.random(in: 0.7...1.4, using: &rng)
  }
  func size(_ p: Padding, _ n: Int, _ k: Int, _ s: Int, _ d: Int) -> Int {
    let eff = (k - 1) * d + 1
    return p == .same ? (n + s - 1) / s : (n - eff + s) / s
  }
  var m = TFLiteModel(description: "random net")
  let h = Int.random(in: 9...13, using: &rng)
  let w = Int.random(in: 9...13, using: &rng)
  let c = Int.random(in: 1...3, using: &rng)
  let input = m.addTensor(
    "input", shape: [1, h, w, c], type: .int8,
    quantization: .perTensor(scale: scale(&rng), zeroPoint: zp(&rng)))
  let inScale = m.tensors[Int(input)].quantization!.scales[0]

  // DEPTHWISE_CONV_2D, multiplier 2.
  let dwPadding: Padding = Bool.random(using: &rng) ? .same : .valid
  let dilation = Int.random(in: 1...2, using: &rng)
  let dwC = 2 * c
  let dwScales = (0..<dwC).map { _ in scale(&rng) }
  let dwFilter = m.addTensor(
    "dw/filter", shape: [1, 3, 3, dwC], type: .int8,
    quantization: .init(
      scales: dwScales, zeroPoints: [Int64](repeating: 0, count: dwC), quantizedDimension: 3),
    data: int8Bytes(randomInt8s(9 * dwC, &rng)))
  let dwBias = m.addTensor(
    "dw/bias", shape: [dwC], type: .int32,
    quantization: .init(
      scales: dwScales.map { $0 * inScale }, zeroPoints: [Int64](repeating: 0, count: dwC)),
    data: int32Bytes((0..<dwC).map { _ in Int32.random(in: -3000...3000, using: &rng) }))
  let h1 = size(dwPadding, h, 3, 2, dilation)
  let w1 = size(dwPadding, w, 3, 2, dilation)
  let dwOutScale = outScale(inScale, dwScales, taps: 9, &rng)
  let dw = m.addTensor(
    "dw", shape: [1, h1, w1, dwC], type: .int8,
    quantization: .perTensor(scale: dwOutScale, zeroPoint: zp(&rng)))
  m.addOperator(
    .depthwiseConv2D, version: 3, inputs: [input, dwFilter, dwBias], outputs: [dw],
    options: .depthwiseConv2D(
      padding: dwPadding, strideW: 2, strideH: 2, depthMultiplier: 2, activation: .relu6,
      dilationW: Int32(dilation), dilationH: Int32(dilation)))

  // CONV_2D 1x1 or 2x2 VALID, 3 or 5 outputs, no bias.
  let k = Int.random(in: 1...2, using: &rng)
  let outC = Bool.random(using: &rng) ? 3 : 5
  let convScales = (0..<outC).map { _ in scale(&rng) }
  let convFilter = m.addTensor(
    "conv/filter", shape: [outC, k, k, dwC], type: .int8,
    quantization: .init(scales: convScales, zeroPoints: [Int64](repeating: 0, count: outC)),
    data: int8Bytes(randomInt8s(outC * k * k * dwC, &rng)))
  let (h2, w2) = (size(.valid, h1, k, 1, 1), size(.valid, w1, k, 1, 1))
  let conv = m.addTensor(
    "conv", shape: [1, h2, w2, outC], type: .int8,
    quantization: .perTensor(
      scale: outScale(dwOutScale, convScales, taps: k * k * dwC, &rng), zeroPoint: zp(&rng)))
  m.addOperator(
    .conv2D, version: 3, inputs: [dw, convFilter, -1], outputs: [conv],
    options: .conv2D(
      padding: .valid, strideW: 1, strideH: 1, activation: .none, dilationW: 1, dilationH: 1))

  // AVERAGE_POOL_2D 3x3 stride 2 SAME.
  let (h3, w3) = (size(.same, h2, 3, 2, 1), size(.same, w2, 3, 2, 1))
  let pool = m.addTensor(
    "pool", shape: [1, h3, w3, outC], type: .int8, quantization: m.tensors[Int(conv)].quantization)
  m.addOperator(
    .averagePool2D, inputs: [conv], outputs: [pool],
    options: .pool2D(
      padding: .same, strideW: 2, strideH: 2, filterWidth: 3, filterHeight: 3, activation: .none))

  // RESHAPE + per-channel FULLY_CONNECTED with RELU6.
  let flatCount = h3 * w3 * outC
  let flat = m.addTensor(
    "flat", shape: [1, flatCount], type: .int8, quantization: m.tensors[Int(conv)].quantization)
  let shape = m.addTensor(
    "flat/shape", shape: [2], type: .int32, data: int32Bytes([-1, Int32(flatCount)]))
  m.addOperator(
    .reshape, inputs: [pool, shape], outputs: [flat],
    options: .reshape(newShape: [-1, Int32(flatCount)]))
  let units = Int.random(in: 2...7, using: &rng)
  let fcScales = (0..<units).map { _ in scale(&rng) }
  let flatScale = m.tensors[Int(flat)].quantization!.scales[0]
  let fcWeights = m.addTensor(
    "fc/weights", shape: [units, flatCount], type: .int8,
    quantization: .init(scales: fcScales, zeroPoints: [Int64](repeating: 0, count: units)),
    data: int8Bytes(randomInt8s(units * flatCount, &rng)))
  let fcBias = m.addTensor(
    "fc/bias", shape: [units], type: .int32,
    quantization: .init(
      scales: fcScales.map { $0 * flatScale }, zeroPoints: [Int64](repeating: 0, count: units)),
    data: int32Bytes((0..<units).map { _ in Int32.random(in: -2000...2000, using: &rng) }))
  let output = m.addTensor(
    "out", shape: [1, units], type: .int8,
    quantization: .perTensor(
      // Averaged inputs vary far less than uniform int8: a tenth of the uniform estimate.
      scale: outScale(flatScale, fcScales, taps: flatCount, &rng) / 10, zeroPoint: 0))
  m.addOperator(
    .fullyConnected, version: 4, inputs: [flat, fcWeights, fcBias], outputs: [output],
    options: .fullyConnected(activation: .none, keepNumDims: false))
  m.inputs = [input]
  m.outputs = [output]
  return m
}

func randomInt8s(_ count: Int, _ rng: inout SplitMix64) -> [Int8] {
  (0..<count).map { _ in Int8.random(in: -128...127, using: &rng) }
}
