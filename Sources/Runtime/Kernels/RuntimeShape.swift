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
