/// `C = A·B`, or `C += A·B` when `accumulate`: the plain triple loop, summed in `Double`. It is
/// the specification the fast `gemm` is tested against, and nothing in training calls it.
///
/// - Parameters:
///   - a: `m x k`
///   - b: `k x n`
///   - c: `m x n`
public func gemmReference(
  _ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView, accumulate: Bool = false
) {
  precondition(a.columns == b.rows && c.rows == a.rows && c.columns == b.columns, "GEMM shapes")
  for row in 0..<c.rows {
    for column in 0..<c.columns {
      var sum = accumulate ? Double(c[row, column]) : 0
      for inner in 0..<a.columns {
        sum += Double(a[row, inner]) * Double(b[inner, column])
      }
      c[row, column] = Float(sum)
    }
  }
}
