import Foundation
import InputChecks

/// A float tensor: a shape and its values in row-major (C) order.
public struct FloatTensor: Hashable, Sendable {
  public var shape: [Int]
  public var values: [Float]

  public init(shape: [Int], values: [Float]) {
    precondition(shape.reduce(1, *) == values.count, "shape \(shape) vs \(values.count) values")
    self.shape = shape
    self.values = values
  }
}

/// `value` as an `Int` when it is a JSON number holding a whole number an `Int` can represent
/// (NSNumber's `intValue` traps on 1e30 and truncates 2.5).
func exactInt(_ value: Any) -> Int? {
  guard let n = value as? NSNumber else { return nil }
  return Int(exactly: n.doubleValue)
}

/// The .safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON (`{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets"}}`),
/// then the raw little-endian tensor bytes. Python's `safetensors`, NumPy and PyTorch read it.
public struct SafetensorsFile: Sendable {
  public struct FormatError: Error, CustomStringConvertible {
    public var path: String
    public var cause: String
    public var description: String { "\(path): \(cause)" }

    public init(path: String, cause: String) {
      self.path = path
      self.cause = cause
    }
  }

  public var metadata: [String: String]
  /// Tensors in file order (the JSON header itself is unordered; data order is kept).
  public var tensors: [(name: String, tensor: FloatTensor)]

  public init(metadata: [String: String] = [:], tensors: [(name: String, tensor: FloatTensor)]) {
    self.metadata = metadata
    self.tensors = tensors
  }

  public subscript(name: String) -> FloatTensor? {
    tensors.first { $0.name == name }?.tensor
  }

  // A header is a few KB for our models; refusing absurd lengths keeps a corrupt first 8 bytes
  // from turning into a huge allocation.
  static let maximumHeaderBytes = 100 << 20

  /// The file's bytes: F32 tensors, header padded with spaces to a multiple of 8 so the data
  /// starts aligned (as the reference writer does).
  public func encoded() -> [UInt8] {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    for (name, tensor) in tensors {
      let bytes = tensor.values.count * 4
      header[name] = [
        "dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes],
      ]
      offset += bytes
    }
    var json = Array(jsonBytes(header))
    while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: json)
    for (_, tensor) in tensors {
      for v in tensor.values {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
      }
    }
    return out
  }

  public func write(to path: String) throws(AtomicFile.WriteError) {
    try AtomicFile.write(encoded(), to: path)
  }

  public static func read(_ path: String) throws(FormatError) -> SafetensorsFile {
    let bytes: [UInt8]
    do { bytes = try FileBytes.read(path) } catch {
      throw FormatError(path: path, cause: error.reason)
    }
    return try decode(bytes, source: path)
  }

  /// Parses and checks a whole file: header length, JSON, dtypes, shapes against byte counts,
  /// offsets inside the data section.
  public static func decode(_ bytes: [UInt8], source: String) throws(FormatError)
    -> SafetensorsFile
  {
    func fail(_ cause: String) -> FormatError { FormatError(path: source, cause: cause) }
    guard bytes.count >= 8 else {
      throw fail("not a .safetensors file (\(bytes.count) bytes, shorter than the 8-byte header)")
    }
    let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard headerLength <= UInt64(min(maximumHeaderBytes, bytes.count - 8)) else {
      throw fail(
        "not a .safetensors file or truncated (header length \(headerLength), file \(bytes.count) bytes)"
      )
    }
    let dataStart = 8 + Int(headerLength)
    guard
      let object = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])),
      let header = object as? [String: Any]
    else { throw fail("the header is not a JSON object") }

    var metadata: [String: String] = [:]
    if let raw = header["__metadata__"] {
      guard let m = raw as? [String: String] else {
        throw fail("__metadata__ must map strings to strings")
      }
      metadata = m
    }
    var entries: [(name: String, start: Int, tensor: FloatTensor)] = []
    // By name, so a file with several problems always reports the same one.
    for (name, raw) in header.sorted(by: { $0.key < $1.key }) where name != "__metadata__" {
      guard let info = raw as? [String: Any], let dtype = info["dtype"] as? String,
        let rawShape = info["shape"] as? [Any], let rawOffsets = info["data_offsets"] as? [Any],
        rawOffsets.count == 2
      else { throw fail("tensor '\(name)': needs dtype, shape and data_offsets") }
      let elementSize: Int
      switch dtype {
      case "F32": elementSize = 4
      case "F64": elementSize = 8
      default: throw fail("tensor '\(name)': dtype \(dtype) is not supported (F32, F64)")
      }
      // Every number is checked before it is used: a corrupt header must not trap in `Int(x)`,
      // overflow a product or an offset, or ask for more memory than the file holds.
      let shape = rawShape.compactMap(exactInt)
      let offsets = rawOffsets.compactMap(exactInt)
      guard shape.count == rawShape.count, shape.allSatisfy({ $0 >= 0 }) else {
        throw fail("tensor '\(name)': bad shape \(rawShape) (sizes must be whole numbers >= 0)")
      }
      guard offsets.count == 2 else {
        throw fail("tensor '\(name)': bad data_offsets \(rawOffsets) (whole numbers >= 0)")
      }
      guard
        let byteCount = try? Checked.product(shape + [elementSize], "shape", limit: bytes.count)
      else {
        throw fail(
          "tensor '\(name)': shape \(shape) needs more bytes than the file has (\(bytes.count))")
      }
      let count = byteCount / elementSize
      let (start, end) = (offsets[0], offsets[1])
      guard start >= 0, end >= start, let dataEnd = try? Checked.sum(dataStart, end, "offset"),
        dataEnd <= bytes.count
      else {
        throw fail(
          "tensor '\(name)': data_offsets \(offsets) run past the end of the file (truncated?)")
      }
      guard end - start == byteCount else {
        throw fail(
          "tensor '\(name)': shape \(shape) needs \(byteCount) bytes, offsets give \(end - start)"
        )
      }
      let values = bytes.withUnsafeBytes { raw in
        (0..<count).map { i -> Float in
          let at = dataStart + start + i * elementSize
          return elementSize == 4
            ? Float(
              bitPattern: UInt32(
                littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            : Float(
              Double(
                bitPattern: UInt64(
                  littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
        }
      }
      entries.append((name, start, FloatTensor(shape: shape, values: values)))
    }
    entries.sort { ($0.start, $0.name) < ($1.start, $1.name) }
    return SafetensorsFile(metadata: metadata, tensors: entries.map { ($0.name, $0.tensor) })
  }
}
