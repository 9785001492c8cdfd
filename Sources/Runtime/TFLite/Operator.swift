/// An `OperatorCode` entry: which builtin (or custom) operator, at which version.
public struct OperatorCode {
  /// The builtin code as TFLM resolves it: `max(builtin_code, deprecated_builtin_code)`
  /// (schema_utils.cc `GetBuiltinCode`). Files from before schema 3a only have the int8
  /// `deprecated_builtin_code`; newer files write 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) there for
  /// codes above 127 and the real code in `builtin_code`, so the maximum is right for both.
  public let builtinCode: Int32
  public let version: Int32
  /// The custom operator's name (CUSTOM, code 32), or empty.
  public let customCode: UnsafeRawBufferPointer

  public var builtin: BuiltinOperator? { BuiltinOperator(rawValue: builtinCode) }

  init(_ table: FlatTable) throws(RuntimeError) {
    let deprecated = try table.scalar(0, default: Int8(0))
    customCode = try table.string(1) ?? UnsafeRawBufferPointer(start: nil, count: 0)
    version = try table.scalar(2, default: Int32(1))
    let builtin = try table.scalar(3, default: Int32(0))
    builtinCode = max(builtin, Int32(deprecated))
  }
}

/// One operator of the subgraph: its code, tensor indices and options table, in place.
public struct Operator {
  public let index: Int
  public let opcodeIndex: Int
  public let code: OperatorCode
  /// Tensor indices; -1 marks an omitted optional input (e.g. a convolution without bias).
  public let inputs: Int32Vector
  public let outputs: Int32Vector
  /// The schema's `BuiltinOptions` union tag (0 when the operator has no options table).
  let optionsType: UInt8
  let options: FlatTable?

  public var builtinCode: Int32 { code.builtinCode }

  init(_ table: FlatTable, index: Int, codes: FlatVector, tensorCount: Int) throws(RuntimeError) {
    self.index = index
    let opcodeIndex = try table.scalar(0, default: UInt32(0))
    guard UInt(opcodeIndex) < UInt(codes.count) else {
      throw .operatorCodeOutOfRange(
        operator: index, opcodeIndex: Int(bitPattern: UInt(opcodeIndex)))
    }
    self.opcodeIndex = Int(opcodeIndex)
    code = try OperatorCode(codes.table(Int(opcodeIndex)))
    inputs = try Operator.indices(table, 1, op: index, tensorCount: tensorCount, optional: true)
    outputs = try Operator.indices(table, 2, op: index, tensorCount: tensorCount, optional: false)
    optionsType = try table.scalar(3, default: UInt8(0))
    options = try table.table(4)
    _ = try table.vector(5, elementSize: 1)  // custom_options: bounds only, never interpreted
  }

  /// A vector of tensor indices, each checked against the tensor list.
  static func indices(
    _ table: FlatTable, _ id: Int, op: Int, tensorCount: Int, optional: Bool
  ) throws(RuntimeError) -> Int32Vector {
    guard let v = try table.vector(id, elementSize: 4) else { return Int32Vector() }
    let indices = Int32Vector(v.bytes)
    for i in 0..<indices.count {
      let t = indices[i]
      if optional && t == -1 { continue }
      guard t >= 0, Int(t) < tensorCount else {
        throw .tensorIndexOutOfRange(operator: op, tensor: Int(t))
      }
    }
    return indices
  }

  /// Input `i`'s tensor index, or nil when the operator has fewer inputs or marks it omitted.
  public func input(_ i: Int) -> Int? {
    guard i < inputs.count, inputs[i] >= 0 else { return nil }
    return Int(inputs[i])
  }

  public func output(_ i: Int) -> Int? {
    guard i < outputs.count else { return nil }
    return Int(outputs[i])
  }

  /// The options table if it is of union type `type`; nil when the operator has none (the
  /// schema defaults apply, as in TFLM's parsers); `.invalidOptions` for any other type.
  func options(ofType type: UInt8) throws(RuntimeError) -> FlatTable? {
    guard let options else { return nil }
    guard optionsType == type else { throw .invalidOptions(operator: index) }
    return options
  }
}

/// A `Metadata` entry: a name and the bytes of the buffer it points to.
public struct Metadata {
  /// UTF-8, without the terminating NUL.
  public let name: UnsafeRawBufferPointer
  /// The buffer's bytes (empty when the buffer is empty).
  public let data: UnsafeRawBufferPointer
  public let bufferIndex: Int

  /// Whether the name is exactly `other` (compared as bytes).
  public func isNamed(_ other: StaticString) -> Bool {
    other.withUTF8Buffer { wanted in
      guard wanted.count == name.count else { return false }
      for i in 0..<name.count where name[i] != wanted[i] { return false }
      return true
    }
  }
}
