import Quantization
import Testing

@testable import Runtime

/// A model opened with an arena of exactly the size it asks for; keeps every byte alive.
struct LoadedModel {
  let modelBytes: AlignedBytes
  let arena: AlignedBytes
  let interpreter: Interpreter

  init(_ bytes: [UInt8], extraArena: Int = 0) throws(RuntimeError) {
    modelBytes = AlignedBytes(bytes)
    let model = try Model(bytes: modelBytes.buffer)
    let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model))
    let needed = try Interpreter.requirements(for: model, scratch: scratch.mutableBuffer)
    arena = AlignedBytes(zeroed: needed.totalBytes + extraArena)
    interpreter = try Interpreter(model: model, arena: arena.mutableBuffer)
  }

  func run(_ inputs: [[Int8]]) throws(RuntimeError) -> [[Int8]] {
    for (i, values) in inputs.enumerated() {
      let slot = try interpreter.input(i)
      precondition(slot.bytes.count == values.count, "test input size")
      for (k, v) in values.enumerated() { slot.bytes[k] = UInt8(bitPattern: v) }
    }
    try interpreter.invoke()
    var outputs: [[Int8]] = []
    for i in 0..<interpreter.outputCount {
      outputs.append(try interpreter.output(i).bytes.map { Int8(bitPattern: $0) })
    }
    return outputs
  }
}

@Test(arguments: 0..<20) func smallNetEqualsTheOracle(seed: Int) throws {
  var rng = SplitMix64(seed: UInt64(seed))
  let model = smallConvNet()
  let loaded = try LoadedModel(model.serialized())
  let input = randomInt8s(16, &rng)
  var oracle = OracleInterpreter(model)
  #expect(try loaded.run([input]) == oracle.run([input]), "seed \(seed)")
}

@Test(arguments: 0..<40) func randomNetsEqualTheOracle(seed: Int) throws {
  var rng = SplitMix64(seed: UInt64(seed) &+ 1000)
  let model = randomNet(&rng)
  let loaded = try LoadedModel(model.serialized())
  let count = model.tensors[0].shape.map(Int.init).reduce(1, *)
  var oracle = OracleInterpreter(model)
  var distinct = Set<[Int8]>()
  for _ in 0..<3 {
    let input = randomInt8s(count, &rng)
    let got = try loaded.run([input])
    #expect(got == oracle.run([input]), "seed \(seed)")
    distinct.insert(got[0])
  }
  // Random images give different outputs: the comparison is not between constants.
  #expect(distinct.count >= 2, "seed \(seed): \(distinct)")
  let buffers = try plannedBuffers(model.serialized())
  #expect(!buffers.withUnsafeBufferPointer { anyPlannedBuffersOverlap($0) }, "seed \(seed)")
}

@Test func smallNetHandCheckedCorner() throws {
  // All inputs at the zero point (real 0): the conv output is bias only. Channel 0:
  // 100 * (0.01/255) / 0.05 = 0.0784 -> 0 above zero point -128 -> -128 (RELU clamps there too);
  // channel 1: negative bias, clamped to -128. So every conv/pool value is -128 (real 0), the FC
  // sees x - zp = 0 and outputs bias * 0.001 / 0.1 + 3: round(0.05) + 3, round(-0.05) + 3,
  // round(0.5) + 3 = 3, 3, 4.
  let loaded = try LoadedModel(smallConvNet().serialized())
  #expect(try loaded.run([[Int8](repeating: -128, count: 16)]) == [[3, 3, 4]])
}

@Test func arenaIsPlannedByLifetimeWithReshapeInPlace() throws {
  let loaded = try LoadedModel(smallConvNet().serialized())
  let interpreter = loaded.interpreter
  // Buffers (16-aligned): input 16 [0,1], conv 32 [1,2], pool = flat 16 [2,4], logits 16 [4,4].
  // Greedy: conv at 0; input after it at 32; pool at 32 (input is dead by then); logits in the
  // gap at 0 (conv is dead). Peak 48 bytes.
  #expect(interpreter.requirements.tensorBytes == 48)
  #expect(interpreter.arenaOffset(ofTensor: 3) == 0)
  #expect(interpreter.arenaOffset(ofTensor: 0) == 32)
  #expect(interpreter.arenaOffset(ofTensor: 4) == 32)
  // RESHAPE's output is its input's bytes: no copy, no memory.
  #expect(interpreter.arenaOffset(ofTensor: 6) == interpreter.arenaOffset(ofTensor: 4))
  #expect(interpreter.arenaOffset(ofTensor: 9) == 0)
  #expect(interpreter.arenaOffset(ofTensor: 1) == nil)  // constant: stays in the model
}

/// The planner's records for `model`, for invariant checks.
func plannedBuffers(_ bytes: [UInt8]) throws -> [PlannedBuffer] {
  let owner = AlignedBytes(bytes)
  let model = try Model(bytes: owner.buffer)
  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model))
  let plan = try Interpreter.planTensors(model, in: scratch.raw.baseAddress!)
  return Array(plan.records)
}

@Test func noTwoLiveBuffersOverlap() throws {
  let buffers = try plannedBuffers(smallConvNet().serialized())
  #expect(buffers.contains { $0.isPlanned })
  #expect(!buffers.withUnsafeBufferPointer { anyPlannedBuffersOverlap($0) })
}

@Test func aTooSmallArenaFailsBeforeAnythingRuns() throws {
  let owner = AlignedBytes(smallConvNet().serialized())
  let model = try Model(bytes: owner.buffer)
  let scratch = AlignedBytes(zeroed: try Interpreter.planningBytes(for: model))
  let needed = try Interpreter.requirements(for: model, scratch: scratch.mutableBuffer)
  #expect(needed.totalBytes == needed.planBytes + max(needed.tensorBytes, needed.planningBytes))
  let exact = AlignedBytes(zeroed: needed.totalBytes)
  #expect(throws: Never.self) { try Interpreter(model: model, arena: exact.mutableBuffer) }
  let short = AlignedBytes(zeroed: needed.totalBytes - 1)
  #expect(
    throws: RuntimeError.arenaTooSmall(needed: needed.totalBytes, available: needed.totalBytes - 1)
  ) {
    try Interpreter(model: model, arena: short.mutableBuffer)
  }
  // An arena too small even for the plan reports at least the plan and the planner's records.
  let tiny = AlignedBytes(zeroed: 64)
  #expect(
    throws: RuntimeError.arenaTooSmall(
      needed: needed.planBytes + needed.planningBytes, available: 64)
  ) {
    try Interpreter(model: model, arena: tiny.mutableBuffer)
  }
  // A misaligned arena start costs the bytes up to the next 16-byte boundary.
  let offByOne = UnsafeMutableRawBufferPointer(rebasing: exact.raw[1..<needed.totalBytes])
  #expect(
    throws: RuntimeError.arenaTooSmall(
      needed: needed.totalBytes + 15, available: needed.totalBytes - 1)
  ) {
    try Interpreter(model: model, arena: offByOne)
  }
}

@Test func invokingAgainGivesTheSameAsAFreshInterpreter() throws {
  // One interpreter run over a batch image by image, against one interpreter per image.
  var rng = SplitMix64(seed: 7)
  let bytes = smallConvNet().serialized()
  let reused = try LoadedModel(bytes)
  for _ in 0..<5 {
    let input = randomInt8s(16, &rng)
    #expect(try reused.run([input]) == (try LoadedModel(bytes).run([input])))
  }
}

@Test func unsupportedOperatorIsNamedWithItsIndex() throws {
  var bytes = smallConvNet().serialized()
  let owner = AlignedBytes(bytes)
  let codes = try FlatBuffer(bytes: owner.buffer).rootTable().vector(1, elementSize: 4)!
  // Operator code 1 is MAX_POOL_2D (operator 1); make it GELU (150).
  let code = try codes.table(1)
  let builtinAt = try #require(try code.fieldPosition(3, size: 4))
  let deprecatedAt = try #require(try code.fieldPosition(0, size: 1))
  withExtendedLifetime(owner) {}
  bytes[deprecatedAt] = 127
  bytes.replaceSubrange(builtinAt..<builtinAt + 4, with: int32Bytes([150]))
  #expect(throws: RuntimeError.unsupportedOperator(code: 150, index: 1)) {
    _ = try LoadedModel(bytes)
  }
}

@Test func prepareChecksWhatTFLMChecks() throws {
  func prepareError(_ edit: (inout TFLiteModel) -> Void) -> RuntimeError? {
    var m = smallConvNet()
    edit(&m)
    do {
      _ = try LoadedModel(m.serialized())
      return nil
    } catch { return error }
  }
  // Pooling must not change the quantisation.
  #expect(
    prepareError { $0.tensors[4].quantization = .perTensor(scale: 0.06, zeroPoint: -128) }
      == .unsupportedQuantization(operator: 1, tensor: 4))
  // The conv output's spatial size must be what SAME padding gives.
  #expect(
    prepareError { $0.tensors[3].shape = [1, 3, 4, 2] } == .shapeMismatch(operator: 0, tensor: 3))
  // A float input to an int8 conv.
  #expect(
    prepareError {
      $0.tensors[0].type = .float32
      $0.tensors[0].quantization = nil
    } == .unsupportedType(operator: 0, tensor: 0, type: 0))
  // Per-channel scales must number the output channels.
  #expect(
    prepareError {
      $0.tensors[7].quantization = .init(
        scales: [Float](repeating: 0.02, count: 8), zeroPoints: [Int64](repeating: 0, count: 8),
        quantizedDimension: 1)
    }
      == .unsupportedQuantization(operator: 3, tensor: 7))
  // Bias of the wrong length.
  #expect(
    prepareError {
      $0.buffers[Int($0.tensors[8].buffer)] = int32Bytes([1, 2])
      $0.tensors[8].shape = [2]
    } == .shapeMismatch(operator: 3, tensor: 8))
  // Per-tensor FC whose bias scale is not input * weight scale (TFLM's 2 % rule).
  #expect(
    prepareError { $0.tensors[8].quantization = .perTensor(scale: 0.01, zeroPoint: 0) }
      == .unsupportedQuantization(operator: 3, tensor: 8))
  // A conv without its filter.
  #expect(
    prepareError { $0.operators[0].inputs = [0] }
      == .wrongInputCount(operator: 0, expected: 2, actual: 1))
  // A zero stride.
  #expect(
    prepareError {
      $0.operators[0].options = .conv2D(
        padding: .same, strideW: 0, strideH: 1, activation: .relu, dilationW: 1, dilationH: 1)
    } == .kernel(operator: 0, .invalidWindow))
  // Operators out of order.
  #expect(
    prepareError { $0.operators.swapAt(0, 1) } == .tensorUsedBeforeWritten(operator: 0, tensor: 3))
}

@Test func padV2PadsWithItsConstant() throws {
  // The writer has no PADV2: write a PAD with PADV2's third input, then change its code to 60.
  var m = TFLiteModel(description: "padv2")
  let q = TFLiteModel.Quantization.perTensor(scale: 0.5, zeroPoint: -3)
  let x = m.addTensor("x", shape: [1, 2, 2, 1], type: .int8, quantization: q)
  let paddings = m.addTensor(
    "paddings", shape: [4, 2], type: .int32, data: int32Bytes([0, 0, 1, 1, 0, 0, 0, 0]))
  let constant = m.addTensor("c", shape: [], type: .int8, quantization: q, data: [7])
  let y = m.addTensor("y", shape: [1, 4, 2, 1], type: .int8, quantization: q)
  m.addOperator(.pad, version: 2, inputs: [x, paddings, constant], outputs: [y])
  m.inputs = [x]
  m.outputs = [y]
  var bytes = m.serialized()
  let owner = AlignedBytes(bytes)
  let code = try FlatBuffer(bytes: owner.buffer).rootTable().vector(1, elementSize: 4)!.table(0)
  let builtinAt = try #require(try code.fieldPosition(3, size: 4))
  let deprecatedAt = try #require(try code.fieldPosition(0, size: 1))
  withExtendedLifetime(owner) {}
  bytes[deprecatedAt] = 60
  bytes.replaceSubrange(builtinAt..<builtinAt + 4, with: int32Bytes([60]))
  let loaded = try LoadedModel(bytes)
  #expect(try loaded.interpreter.model.operation(at: 0).builtinCode == 60)
  #expect(try loaded.run([[1, 2, 3, 4]]) == [[7, 7, 1, 2, 3, 4, 7, 7]])
  // PAD (code 34), without the constant, pads with the output zero point.
  var pad = m
  pad.operators[0].inputs = [x, paddings]
  #expect(try LoadedModel(pad.serialized()).run([[1, 2, 3, 4]]) == [[-3, -3, 1, 2, 3, 4, -3, -3]])
}
