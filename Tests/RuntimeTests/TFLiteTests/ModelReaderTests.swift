import Quantization
import Testing

@testable import Runtime

private func string(_ bytes: UnsafeRawBufferPointer) -> String {
  String(decoding: bytes, as: UTF8.self)
}

@Test func readsEveryPartOfASmallNet() throws {
  let (model, owner) = try openModel(smallConvNet().serialized())
  defer { withExtendedLifetime(owner) {} }
  #expect(model.version == 3)
  #expect(string(model.description) == "runtime test net")
  #expect(model.tensorCount == 10)
  #expect(model.operatorCount == 4)
  #expect(model.inputCount == 1 && model.inputTensorIndex(0) == 0)
  #expect(model.outputCount == 1 && model.outputTensorIndex(0) == 9)

  let conv = try model.operation(at: 0)
  #expect(conv.code.builtin == .conv2D && conv.code.version == 3)
  #expect((0..<conv.inputs.count).map { conv.inputs[$0] } == [0, 1, 2])
  #expect(conv.output(0) == 3)
  #expect(
    try conv.conv2DOptions()
      == Conv2DOptions(
        padding: .same, strideWidth: 1, strideHeight: 1, activation: .relu, dilationWidth: 1,
        dilationHeight: 1))
  // Options of another operator's type are refused.
  #expect(throws: RuntimeError.invalidOptions(operator: 0)) { try conv.pool2DOptions() }

  let pool = try model.operation(at: 1)
  #expect(
    try pool.pool2DOptions()
      == Pool2DOptions(
        padding: .valid, strideWidth: 2, strideHeight: 2, filterWidth: 2, filterHeight: 2,
        activation: .none))
  let reshape = try model.operation(at: 2)
  let newShape = try #require(try reshape.reshapeOptions().newShape)
  #expect(newShape.count == 2 && newShape[0] == 1 && newShape[1] == 8)
  #expect(try model.operation(at: 3).fullyConnectedOptions().activation == FusedActivation.none)

  let filter = try model.tensor(at: 1)
  #expect(string(filter.name) == "conv/filter")
  #expect(filter.type == .int8 && filter.isConstant && filter.byteCount == 18)
  #expect(filter.shape4 == Shape4(n: 2, h: 3, w: 3, c: 1))
  let q = try #require(filter.quantization)
  #expect(q.isPerChannel && q.scaleCount == 2 && q.quantizedDimension == 0)
  #expect(q.scales[0] == 0.01 && q.scales[1] == 0.02 && q.zeroPoint(1) == 0)
  let data = try #require(filter.data)
  #expect(Int8(bitPattern: data[9]) == -9)

  let input = try model.tensor(at: 0)
  #expect(!input.isConstant && input.byteCount == 16)
  #expect(input.quantization?.zeroPoint == -128)
  let flatShape = try model.tensor(at: 5)
  #expect(flatShape.type == .int32 && flatShape.quantization == nil)

  let classes = try #require(try model.metadata(named: "class_names"))
  #expect(string(classes.data) == "shirt\nshoe\nbag\n")
  #expect(try model.metadata(named: "class_name") == nil)
  #expect(model.metadataCount == 2)
}

@Test func resolvesBuiltinCodeAsTheMaximumOfBothFields() throws {
  // QUANTIZE (114) fits the deprecated int8 field, which the writer fills as the converter does.
  var m = TFLiteModel(description: "codes")
  let a = m.addTensor(
    "a", shape: [1], type: .int8, quantization: .perTensor(scale: 1, zeroPoint: 0))
  let b = m.addTensor(
    "b", shape: [1], type: .int8, quantization: .perTensor(scale: 2, zeroPoint: 0))
  m.addOperator(.quantize, inputs: [a], outputs: [b])
  m.inputs = [a]
  m.outputs = [b]
  var bytes = m.serialized()
  let (model, owner) = try openModel(bytes)
  #expect(try model.operation(at: 0).builtinCode == 114)
  withExtendedLifetime(owner) {}

  // A code above 127 lives only in builtin_code, with 127 in the deprecated field: write 150
  // (GELU) there and the reader must report 150, not the placeholder.
  let codeTable = try FlatBuffer(bytes: model.bytes).rootTable().vector(1, elementSize: 4)!.table(0)
  let builtinAt = try #require(try codeTable.fieldPosition(3, size: 4))
  let deprecatedAt = try #require(try codeTable.fieldPosition(0, size: 1))
  bytes[deprecatedAt] = 127
  bytes.replaceSubrange(builtinAt..<builtinAt + 4, with: int32Bytes([150]))
  let (patched, owner2) = try openModel(bytes)
  #expect(try patched.operation(at: 0).builtinCode == 150)
  #expect(builtinOperatorName(150).description == "GELU")
  withExtendedLifetime(owner2) {}
}

/// Appends a `Buffer` table with `offset`/`size` fields (no `data`) and repoints buffer
/// `index` of the model's buffer list at it. The writer has no 64-bit fields, so this is done by
/// hand: vtable (3 fields), then the table, 8-aligned.
func repointBuffer(_ bytes: inout [UInt8], index: Int, offset: UInt64, size: UInt64) throws {
  let owner = AlignedBytes(bytes)
  let buffers = try #require(
    try FlatBuffer(bytes: owner.buffer).rootTable().vector(4, elementSize: 4))
  let slot = buffers.start + 4 * index
  withExtendedLifetime(owner) {}
  while bytes.count % 8 != 2 { bytes.append(0) }  // table (after the 10-byte vtable) 4-aligned
  let vtable = bytes.count
  for v: UInt16 in [10, 20, 0, 4, 12] { bytes += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
  let table = bytes.count
  bytes += int32Bytes([Int32(table - vtable)])
  for v in [offset, size] { bytes += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
  bytes.replaceSubrange(slot..<slot + 4, with: int32Bytes([Int32(table - slot)]))
}

@Test func readsExternalBufferDataByOffsetAndSize() throws {
  // Large models keep buffer data after the flatbuffer, located by offset and size.
  let m = smallConvNet()
  let filterBuffer = Int(m.tensors[1].buffer)
  var bytes = m.serialized()
  while bytes.count % 16 != 0 { bytes.append(0) }
  let external = bytes.count
  try repointBuffer(&bytes, index: filterBuffer, offset: UInt64(external + 64), size: 18)
  while bytes.count < external + 64 { bytes.append(0) }
  bytes += int8Bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, -9, -8, -7, 6, 5, 4, -3, -2, 1])
  let (model, owner) = try openModel(bytes)
  defer { withExtendedLifetime(owner) {} }
  let data = try #require(try model.tensor(at: 1).data)
  #expect(data.count == 18 && Int8(bitPattern: data[9]) == -9)

  // The same buffer claiming one byte more than the file holds.
  var tooLong = bytes
  try repointBuffer(&tooLong, index: filterBuffer, offset: UInt64(external + 64), size: 1 << 20)
  #expect(openError(tooLong) == .bufferOutOfRange(buffer: filterBuffer))
  var huge = bytes
  try repointBuffer(&huge, index: filterBuffer, offset: 1 << 40, size: 18)
  #expect(openError(huge) == .bufferOutOfRange(buffer: filterBuffer))
}
