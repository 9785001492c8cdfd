import FloatGEMM

/// The GEMM for operands that are both contiguous along k, `C[i][j] = Σ_t A[i][t]·B[j][t]`
/// ("A·Bᵀ" with B stored as Bᵀ): the weight gradients `dW = dy · colᵀ`, where k is the pixel count
/// of a whole batch share (25,088 for LeNet's conv1) and m, n are small (6 x 25). Packing such a
/// B for the 6x16 kernel is a scalar transpose of the whole im2col matrix, which cost as much as
/// the arithmetic; here the SIMD lanes run along k instead, so both operands are read in place.
///
/// The 4x3 register tile (`GEMMTiles.dot4x3`, FloatGEMM) sums the lanes once per tile and k
/// block. k is blocked by 1024 so a tile's 7 rows (28 KB) stay in L1 while the tiles of one k
/// block reuse them.
enum GEMMDotKernel {
  static let rows = 4
  static let columns = 3
  static let depthBlock = 1024

  /// `C (+)= A·Bᵀ` with `a.columnStride == 1` and `b.rowStride == 1`.
  static func gemm(
    _ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView, accumulate: Bool,
    tiles: GEMMTiles
  ) {
    let (m, n, k) = (c.rows, c.columns, a.columns)
    let out = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns)
    defer { out.deallocate() }
    for depthStart in stride(from: 0, to: k, by: depthBlock) {
      let depth = min(depthBlock, k - depthStart)
      let add = accumulate || depthStart > 0
      for column in stride(from: 0, to: n, by: columns) {
        // Past the right edge the tile reads the last column again and drops the results.
        func bRow(_ j: Int) -> UnsafePointer<Float> {
          b.base + min(column + j, n - 1) * b.columnStride + depthStart
        }
        let (b0, b1, b2) = (bRow(0), bRow(1), bRow(2))
        for row in stride(from: 0, to: m, by: rows) {
          func aRow(_ i: Int) -> UnsafePointer<Float> {
            a.base + min(row + i, m - 1) * a.rowStride + depthStart
          }
          tiles.dot4x3(depth, aRow(0), aRow(1), aRow(2), aRow(3), b0, b1, b2, out)
          for i in 0..<min(rows, m - row) {
            for j in 0..<min(columns, n - column) {
              let v = out[i * columns + j]
              c[row + i, column + j] = add ? c[row + i, column + j] + v : v
            }
          }
        }
      }
    }
  }
}
