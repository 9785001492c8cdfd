/// A read-only strided view of a row-major or transposed float matrix: element (row, column) is
/// `base[row * rowStride + column * columnStride]`. A transpose is the same memory with the two
/// strides swapped, so the GEMM takes `Aᵀ` and `Bᵀ` without copying them first.
public struct MatrixView {
  public var base: UnsafePointer<Float>
  public var rows: Int
  public var columns: Int
  public var rowStride: Int
  public var columnStride: Int

  /// A row-major `rows x columns` matrix whose rows are `leadingDimension` floats apart.
  public init(_ base: UnsafePointer<Float>, rows: Int, columns: Int, leadingDimension: Int? = nil) {
    self.base = base
    self.rows = rows
    self.columns = columns
    self.rowStride = leadingDimension ?? columns
    self.columnStride = 1
  }

  public init(
    _ base: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int, columnStride: Int
  ) {
    self.base = base
    self.rows = rows
    self.columns = columns
    self.rowStride = rowStride
    self.columnStride = columnStride
  }

  /// The same memory read as the transposed matrix.
  public var transposed: MatrixView {
    MatrixView(
      base, rows: columns, columns: rows, rowStride: columnStride, columnStride: rowStride)
  }

  @inline(__always) public subscript(row: Int, column: Int) -> Float {
    base[row &* rowStride &+ column &* columnStride]
  }
}

/// A row-major output matrix: element (row, column) is `base[row * rowStride + column]`. The
/// micro-kernel stores 16 contiguous columns at a time, so the output's columns must be dense.
public struct MutableMatrixView {
  public var base: UnsafeMutablePointer<Float>
  public var rows: Int
  public var columns: Int
  public var rowStride: Int

  public init(
    _ base: UnsafeMutablePointer<Float>, rows: Int, columns: Int, leadingDimension: Int? = nil
  ) {
    self.base = base
    self.rows = rows
    self.columns = columns
    self.rowStride = leadingDimension ?? columns
  }

  @inline(__always) public subscript(row: Int, column: Int) -> Float {
    get { base[row &* rowStride &+ column] }
    nonmutating set { base[row &* rowStride &+ column] = newValue }
  }
}
