/// A .tflite model read in place: nothing is copied out of the caller's bytes, which must stay
/// alive (and unchanged) as long as the `Model` and any interpreter built on it.
///
/// `init` walks the whole file once, the way FlatBuffers' verifier does, before anything uses it:
/// every offset, vtable, vector length and string, every tensor's type, shape, buffer and
/// quantisation, every operator's code and tensor indices, and the metadata. A malformed file is
/// a `RuntimeError` naming the byte or the index at fault. The accessors repeat the (cheap)
/// checks rather than trusting that walk, so they throw too, but on a model that opened they
/// cannot fail.
///
/// Only subgraph 0 is read: TFLM runs other subgraphs only from control-flow operators (IF,
/// WHILE, CALL_ONCE), which this runtime does not implement.
public struct Model {
  let buffer: FlatBuffer
  private let operatorCodes: FlatVector
  private let buffers: FlatVector
  private let tensors: FlatVector
  private let operators: FlatVector
  private let metadataEntries: FlatVector?
  private let subgraphInputs: Int32Vector
  private let subgraphOutputs: Int32Vector

  /// The model bytes as given.
  public var bytes: UnsafeRawBufferPointer { buffer.bytes }
  public let version: UInt32
  /// The converter's description string ("MLIR Converted." or ours), UTF-8.
  public let description: UnsafeRawBufferPointer

  public var tensorCount: Int { tensors.count }
  public var operatorCount: Int { operators.count }
  public var operatorCodeCount: Int { operatorCodes.count }
  public var bufferCount: Int { buffers.count }
  public var metadataCount: Int { metadataEntries?.count ?? 0 }
  public var inputCount: Int { subgraphInputs.count }
  public var outputCount: Int { subgraphOutputs.count }

  /// TFLM's TFLITE_SCHEMA_VERSION: the only version the converter writes and TFLM accepts.
  public static let schemaVersion: UInt32 = 3

  public init(bytes: UnsafeRawBufferPointer) throws(RuntimeError) {
    let buffer = FlatBuffer(bytes: bytes)
    // The file identifier "TFL3" (bytes 4..<8) first, so that another kind of file is named as
    // such rather than as a corrupt flatbuffer; a file shorter than that is truncated.
    if bytes.count >= 8,
      !(bytes[4] == 0x54 && bytes[5] == 0x46 && bytes[6] == 0x4C && bytes[7] == 0x33)
    {
      throw .notATFLiteFile
    }
    let root = try buffer.rootTable()
    self.buffer = buffer
    version = try root.scalar(0, default: UInt32(0))
    guard version == Model.schemaVersion else { throw .unsupportedSchemaVersion(version) }
    let empty = UnsafeRawBufferPointer(start: nil, count: 0)
    operatorCodes = try root.vector(1, elementSize: 4) ?? FlatVector.empty(buffer)
    guard let subgraphs = try root.vector(2, elementSize: 4), subgraphs.count > 0 else {
      throw .emptyModel
    }
    description = try root.string(3) ?? empty
    buffers = try root.vector(4, elementSize: 4) ?? FlatVector.empty(buffer)
    metadataEntries = try root.vector(6, elementSize: 4)

    let subgraph = try subgraphs.table(0)
    tensors = try subgraph.vector(0, elementSize: 4) ?? FlatVector.empty(buffer)
    operators = try subgraph.vector(3, elementSize: 4) ?? FlatVector.empty(buffer)
    _ = try subgraph.string(4)
    subgraphInputs = try Operator.indices(
      subgraph, 1, op: -1, tensorCount: tensors.count, optional: false)
    subgraphOutputs = try Operator.indices(
      subgraph, 2, op: -1, tensorCount: tensors.count, optional: false)
    guard subgraphInputs.count > 0, subgraphOutputs.count > 0 else { throw .emptyModel }
    guard tensors.count < Int(Int32.max), operators.count < Int(Int32.max) else {
      throw .modelTooLarge
    }

    // The verifying walk: everything the interpreter or a host tool may read later.
    for i in 0..<operatorCodes.count { _ = try operatorCode(at: i) }
    for i in 0..<buffers.count { _ = try bufferData(i) }
    for i in 0..<tensors.count { _ = try tensor(at: i) }
    for i in 0..<operators.count { _ = try operation(at: i) }
    for i in 0..<metadataCount { _ = try metadata(at: i) }
  }

  /// The tensor index of subgraph input `i`.
  public func inputTensorIndex(_ i: Int) -> Int { Int(subgraphInputs[i]) }
  /// The tensor index of subgraph output `i`.
  public func outputTensorIndex(_ i: Int) -> Int { Int(subgraphOutputs[i]) }

  public func operatorCode(at i: Int) throws(RuntimeError) -> OperatorCode {
    try OperatorCode(operatorCodes.table(i))
  }

  public func operation(at i: Int) throws(RuntimeError) -> Operator {
    try Operator(operators.table(i), index: i, codes: operatorCodes, tensorCount: tensors.count)
  }

  public func metadata(at i: Int) throws(RuntimeError) -> Metadata {
    guard let entries = metadataEntries else { preconditionFailure("metadata index out of range") }
    let table = try entries.table(i)
    let name = try table.string(0) ?? UnsafeRawBufferPointer(start: nil, count: 0)
    let index = try table.scalar(1, default: UInt32(0))
    guard UInt(index) < UInt(buffers.count) else {
      throw .metadataBufferOutOfRange(entry: i, buffer: Int(bitPattern: UInt(index)))
    }
    let data = try bufferData(Int(index)) ?? UnsafeRawBufferPointer(start: nil, count: 0)
    return Metadata(name: name, data: data, bufferIndex: Int(index))
  }

  /// The first metadata entry named `name`, e.g. the class names (UTF-8 text, one class per
  /// line; the key is Graph's `ClassNames.metadataKey`, which the writer and `infer` share).
  public func metadata(named name: StaticString) throws(RuntimeError) -> Metadata? {
    for i in 0..<metadataCount {
      let entry = try metadata(at: i)
      if entry.isNamed(name) { return entry }
    }
    return nil
  }

  /// Buffer `i`'s bytes, or nil when it is empty. Data is normally the `data` vector inside the
  /// flatbuffer; files over 2 GB keep it after the flatbuffer, at `offset` (> 1, counted from the
  /// start of the file) with `size` bytes, as LiteRT's interpreter_builder reads it.
  public func bufferData(_ i: Int) throws(RuntimeError) -> UnsafeRawBufferPointer? {
    let table = try buffers.table(i)
    if let data = try table.vector(0, elementSize: 1), data.count > 0 { return data.bytes }
    let offset = try table.uint64Halves(1)
    let size = try table.uint64Halves(2)
    if offset.high == 0 && offset.low <= 1 { return nil }
    // Both must fit in 31 bits and lie inside the file.
    guard offset.high == 0, size.high == 0, offset.low <= UInt32(Int32.max),
      size.low <= UInt32(Int32.max), buffer.contains(Int(offset.low), size: Int(size.low))
    else { throw .bufferOutOfRange(buffer: i) }
    if size.low == 0 { return nil }
    let start = Int(offset.low)
    return UnsafeRawBufferPointer(rebasing: buffer.bytes[start..<start + Int(size.low)])
  }

  public func tensor(at i: Int) throws(RuntimeError) -> Tensor {
    let table = try tensors.table(i)
    let rawType = try table.scalar(1, default: Int8(0))
    guard let type = TensorType(rawValue: rawType), let elementSize = type.elementSize else {
      throw .unsupportedTensorType(type: rawType, tensor: i)
    }
    let shapeVector = try table.vector(0, elementSize: 4)
    let shape = shapeVector.map { Int32Vector($0.bytes) } ?? Int32Vector()
    guard shape.count <= maxTensorRank else { throw .invalidTensorShape(tensor: i) }
    // Element and byte counts in Int, each step checked, the result kept within 31 bits so a
    // 32-bit target computes the same sizes as the host.
    var elements = 1
    for d in 0..<shape.count {
      let dim = shape[d]
      guard dim >= 0 else { throw .invalidTensorShape(tensor: i) }
      let (product, overflow) = elements.multipliedReportingOverflow(by: Int(dim))
      guard !overflow, product <= Int(Int32.max) / elementSize else {
        throw .invalidTensorShape(tensor: i)
      }
      elements = product
    }
    let signature =
      (try table.vector(7, elementSize: 4)).map { Int32Vector($0.bytes) } ?? Int32Vector()
    guard signature.count == 0 || signature.count == shape.count else {
      throw .invalidTensorShape(tensor: i)
    }
    guard try table.table(6) == nil else { throw .sparseTensor(tensor: i) }

    let bufferIndex = try table.scalar(2, default: UInt32(0))
    guard UInt(bufferIndex) < UInt(buffers.count) else {
      throw .bufferIndexOutOfRange(tensor: i, buffer: Int(bitPattern: UInt(bufferIndex)))
    }
    let data = try bufferData(Int(bufferIndex))
    if let data {
      guard data.count == elements * elementSize else {
        throw .bufferSizeMismatch(tensor: i, expected: elements * elementSize, actual: data.count)
      }
      // Kernels read constant data through typed pointers (int32 bias, say).
      let alignment = min(elementSize, 8)
      guard Int(bitPattern: data.baseAddress) % alignment == 0 else {
        throw .misalignedBuffer(tensor: i)
      }
    }
    let quantization = try Model.quantization(
      try table.table(4), tensor: i, type: type, shape: shape)
    return Tensor(
      index: i, type: type, shape: shape, shapeSignature: signature,
      name: try table.string(3) ?? UnsafeRawBufferPointer(start: nil, count: 0),
      bufferIndex: Int(bufferIndex), data: data, quantization: quantization,
      elementCount: elements, isVariable: try table.bool(5))
  }

  /// `QuantizationParameters`, checked. As in TFLM (micro_allocator.cc), a tensor is quantised
  /// only when it has at least one scale and one zero point; a table with only min/max (or
  /// nothing, as the converter writes for float and int32 tensors) means "not quantised".
  static func quantization(
    _ table: FlatTable?, tensor: Int, type: TensorType, shape: Int32Vector
  ) throws(RuntimeError) -> Quantization? {
    guard let table else { return nil }
    _ = try table.vector(0, elementSize: 4)  // min, max: bounds only
    _ = try table.vector(1, elementSize: 4)
    guard let scaleVector = try table.vector(2, elementSize: 4),
      let zeroPointVector = try table.vector(3, elementSize: 8),
      scaleVector.count > 0, zeroPointVector.count > 0
    else { return nil }
    let scales = FloatVector(scaleVector.bytes)
    let quantizedDimension = Int(try table.scalar(6, default: Int32(0)))
    guard zeroPointVector.count == 1 || zeroPointVector.count == scales.count else {
      throw .invalidQuantization(tensor: tensor, .parameterCount)
    }
    for c in 0..<scales.count {
      let s = scales[c]
      guard s.isFinite, s >= 0 else { throw .invalidQuantization(tensor: tensor, .scale) }
    }
    if scales.count > 1 {
      guard quantizedDimension >= 0, quantizedDimension < shape.count,
        Int(shape[quantizedDimension]) == scales.count
      else { throw .invalidQuantization(tensor: tensor, .quantizedDimension) }
    }
    // The int64 zero points as two 32-bit halves: the value must be an int32 (high half = sign
    // extension of the low), and fit the tensor's own type.
    let range: ClosedRange<Int32>
    switch type {
    case .int8: range = Int32(Int8.min)...Int32(Int8.max)
    case .uint8: range = 0...255
    case .int16: range = Int32(Int16.min)...Int32(Int16.max)
    default: range = Int32.min...Int32.max
    }
    let bytes = zeroPointVector.bytes
    for z in 0..<zeroPointVector.count {
      let lowHalf = bytes.loadUnaligned(fromByteOffset: 8 * z, as: Int32.self)
      let highHalf = bytes.loadUnaligned(fromByteOffset: 8 * z + 4, as: Int32.self)
      guard highHalf == (lowHalf < 0 ? -1 : 0), range.contains(lowHalf) else {
        throw .invalidQuantization(tensor: tensor, .zeroPoint)
      }
    }
    return Quantization(
      scales: scales, zeroPointBytes: bytes, quantizedDimension: quantizedDimension)
  }
}

extension FlatVector {
  /// A zero-length vector for an absent field.
  static func empty(_ buffer: FlatBuffer) -> FlatVector {
    FlatVector(buffer: buffer, position: 0, count: 0, elementSize: 4)
  }
}
