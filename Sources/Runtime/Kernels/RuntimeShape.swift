/// A rank-4 tensor shape in NHWC order, TFLM's `RuntimeShape` as the 4-D kernels see it.
/// Lower-rank tensors are right-aligned with leading ones, as TFLM's `RuntimeShape::ExtendedShape`
/// does: a FULLY_CONNECTED input `[batch, depth]` is `Shape4(n: 1, h: 1, w: batch, c: depth)`
/// (see `init(extending:)`), a vector `[k]` is `(1, 1, 1, k)`.
///
/// Dimensions are `Int`, not `Int32`: `Int` is the pointer-offset type, so indexing needs no
/// conversions, and it is the machine word on both targets (64-bit on the host, 32-bit on a
/// Cortex-M, where it costs the same as `Int32`). The .tflite reader converts the file's int32
/// dims once, after checking them.
public struct Shape4: Equatable, Sendable {
  public var n: Int
  public var h: Int
  public var w: Int
  public var c: Int

  public init(n: Int, h: Int, w: Int, c: Int) {
    self.n = n
    self.h = h
    self.w = w
    self.c = c
  }

  /// Right-aligns up to four dimensions, filling the front with ones (TFLM's ExtendedShape).
  /// `dims` holds `count` (0...4) values, outermost first.
  public init(extending dims: UnsafePointer<Int32>, count: Int) {
    precondition(count >= 0 && count <= 4, "Shape4 holds at most four dimensions")
    self.init(n: 1, h: 1, w: 1, c: 1)
    for i in 0..<count { self[4 - count + i] = Int(dims[i]) }
  }

  /// The number of elements, TFLM's `FlatSize()`.
  public var flatSize: Int { n * h * w * c }

  /// The element index of `[b, y, x, ch]`, TFLM's `Offset(shape, b, y, x, ch)`.
  @inline(__always)
  public func offset(_ b: Int, _ y: Int, _ x: Int, _ ch: Int) -> Int {
    ((b * h + y) * w + x) * c + ch
  }

  /// The dimension at `index` (0 = n ... 3 = c), TFLM's `Dims(i)`.
  public subscript(index: Int) -> Int {
    get {
      switch index {
      case 0: return n
      case 1: return h
      case 2: return w
      default: return c
      }
    }
    set {
      switch index {
      case 0: n = newValue
      case 1: h = newValue
      case 2: w = newValue
      default: c = newValue
      }
    }
  }
}

/// A tensor shape of rank 0...6, outermost dimension first: TFLM's `RuntimeShape`
/// (`kMaxSmallSize = 6`) for the kernels whose work depends on the rank (MEAN's axes,
/// CONCATENATION's and PACK's axis, PAD, STRIDED_SLICE, SHAPE, broadcasting ADD).
///
/// Fixed storage, no allocation: the Embedded subset has no `Array` growth, and `InlineArray`
/// would need macOS 26 on the host. Dimensions are `Int` for the reason `Shape4`'s are.
public struct RuntimeShape: Equatable, Sendable {
  /// TFLM's `RuntimeShape::kMaxSmallSize`: no TFLM kernel takes a tensor of higher rank.
  public static let maxRank = 6

  /// The rank, TFLM's `DimensionsCount()`.
  public private(set) var rank: Int
  private var dims: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)

  /// A scalar (rank 0).
  public init() { rank = 0 }

  /// The shape the .tflite file stores (`Tensor.shape`, int32, outermost first). A negative
  /// dimension or a rank above `maxRank` is a property of the file, so it is thrown.
  public init(_ fileDims: some Int32Elements) throws(KernelError) {
    guard fileDims.count <= RuntimeShape.maxRank else {
      throw .tooManyDimensions(rank: fileDims.count)
    }
    rank = fileDims.count
    for i in 0..<fileDims.count {
      guard fileDims[i] >= 0 else { throw .invalidShape }
      self[i] = Int(fileDims[i])
    }
  }

  /// Adds an innermost dimension.
  public mutating func append(_ dimension: Int) {
    precondition(rank < RuntimeShape.maxRank, "RuntimeShape holds at most six dimensions")
    rank += 1
    self[rank - 1] = dimension
  }

  /// The dimension at `index` (0 is outermost), TFLM's `Dims(i)`.
  public subscript(index: Int) -> Int {
    get {
      precondition(index >= 0 && index < rank, "dimension index out of range")
      switch index {
      case 0: return dims.0
      case 1: return dims.1
      case 2: return dims.2
      case 3: return dims.3
      case 4: return dims.4
      default: return dims.5
      }
    }
    set {
      precondition(index >= 0 && index < rank, "dimension index out of range")
      switch index {
      case 0: dims.0 = newValue
      case 1: dims.1 = newValue
      case 2: dims.2 = newValue
      case 3: dims.3 = newValue
      case 4: dims.4 = newValue
      default: dims.5 = newValue
      }
    }
  }

  /// The number of elements, TFLM's `FlatSize()` (1 for a scalar).
  public var flatSize: Int {
    var size = 1
    for i in 0..<rank { size *= self[i] }
    return size
  }

  /// The same shape with leading ones up to `newRank`, TFLM's `RuntimeShape::ExtendedShape`.
  public func extended(toRank newRank: Int) -> RuntimeShape {
    precondition(newRank >= rank && newRank <= RuntimeShape.maxRank, "cannot extend")
    var result = RuntimeShape()
    result.rank = newRank
    let pad = newRank - rank
    for i in 0..<newRank { result[i] = i < pad ? 1 : self[i - pad] }
    return result
  }

  /// The rank-4 view the 4-D kernels take (ExtendedShape(4)); the caller has checked the rank.
  public var shape4: Shape4 {
    let s = extended(toRank: 4)
    return Shape4(n: s[0], h: s[1], w: s[2], c: s[3])
  }

  public static func == (a: RuntimeShape, b: RuntimeShape) -> Bool {
    guard a.rank == b.rank else { return false }
    for i in 0..<a.rank where a[i] != b[i] { return false }
    return true
  }
}

/// What prepare functions read int32 operands through (shapes, MEAN's axes, PAD's paddings,
/// STRIDED_SLICE's begin/end/strides): a vector read in place from the model file
/// (`Int32Vector`, unaligned loads) or an aligned buffer.
public protocol Int32Elements {
  var count: Int { get }
  subscript(_ i: Int) -> Int32 { get }
}

extension UnsafeBufferPointer: Int32Elements where Element == Int32 {}
extension Int32Vector: Int32Elements {}
