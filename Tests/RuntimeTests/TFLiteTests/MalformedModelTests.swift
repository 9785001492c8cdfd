import Quantization
import Testing

@testable import Runtime

// The malformed-file corpus: each corruption is made from a valid file, at a byte located through
// the reader's own table walk, and must give its own error naming that byte or index.

private func root(_ bytes: [UInt8]) throws -> (FlatTable, AlignedBytes) {
  let owner = AlignedBytes(bytes)
  return (try FlatBuffer(bytes: owner.buffer).rootTable(), owner)
}

/// Where the uoffset of field `id` of `table` is stored.
private func offsetField(_ table: FlatTable, _ id: Int) throws -> Int {
  try #require(try table.fieldPosition(id, size: 4))
}

private func setUInt32(_ bytes: inout [UInt8], at position: Int, _ value: UInt32) {
  bytes.replaceSubrange(
    position..<position + 4, with: withUnsafeBytes(of: value.littleEndian) { Array($0) })
}

private func isOutOfFileError(_ error: RuntimeError?) -> Bool {
  switch error {
  case .truncatedModel, .offsetOutOfRange, .vectorOutOfRange, .invalidVTable, .bufferOutOfRange:
    return true
  default:
    return false
  }
}

@Test func everyTruncationIsRefused() throws {
  let bytes = smallConvNet().serialized()
  #expect(openError(bytes) == nil)
  // The writer pads the file to 16 bytes with zeros; any cut before the last non-zero byte
  // removes something the reader walks.
  let lastUsed = try #require(bytes.lastIndex { $0 != 0 })
  var failures: [String] = []
  for length in 0...lastUsed {
    let error = openError(Array(bytes[0..<length]))
    if !isOutOfFileError(error) {
      failures.append("length \(length): \(String(describing: error))")
    }
  }
  #expect(failures.isEmpty, "\(failures.prefix(5))")
  #expect(openError(Array(bytes[0..<6])) == .truncatedModel(atByte: 8))
  #expect(openError([]) == .truncatedModel(atByte: 8))
}

@Test func flippedOffsetsNameTheirByte() throws {
  let bytes = smallConvNet().serialized()
  // The root offset itself.
  var flipped = bytes
  flipped[3] ^= 0x80
  #expect(openError(flipped) == .offsetOutOfRange(atByte: 0))
  // The root table's offset to the subgraph list.
  let (table, owner) = try root(bytes)
  let subgraphsAt = try offsetField(table, 2)
  withExtendedLifetime(owner) {}
  flipped = bytes
  flipped[subgraphsAt + 2] ^= 0x40
  #expect(openError(flipped) == .offsetOutOfRange(atByte: subgraphsAt))
  // An offset of zero (pointing at itself) is as invalid as one past the end.
  flipped = bytes
  setUInt32(&flipped, at: subgraphsAt, 0)
  #expect(openError(flipped) == .offsetOutOfRange(atByte: subgraphsAt))
}

@Test func vectorLengthPastTheEndIsRefused() throws {
  let bytes = smallConvNet().serialized()
  let (table, owner) = try root(bytes)
  let subgraph = try #require(try table.vector(2, elementSize: 4)).table(0)
  let tensors = try #require(try subgraph.vector(0, elementSize: 4))
  let buffers = try #require(try table.vector(4, elementSize: 4))
  let lastBuffer = try buffers.table(buffers.count - 3)  // the FC bias data, near the end
  let data = try #require(try lastBuffer.vector(0, elementSize: 1))
  withExtendedLifetime(owner) {}

  var corrupt = bytes
  setUInt32(&corrupt, at: tensors.position, 0x7FFF_FFFF)
  #expect(openError(corrupt) == .vectorOutOfRange(atByte: tensors.position, count: 0x7FFF_FFFF))
  corrupt = bytes
  setUInt32(&corrupt, at: data.position, UInt32(bytes.count))
  #expect(openError(corrupt) == .vectorOutOfRange(atByte: data.position, count: bytes.count))
  // 0xFFFF_FFFF elements of 4 bytes: the count * size product must not wrap.
  corrupt = bytes
  setUInt32(&corrupt, at: tensors.position, 0xFFFF_FFFF)
  #expect(openError(corrupt) == .vectorOutOfRange(atByte: tensors.position, count: 0xFFFF_FFFF))
}

@Test func brokenVTableIsRefused() throws {
  let bytes = smallConvNet().serialized()
  let (table, owner) = try root(bytes)
  withExtendedLifetime(owner) {}
  var corrupt = bytes
  // soffset pointing 1 GiB before the table.
  setUInt32(&corrupt, at: table.position, 1 << 30)
  #expect(openError(corrupt) == .invalidVTable(atByte: table.position))
}

@Test func fileIdentifierAndSchemaVersionAreChecked() throws {
  var bytes = smallConvNet().serialized()
  bytes[4] = UInt8(ascii: "X")
  #expect(openError(bytes) == .notATFLiteFile)
  bytes = smallConvNet().serialized()
  let (table, owner) = try root(bytes)
  let versionAt = try #require(try table.fieldPosition(0, size: 4))
  withExtendedLifetime(owner) {}
  setUInt32(&bytes, at: versionAt, 2)
  #expect(openError(bytes) == .unsupportedSchemaVersion(2))
}

@Test func bufferIndexOutOfRangeIsRefused() {
  var m = smallConvNet()
  m.tensors[1].buffer = 99
  #expect(openError(m.serialized()) == .bufferIndexOutOfRange(tensor: 1, buffer: 99))
}

@Test func bufferSizeMustMatchTheTensor() {
  var m = smallConvNet()
  m.buffers[Int(m.tensors[1].buffer)] = [1, 2, 3]
  #expect(openError(m.serialized()) == .bufferSizeMismatch(tensor: 1, expected: 18, actual: 3))
}

@Test func badShapesAreRefused() {
  var m = smallConvNet()
  m.tensors[3].shape = [1, -4, 4, 2]
  #expect(openError(m.serialized()) == .invalidTensorShape(tensor: 3))
  m = smallConvNet()
  m.tensors[3].shape = [1, 1, 1, 1, 1, 1, 1]
  #expect(openError(m.serialized()) == .invalidTensorShape(tensor: 3))
  m = smallConvNet()
  m.tensors[3].shape = [65536, 65536, 1, 2]  // 2^33 elements
  #expect(openError(m.serialized()) == .invalidTensorShape(tensor: 3))
}

@Test func badQuantizationIsRefused() {
  var m = smallConvNet()
  m.tensors[1].quantization = .init(scales: [0.1, 0.2, 0.3], zeroPoints: [0, 0, 0])
  #expect(openError(m.serialized()) == .invalidQuantization(tensor: 1, .quantizedDimension))
  m.tensors[1].quantization = .init(scales: [0.1, 0.2], zeroPoints: [0, 0], quantizedDimension: 3)
  #expect(openError(m.serialized()) == .invalidQuantization(tensor: 1, .quantizedDimension))
  m.tensors[1].quantization = .init(scales: [0.1, 0.2], zeroPoints: [0, 0, 0])
  #expect(openError(m.serialized()) == .invalidQuantization(tensor: 1, .parameterCount))
  m.tensors[1].quantization = .init(scales: [0.1, -0.2], zeroPoints: [0, 0])
  #expect(openError(m.serialized()) == .invalidQuantization(tensor: 1, .scale))
  m.tensors[1].quantization = .init(scales: [0.1, .nan], zeroPoints: [0, 0])
  #expect(openError(m.serialized()) == .invalidQuantization(tensor: 1, .scale))
  m = smallConvNet()
  m.tensors[0].quantization = .perTensor(scale: 0.1, zeroPoint: 128)  // int8 tensor
  #expect(openError(m.serialized()) == .invalidQuantization(tensor: 0, .zeroPoint))
  m.tensors[0].quantization = .perTensor(scale: 0.1, zeroPoint: 1 << 40)
  #expect(openError(m.serialized()) == .invalidQuantization(tensor: 0, .zeroPoint))
  m.tensors[0].quantization = .perTensor(scale: 0.1, zeroPoint: -128)
  #expect(openError(m.serialized()) == nil)
}

@Test func operatorIndicesAreChecked() {
  var m = smallConvNet()
  m.operators[2].inputs = [4, 42]
  #expect(openError(m.serialized()) == .tensorIndexOutOfRange(operator: 2, tensor: 42))
  m = smallConvNet()
  m.operators[1].outputs = [-1]
  #expect(openError(m.serialized()) == .tensorIndexOutOfRange(operator: 1, tensor: -1))
  m = smallConvNet()
  m.operators[3].opcodeIndex = 7
  #expect(openError(m.serialized()) == .operatorCodeOutOfRange(operator: 3, opcodeIndex: 7))
  m = smallConvNet()
  m.outputs = [10]
  #expect(openError(m.serialized()) == .tensorIndexOutOfRange(operator: -1, tensor: 10))
  m = smallConvNet()
  m.inputs = []
  #expect(openError(m.serialized()) == .emptyModel)
}

@Test func unknownTensorTypeIsNamed() throws {
  var bytes = smallConvNet().serialized()
  let (table, owner) = try root(bytes)
  let subgraph = try #require(try table.vector(2, elementSize: 4)).table(0)
  let tensor = try #require(try subgraph.vector(0, elementSize: 4)).table(3)
  let typeAt = try #require(try tensor.fieldPosition(1, size: 1))
  withExtendedLifetime(owner) {}
  bytes[typeAt] = 17  // INT4: packed, not supported
  #expect(openError(bytes) == .unsupportedTensorType(type: 17, tensor: 3))
  bytes[typeAt] = 99
  #expect(openError(bytes) == .unsupportedTensorType(type: 99, tensor: 3))
}

@Test func metadataBufferIndexIsChecked() throws {
  var bytes = smallConvNet().serialized()
  let (table, owner) = try root(bytes)
  let entry = try #require(try table.vector(6, elementSize: 4)).table(1)
  let bufferAt = try #require(try entry.fieldPosition(1, size: 4))
  withExtendedLifetime(owner) {}
  setUInt32(&bytes, at: bufferAt, 1000)
  #expect(openError(bytes) == .metadataBufferOutOfRange(entry: 1, buffer: 1000))
}
