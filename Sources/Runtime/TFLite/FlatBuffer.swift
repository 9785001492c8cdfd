// The FlatBuffers wire format (https://flatbuffers.dev/internals/), read in place with every
// position checked before it is read. Nothing here trusts the file: an offset, a vtable entry or a
// vector length that leaves the buffer is a `RuntimeError` naming the byte, never a trap or an
// out-of-bounds read. Scalars are read with unaligned loads, so a hostile alignment is harmless;
// only the constant tensor data handed to kernels needs natural alignment (checked in Model).
//
// All position arithmetic is in `Int` after checking against `count`, never in a wider type:
// on a 32-bit target `Int` is 32 bits and the 32-bit `-no-allocations` build rejects 64-bit
// conversions (embedded/README.md).

#if _endian(big)
  #error("The .tflite reader loads little-endian scalars natively; big-endian needs byte swaps.")
#endif

/// The model bytes and the checked primitive reads.
struct FlatBuffer {
  let bytes: UnsafeRawBufferPointer
  var count: Int { bytes.count }

  /// Whether `size` bytes starting at `position` lie in the buffer (no overflow for any input).
  @inline(__always)
  func contains(_ position: Int, size: Int) -> Bool {
    position >= 0 && size >= 0 && position <= count && size <= count - position
  }

  /// A little-endian scalar at `position`, or `.truncatedModel` naming the first missing byte.
  /// Generic over `BitwiseCopyable`, not `FixedWidthInteger`: the latter (for `littleEndian`)
  /// trips Swift 6.3's 32-bit `-no-allocations` false positive; every target we build for is
  /// little-endian, which the `#error` below enforces.
  @inline(__always)
  func load<T: BitwiseCopyable>(_: T.Type, at position: Int) throws(RuntimeError) -> T {
    guard contains(position, size: MemoryLayout<T>.size) else {
      throw .truncatedModel(atByte: max(position, 0) &+ MemoryLayout<T>.size)
    }
    return bytes.loadUnaligned(fromByteOffset: position, as: T.self)
  }

  /// The position a `uoffset_t` stored at `position` points to. Offsets are unsigned and relative
  /// to where they are stored; `minimumSize` bytes must exist at the target.
  func followOffset(at position: Int, minimumSize: Int = 4) throws(RuntimeError) -> Int {
    let offset = try load(UInt32.self, at: position)
    // Compare in UInt so a huge offset cannot overflow a 32-bit Int.
    let remaining = UInt(bitPattern: count &- position)
    guard offset != 0, UInt(offset) < remaining,
      contains(position &+ Int(offset), size: minimumSize)
    else { throw .offsetOutOfRange(atByte: position) }
    return position &+ Int(offset)
  }

  /// The table whose root offset is at byte 0 (after which comes the 4-byte file identifier).
  func rootTable() throws(RuntimeError) -> FlatTable {
    guard count >= 8 else { throw .truncatedModel(atByte: 8) }
    return try FlatTable(self, at: try followOffset(at: 0))
  }
}

/// A table: inline fields located through its vtable.
struct FlatTable {
  let buffer: FlatBuffer
  /// Where the table starts (its `soffset_t` to the vtable).
  let position: Int
  private let vtable: Int
  private let vtableSize: Int
  private let tableSize: Int

  init(_ buffer: FlatBuffer, at position: Int) throws(RuntimeError) {
    self.buffer = buffer
    self.position = position
    let toVTable = try buffer.load(Int32.self, at: position)
    // The vtable sits at `position - soffset`; either side of the table is legal.
    let vtable = position &- Int(toVTable)  // wraps negative, never to a valid position
    guard buffer.contains(vtable, size: 4) else {
      throw .invalidVTable(atByte: position)
    }
    let vtableSize = Int(try buffer.load(UInt16.self, at: vtable))
    let tableSize = Int(try buffer.load(UInt16.self, at: vtable + 2))
    guard vtableSize >= 4, vtableSize % 2 == 0, buffer.contains(vtable, size: vtableSize),
      tableSize >= 4
    else { throw .invalidVTable(atByte: position) }
    guard buffer.contains(position, size: tableSize) else {
      throw .truncatedModel(atByte: position + tableSize)
    }
    self.vtable = vtable
    self.vtableSize = vtableSize
    self.tableSize = tableSize
  }

  /// The absolute position of field `id` (`size` bytes inline), or nil when the field is absent
  /// (the reader then uses the schema default).
  func fieldPosition(_ id: Int, size: Int) throws(RuntimeError) -> Int? {
    let entry = 4 + 2 * id
    guard entry + 2 <= vtableSize else { return nil }  // written by an older schema
    let offset = Int(try buffer.load(UInt16.self, at: vtable + entry))
    if offset == 0 { return nil }
    guard offset >= 4, offset <= tableSize - size else { throw .invalidVTable(atByte: position) }
    return position + offset
  }

  func scalar<T: BitwiseCopyable>(_ id: Int, default value: T) throws(RuntimeError) -> T {
    guard let at = try fieldPosition(id, size: MemoryLayout<T>.size) else { return value }
    return try buffer.load(T.self, at: at)
  }

  func float(_ id: Int, default value: Float) throws(RuntimeError) -> Float {
    guard let at = try fieldPosition(id, size: 4) else { return value }
    return Float(bitPattern: try buffer.load(UInt32.self, at: at))
  }

  func bool(_ id: Int, default value: Bool = false) throws(RuntimeError) -> Bool {
    try scalar(id, default: UInt8(value ? 1 : 0)) != 0
  }

  /// An unsigned 64-bit field (`ulong`) as its two 32-bit halves (no 64-bit integers on 32-bit
  /// targets); absent is zero.
  func uint64Halves(_ id: Int) throws(RuntimeError) -> (low: UInt32, high: UInt32) {
    guard let at = try fieldPosition(id, size: 8) else { return (0, 0) }
    return (try buffer.load(UInt32.self, at: at), try buffer.load(UInt32.self, at: at + 4))
  }

  func table(_ id: Int) throws(RuntimeError) -> FlatTable? {
    guard let at = try fieldPosition(id, size: 4) else { return nil }
    return try FlatTable(buffer, at: try buffer.followOffset(at: at))
  }

  /// A vector of `elementSize`-byte elements (scalars, or 4-byte offsets for tables and strings).
  func vector(_ id: Int, elementSize: Int) throws(RuntimeError) -> FlatVector? {
    guard let at = try fieldPosition(id, size: 4) else { return nil }
    return try FlatVector(buffer, at: try buffer.followOffset(at: at), elementSize: elementSize)
  }

  /// A string's bytes (UTF-8, without the terminating NUL, which is checked).
  func string(_ id: Int) throws(RuntimeError) -> UnsafeRawBufferPointer? {
    guard let at = try fieldPosition(id, size: 4) else { return nil }
    return try FlatVector.string(buffer, at: try buffer.followOffset(at: at))
  }
}

/// A vector: a 32-bit element count, then the elements.
struct FlatVector {
  let buffer: FlatBuffer
  /// Where the count is stored.
  let position: Int
  let count: Int
  let elementSize: Int
  var start: Int { position + 4 }

  init(buffer: FlatBuffer, position: Int, count: Int, elementSize: Int) {
    self.buffer = buffer
    self.position = position
    self.count = count
    self.elementSize = elementSize
  }

  init(_ buffer: FlatBuffer, at position: Int, elementSize: Int) throws(RuntimeError) {
    let count = try buffer.load(UInt32.self, at: position)
    // count * elementSize <= bytes left, tested by division so it cannot overflow.
    let left = buffer.count - (position + 4)
    guard UInt(count) <= UInt(bitPattern: left / elementSize) else {
      throw .vectorOutOfRange(atByte: position, count: Int(bitPattern: UInt(count)))
    }
    self.buffer = buffer
    self.position = position
    self.count = Int(count)
    self.elementSize = elementSize
  }

  static func string(_ buffer: FlatBuffer, at position: Int) throws(RuntimeError)
    -> UnsafeRawBufferPointer
  {
    let v = try FlatVector(buffer, at: position, elementSize: 1)
    // FlatBuffers strings end with a NUL after `count` bytes; its absence means a bad length.
    guard v.count < buffer.count - v.start, try buffer.load(UInt8.self, at: v.start + v.count) == 0
    else { throw .vectorOutOfRange(atByte: position, count: v.count) }
    return v.bytes
  }

  /// The elements' bytes, in place.
  var bytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: buffer.bytes[start..<start + count * elementSize])
  }

  /// The table that element `i` of a vector of tables points to.
  func table(_ i: Int) throws(RuntimeError) -> FlatTable {
    precondition(i >= 0 && i < count && elementSize == 4)
    return try FlatTable(buffer, at: try buffer.followOffset(at: start + 4 * i))
  }
}
