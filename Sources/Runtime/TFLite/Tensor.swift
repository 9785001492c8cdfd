/// The .tflite `TensorType` values (schema.fbs).
public enum TensorType: Int8, Sendable {
  case float32 = 0
  case float16 = 1
  case int32 = 2
  case uint8 = 3
  case int64 = 4
  case string = 5
  case bool = 6
  case int16 = 7
  case complex64 = 8
  case int8 = 9
  case float64 = 10
  case complex128 = 11
  case uint64 = 12
  case resource = 13
  case variant = 14
  case uint32 = 15
  case uint16 = 16
  case int4 = 17
  case bfloat16 = 18

  /// Bytes per element, or nil for the types whose size TFLM cannot compute either (strings,
  /// resources, variants) or that pack two values per byte (int4).
  public var elementSize: Int? {
    switch self {
    case .bool, .int8, .uint8: return 1
    case .float16, .int16, .uint16, .bfloat16: return 2
    case .float32, .int32, .uint32: return 4
    case .int64, .uint64, .float64, .complex64: return 8
    case .complex128: return 16
    case .string, .resource, .variant, .int4: return nil
    }
  }

  /// The schema's name ("INT8"), for error messages.
  public var name: StaticString {
    switch self {
    case .float32: return "FLOAT32"
    case .float16: return "FLOAT16"
    case .int32: return "INT32"
    case .uint8: return "UINT8"
    case .int64: return "INT64"
    case .string: return "STRING"
    case .bool: return "BOOL"
    case .int16: return "INT16"
    case .complex64: return "COMPLEX64"
    case .int8: return "INT8"
    case .float64: return "FLOAT64"
    case .complex128: return "COMPLEX128"
    case .uint64: return "UINT64"
    case .resource: return "RESOURCE"
    case .variant: return "VARIANT"
    case .uint32: return "UINT32"
    case .uint16: return "UINT16"
    case .int4: return "INT4"
    case .bfloat16: return "BFLOAT16"
    }
  }
}

/// The most dimensions a tensor may have (TFLM's kernels handle up to 5; RuntimeShape inlines 6).
public let maxTensorRank = 6

/// A vector of int32 read in place from the model (unaligned loads: the file decides alignment).
public struct Int32Vector {
  let base: UnsafeRawPointer?
  public let count: Int

  init(_ bytes: UnsafeRawBufferPointer) {
    base = bytes.baseAddress
    count = bytes.count / 4
  }

  /// The empty vector (an absent field).
  public init() {
    base = nil
    count = 0
  }

  public subscript(i: Int) -> Int32 {
    precondition(i >= 0 && i < count, "Int32Vector index out of range")
    // Non-nil whenever count > 0.
    return base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)
  }
}

/// A vector of float32 read in place from the model.
public struct FloatVector {
  let base: UnsafeRawPointer?
  public let count: Int

  init(_ bytes: UnsafeRawBufferPointer) {
    base = bytes.baseAddress
    count = bytes.count / 4
  }

  public subscript(i: Int) -> Float {
    precondition(i >= 0 && i < count, "FloatVector index out of range")
    return base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
  }
}

/// A tensor's `QuantizationParameters`: `real = scale * (q - zeroPoint)`, one pair per tensor or
/// one per slice along `quantizedDimension`. Checked when the model is opened: at least one
/// scale, every scale finite and non-negative, one zero point or one per scale, each fitting the
/// tensor's type.
public struct Quantization {
  public let scales: FloatVector
  /// The file's int64 zero points (little-endian), read as int32 after the range check.
  let zeroPointBytes: UnsafeRawBufferPointer
  public let quantizedDimension: Int

  public var scaleCount: Int { scales.count }
  public var zeroPointCount: Int { zeroPointBytes.count / 8 }

  /// The first scale: TFLM's `params.scale`, what per-tensor kernels use.
  public var scale: Float { scales[0] }
  /// The first zero point: TFLM's `params.zero_point`.
  public var zeroPoint: Int32 { zeroPoint(0) }

  /// Zero point `i` (the only one when the file stores a single zero point for every scale).
  public func zeroPoint(_ i: Int) -> Int32 {
    let k = zeroPointCount == 1 ? 0 : i
    precondition(k >= 0 && k < zeroPointCount, "zero point index out of range")
    // The low half; the reader checked the high half is its sign extension.
    return zeroPointBytes.loadUnaligned(fromByteOffset: 8 * k, as: Int32.self)
  }

  public var isPerChannel: Bool { scales.count > 1 }
}

/// One tensor of the model's subgraph, read in place.
public struct Tensor {
  public let index: Int
  public let type: TensorType
  /// Dimensions, outermost first (TFLM runs with `shape`; a dynamic batch shows as -1 only in
  /// `shapeSignature`).
  public let shape: Int32Vector
  /// The converter's `shape_signature` (-1 for a dynamic dimension), or empty when absent.
  public let shapeSignature: Int32Vector
  /// The name's UTF-8 bytes (may be empty).
  public let name: UnsafeRawBufferPointer
  public let bufferIndex: Int
  /// The constant data, or nil for a tensor computed at run time (an empty buffer).
  public let data: UnsafeRawBufferPointer?
  public let quantization: Quantization?
  public let elementCount: Int
  public let isVariable: Bool

  public var rank: Int { shape.count }
  public var isConstant: Bool { data != nil }
  /// `elementCount * type.elementSize` (checked to fit in 31 bits when the model was opened).
  public var byteCount: Int { elementCount * (type.elementSize ?? 0) }

  /// Dimension `i` as an `Int` (checked non-negative when the model was opened).
  public func dim(_ i: Int) -> Int { Int(shape[i]) }

  /// The shape right-aligned in four dimensions with leading ones (TFLM's
  /// `RuntimeShape::ExtendedShape(4, ...)`); the caller checks `rank <= 4`.
  public var shape4: Shape4 {
    precondition(rank <= 4, "shape4 of a tensor with more than four dimensions")
    var s = Shape4(n: 1, h: 1, w: 1, c: 1)
    for i in 0..<rank { s[4 - rank + i] = dim(i) }
    return s
  }
}
