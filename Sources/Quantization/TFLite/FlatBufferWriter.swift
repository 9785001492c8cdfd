/// A value to serialise as a FlatBuffer (https://flatbuffers.dev/internals/): a tree of tables,
/// vectors and strings. Only the subset the TFLite schema needs.
indirect enum FlatValue {
  /// A table: `(field id, value)` pairs; ids are the schema's field order (union type and value
  /// take two consecutive ids). Absent fields are simply left out: readers use the default.
  case table([(id: Int, FlatField)])
  /// A vector of little-endian scalars, given as raw bytes, with the element size and the
  /// alignment its data must have (TFLite asks 16 for buffer data).
  case scalars(bytes: [UInt8], elementSize: Int, alignment: Int)
  /// A vector of tables, strings or vectors (stored as offsets).
  case vector([FlatValue])
  case string(String)

  static func int32s(_ values: [Int32]) -> FlatValue {
    .scalars(bytes: values.flatMap { littleEndianBytes($0) }, elementSize: 4, alignment: 4)
  }

  static func int64s(_ values: [Int64]) -> FlatValue {
    .scalars(bytes: values.flatMap { littleEndianBytes($0) }, elementSize: 8, alignment: 8)
  }

  static func floats(_ values: [Float]) -> FlatValue {
    .scalars(
      bytes: values.flatMap { littleEndianBytes($0.bitPattern) }, elementSize: 4, alignment: 4)
  }
}

/// A table field: an inline scalar or an offset to a child value.
enum FlatField {
  case uint8(UInt8)
  case int8(Int8)
  case bool(Bool)
  case int32(Int32)
  case uint32(UInt32)
  case float(Float)
  case child(FlatValue)

  fileprivate var inlineSize: Int {
    switch self {
    case .uint8, .int8, .bool: 1
    case .int32, .uint32, .float, .child: 4
    }
  }
}

func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
  withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Serialises front to back: a parent is written before its children, so every offset points
/// forward and is a positive `uoffset_t`, as the format requires. Each table's vtable sits just
/// before the table (`soffset_t` = table - vtable > 0), which is where flatc puts it too.
struct FlatBufferWriter {
  private(set) var bytes: [UInt8] = []

  /// The whole buffer: root offset, the 4-byte file identifier, then the root table.
  static func serialize(root: FlatValue, fileIdentifier: String) -> [UInt8] {
    precondition(fileIdentifier.utf8.count == 4, "a file identifier has 4 bytes")
    var writer = FlatBufferWriter()
    writer.bytes = [0, 0, 0, 0] + Array(fileIdentifier.utf8)
    let rootPosition = writer.write(root)
    writer.patchOffset(at: 0, to: rootPosition)
    writer.pad(to: 16)
    return writer.bytes
  }

  private mutating func pad(to alignment: Int) {
    while bytes.count % alignment != 0 { bytes.append(0) }
  }

  private mutating func patchOffset(at position: Int, to target: Int) {
    precondition(target > position, "flatbuffer offsets point forward")
    let offset = littleEndianBytes(UInt32(target - position))
    bytes.replaceSubrange(position..<position + 4, with: offset)
  }

  /// Appends `value` (and everything below it) and returns the position its offsets must target.
  private mutating func write(_ value: FlatValue) -> Int {
    switch value {
    case .table(let fields): return writeTable(fields)
    case .scalars(let data, let elementSize, let alignment):
      // The element data (after the 4-byte length) must be aligned.
      let align = max(4, alignment)
      while (bytes.count + 4) % align != 0 { bytes.append(0) }
      let start = bytes.count
      bytes += littleEndianBytes(UInt32(data.count / elementSize))
      bytes += data
      return start
    case .string(let text):
      pad(to: 4)
      let start = bytes.count
      let utf8 = Array(text.utf8)
      bytes += littleEndianBytes(UInt32(utf8.count))
      bytes += utf8
      bytes.append(0)
      return start
    case .vector(let elements):
      pad(to: 4)
      let start = bytes.count
      bytes += littleEndianBytes(UInt32(elements.count))
      let slots = bytes.count
      bytes += [UInt8](repeating: 0, count: 4 * elements.count)
      for (i, element) in elements.enumerated() {
        let target = write(element)
        patchOffset(at: slots + 4 * i, to: target)
      }
      return start
    }
  }

  private mutating func writeTable(_ fields: [(id: Int, FlatField)]) -> Int {
    // Inline layout: the soffset to the vtable, then the fields, largest first so that each is
    // naturally aligned once the table start is 4-aligned.
    let ordered = fields.sorted { $0.1.inlineSize > $1.1.inlineSize }
    var fieldOffset: [Int: Int] = [:]
    var tableSize = 4
    for (id, field) in ordered {
      fieldOffset[id] = tableSize
      tableSize += field.inlineSize
    }
    let slotCount = (fields.map(\.id).max() ?? -1) + 1
    var vtable = littleEndianBytes(UInt16(4 + 2 * slotCount)) + littleEndianBytes(UInt16(tableSize))
    for id in 0..<slotCount { vtable += littleEndianBytes(UInt16(fieldOffset[id] ?? 0)) }

    pad(to: 2)
    let vtableStart = bytes.count
    bytes += vtable
    pad(to: 4)
    let tableStart = bytes.count
    bytes += littleEndianBytes(Int32(tableStart - vtableStart))
    var children: [(position: Int, FlatValue)] = []
    for (_, field) in ordered {
      switch field {
      case .uint8(let v): bytes.append(v)
      case .int8(let v): bytes.append(UInt8(bitPattern: v))
      case .bool(let v): bytes.append(v ? 1 : 0)
      case .int32(let v): bytes += littleEndianBytes(v)
      case .uint32(let v): bytes += littleEndianBytes(v)
      case .float(let v): bytes += littleEndianBytes(v.bitPattern)
      case .child(let child):
        children.append((bytes.count, child))
        bytes += [0, 0, 0, 0]
      }
    }
    for (position, child) in children {
      let target = write(child)
      patchOffset(at: position, to: target)
    }
    return tableStart
  }
}
