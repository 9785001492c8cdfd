/// The geometry of PACK, from `preparePack`: the output is `outerSize` runs of, for each input in
/// turn, `copySize` contiguous elements.
public struct PackParams: Equatable, Sendable {
  public var valuesCount: Int
  /// The product of the output dimensions before the new axis, and after it.
  public var outerSize: Int
  public var copySize: Int

  public init(valuesCount: Int, outerSize: Int, copySize: Int) {
    self.valuesCount = valuesCount
    self.outerSize = outerSize
    self.copySize = copySize
  }
}

/// The geometry of TFLM's `PackImpl` (micro/kernels/pack.cc), which has no Prepare: here the
/// shapes are checked once, before any run.
///
/// - axis: the operator's option, in the output's rank (negative counts from its end).
/// - inputShape: tensor `i`'s shape, for `i` in `0..<valuesCount`; all must be equal.
/// - Throws: `invalidAxis`, or `shapeMismatch` unless the output is the input shape with
///   `valuesCount` inserted at the axis.
public func preparePack(
  axis: Int32, valuesCount: Int, outputShape: RuntimeShape, inputShape: (Int) -> RuntimeShape
) throws(KernelError) -> PackParams {
  guard valuesCount >= 1 else { throw .shapeMismatch }
  let rank = outputShape.rank
  let resolvedAxis = axis < 0 ? Int(axis) + rank : Int(axis)
  guard resolvedAxis >= 0, resolvedAxis < rank else { throw .invalidAxis(axis) }
  let shape = inputShape(0)
  guard shape.rank == rank - 1, outputShape[resolvedAxis] == valuesCount else {
    throw .shapeMismatch
  }
  for d in 0..<shape.rank where shape[d] != outputShape[d < resolvedAxis ? d : d + 1] {
    throw .shapeMismatch
  }
  for i in 1..<valuesCount where inputShape(i) != shape { throw .shapeMismatch }
  var outerSize = 1
  for d in 0..<resolvedAxis { outerSize *= outputShape[d] }
  var copySize = 1
  for d in (resolvedAxis + 1)..<rank { copySize *= outputShape[d] }
  return PackParams(valuesCount: valuesCount, outerSize: outerSize, copySize: copySize)
}

/// PACK (TensorFlow's `stack`) for any element type: input `i`'s `k`-th run of `copySize`
/// elements goes to output run `k * valuesCount + i`. Mirrors TFLM's `PackImpl`; the converter
/// emits it on int32 shape vectors for a dynamic batch dimension.
/// - inputs: input `i`'s data, for `i` in `0..<p.valuesCount`.
public func packReference<Element>(
  _ p: PackParams, inputs: (Int) -> UnsafePointer<Element>,
  output: UnsafeMutablePointer<Element>
) {
  for i in 0..<p.valuesCount {
    let input = inputs(i)
    for k in 0..<p.outerSize {
      (output + (k * p.valuesCount + i) * p.copySize).update(
        from: input + k * p.copySize, count: p.copySize)
    }
  }
}
