import Imaging
import InputChecks

/// A NumPy `.npy` array (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// the format `tinycnn run` reads and writes so any tool can feed it inputs and compare outputs.
///
/// Read: versions 1.0, 2.0 and 3.0 headers; little-endian (or byte-order-free) `int8`, `uint8`,
/// `int32`, `float32`, `int64`; C order. Anything else (Fortran order, big-endian data, object
/// arrays, a data size that does not match the shape) is a `DatasetError` naming the file and
/// the cause. Write: version 1.0 (2.0 when the header needs more than 65535 bytes), C order.
public struct NPYArray: Equatable, Sendable {
  public enum DType: String, Sendable, CaseIterable {
    case int8 = "i1"
    case uint8 = "u1"
    case int32 = "i4"
    case float32 = "f4"
    case int64 = "i8"

    public var size: Int {
      switch self {
      case .int8, .uint8: 1
      case .int32, .float32: 4
      case .int64: 8
      }
    }

    /// The header's `descr`: `|` (no byte order) for one-byte types, `<` little-endian otherwise.
    var descr: String { (size == 1 ? "|" : "<") + rawValue }

    /// NumPy's name, for messages ("int8").
    public var name: String {
      switch self {
      case .int8: "int8"
      case .uint8: "uint8"
      case .int32: "int32"
      case .float32: "float32"
      case .int64: "int64"
      }
    }
  }

  public var dtype: DType
  public var shape: [Int]
  /// The elements' bytes, little-endian, in C (row-major) order.
  public var data: [UInt8]

  public var count: Int { shape.reduce(1, *) }

  public init(dtype: DType, shape: [Int], data: [UInt8]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension")
    precondition(data.count == shape.reduce(1, *) * dtype.size, "data does not match the shape")
    self.dtype = dtype
    self.shape = shape
    self.data = data
  }

  public init(int8s values: [Int8], shape: [Int]) {
    self.init(dtype: .int8, shape: shape, data: values.map { UInt8(bitPattern: $0) })
  }

  public init(uint8s values: [UInt8], shape: [Int]) {
    self.init(dtype: .uint8, shape: shape, data: values)
  }

  public init(float32s values: [Float], shape: [Int]) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * 4)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
    self.init(dtype: .float32, shape: shape, data: bytes)
  }

  public init(int32s values: [Int32], shape: [Int]) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * 4)
    for v in values { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    self.init(dtype: .int32, shape: shape, data: bytes)
  }

  /// The elements as Float (any dtype), e.g. to dequantise or print.
  public var floats: [Float] {
    switch dtype {
    case .int8: return data.map { Float(Int8(bitPattern: $0)) }
    case .uint8: return data.map { Float($0) }
    case .int32: return (0..<count).map { Float(load(Int32.self, $0)) }
    case .float32: return (0..<count).map { Float(bitPattern: load(UInt32.self, $0)) }
    case .int64: return (0..<count).map { Float(load(Int64.self, $0)) }
    }
  }

  private func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
    data.withUnsafeBytes {
      T(littleEndian: $0.loadUnaligned(fromByteOffset: i * T.bitWidth / 8, as: T.self))
    }
  }

  // MARK: Files

  public static func read(_ path: String) throws(DatasetError) -> NPYArray {
    let bytes: [UInt8]
    do {
      bytes = try BinaryFile.read(path)
    } catch {
      throw DatasetError(file: error.file, cause: error.cause)
    }
    return try decode(bytes, file: path)
  }

  /// Writes the array to `path` (a temporary file, then a rename).
  public func write(to path: String) throws(DatasetError) {
    do {
      try BinaryFile.write(encoded(), to: path)
    } catch {
      throw DatasetError(file: error.file, cause: error.cause)
    }
  }

  private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  public func encoded() -> [UInt8] {
    let dims =
      shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
    var header = "{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': (\(dims)), }"
    // Version 1.0 has a 2-byte header length; the preamble (magic, version, length) plus the
    // header, padded with spaces and ended by a newline, is a multiple of 64 bytes.
    let version2 = header.utf8.count + 1 + 10 > 65535
    let preamble = version2 ? 12 : 10
    let total = (preamble + header.utf8.count + 1 + 63) / 64 * 64
    header += String(repeating: " ", count: total - preamble - header.utf8.count - 1) + "\n"
    var out = NPYArray.magic + [version2 ? 2 : 1, 0]
    let length = header.utf8.count
    if version2 {
      withUnsafeBytes(of: UInt32(length).littleEndian) { out += $0 }
    } else {
      withUnsafeBytes(of: UInt16(length).littleEndian) { out += $0 }
    }
    out += Array(header.utf8)
    out += data
    return out
  }

  public static func decode(_ bytes: [UInt8], file: String) throws(DatasetError) -> NPYArray {
    func fail(_ cause: String) -> DatasetError { DatasetError(file: file, cause: cause) }
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw fail("not a NumPy .npy file (no \\x93NUMPY magic)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw fail("truncated .npy header") }
      headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
      headerStart = 12
    default:
      throw fail(".npy format version \(major).\(bytes[7]) (TinyCNN reads 1.0, 2.0 and 3.0)")
    }
    guard headerLength <= bytes.count - headerStart else {
      throw fail("truncated .npy header (\(headerLength) bytes announced)")
    }
    let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
    let fields = try parseHeader(header, fail)
    let dataStart = headerStart + headerLength
    let expected = fields.shape.reduce(1, *) * fields.dtype.size
    guard bytes.count - dataStart == expected else {
      throw fail(
        "\(bytes.count - dataStart) bytes of data, the header's shape \(fields.shape) of "
          + "\(fields.dtype.name) needs \(expected)")
    }
    return NPYArray(dtype: fields.dtype, shape: fields.shape, data: Array(bytes[dataStart...]))
  }

  /// The header is a Python dict literal: `{'descr': '<f4', 'fortran_order': False,
  /// 'shape': (3, 4), }` (keys in any order, any spacing).
  private static func parseHeader(_ header: String, _ fail: (String) -> DatasetError)
    throws(DatasetError) -> (dtype: DType, shape: [Int])
  {
    func value(of key: String) -> Substring? {
      for quote in ["'", "\""] {
        guard let k = header.firstRange(of: quote + key + quote) else { continue }
        var rest = header[k.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        return rest
      }
      return nil
    }
    guard let descrValue = value(of: "descr"), let q = descrValue.first, q == "'" || q == "\"",
      let end = descrValue.dropFirst().firstIndex(of: q)
    else { throw fail("the .npy header has no 'descr' (\(header.prefix(80)))") }
    let descr = String(descrValue[descrValue.index(after: descrValue.startIndex)..<end])
    guard let order = value(of: "fortran_order") else {
      throw fail("the .npy header has no 'fortran_order'")
    }
    if order.hasPrefix("True") {
      throw fail("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
    }
    guard order.hasPrefix("False") else { throw fail("bad 'fortran_order' in the .npy header") }
    guard let shapeValue = value(of: "shape"), shapeValue.first == "(",
      let close = shapeValue.firstIndex(of: ")")
    else { throw fail("the .npy header has no 'shape'") }
    let inner = shapeValue[shapeValue.index(after: shapeValue.startIndex)..<close]
    var shape: [Int] = []
    for part in inner.split(separator: ",") {
      let text = part.filter { $0 != " " && $0 != "L" }  // Python 2 wrote longs as 3L
      if text.isEmpty { continue }
      guard let n = Int(text), n >= 0 else {
        throw fail("bad dimension '\(text)' in the .npy shape")
      }
      shape.append(n)
    }
    guard (try? Checked.product(shape, "shape", limit: 1 << 40)) != nil else {
      throw fail("the .npy shape \(shape) is too large")
    }

    guard let order = descr.first, ["<", "|", "=", ">"].contains(order) else {
      throw fail("unsupported dtype '\(descr)'")
    }
    guard let dtype = DType(rawValue: String(descr.dropFirst())) else {
      throw fail(
        "dtype '\(descr)' is not supported (int8, uint8, int32, float32 or int64, little-endian)")
    }
    if order == ">" && dtype.size > 1 {
      throw fail(
        "big-endian dtype '\(descr)' is not supported; save with .astype('<\(dtype.rawValue)')")
    }
    return (dtype, shape)
  }
}
