/// TFLM's `ReshapeOutput` (micro/kernels/reshape_common.cc): resolves the output shape the file
/// states and checks it holds the input's elements.
///
/// - outputDims: the output tensor's dims as stored (int32); one of them may be -1 (TFLM's
///   "stretch" dimension, computed from the others).
/// - hasShapeInput: whether the operator has its second (shape) input. Without it, a stated
///   shape `[0]` is the legacy spelling of a scalar.
/// - Throws: `invalidShape` for a second -1 or another negative dimension; `shapeMismatch` when
///   the element counts differ (or a -1 sits among zero dimensions, where TFLM would divide by
///   zero).
public func prepareReshape(
  inputShape: RuntimeShape, outputDims: some Int32Elements, hasShapeInput: Bool
) throws(KernelError) -> RuntimeShape {
  if !hasShapeInput && outputDims.count == 1 && outputDims[0] == 0 {
    guard inputShape.flatSize == 1 else { throw .shapeMismatch }
    return RuntimeShape()
  }
  guard outputDims.count <= RuntimeShape.maxRank else {
    throw .tooManyDimensions(rank: outputDims.count)
  }
  var shape = RuntimeShape()
  var stretchAxis: Int? = nil
  var knownElements = 1
  for i in 0..<outputDims.count {
    let value = Int(outputDims[i])
    if value == -1 {
      guard stretchAxis == nil else { throw .invalidShape }
      stretchAxis = i
      shape.append(1)
    } else {
      guard value >= 0 else { throw .invalidShape }
      knownElements *= value
      shape.append(value)
    }
  }
  if let stretchAxis {
    guard knownElements > 0 else { throw .shapeMismatch }
    shape[stretchAxis] = inputShape.flatSize / knownElements
  }
  guard shape.flatSize == inputShape.flatSize else { throw .shapeMismatch }
  return shape
}

/// RESHAPE: the bytes are unchanged, so this is a copy, or nothing when the planner gave the
/// output the input's memory. Mirrors TFLM's `EvalReshapeReference`.
public func reshapeReference(
  byteCount: Int, input: UnsafeRawPointer, output: UnsafeMutableRawPointer
) {
  if UnsafeRawPointer(output) != input {
    output.copyMemory(from: input, byteCount: byteCount)
  }
}

/// SHAPE's check: the int32 output must be a vector with one entry per input dimension (TFLM
/// does not check it and writes `rank` entries).
public func prepareShape(inputShape: RuntimeShape, outputShape: RuntimeShape)
  throws(KernelError)
{
  guard outputShape.rank == 1, outputShape[0] == inputShape.rank else { throw .shapeMismatch }
}

/// SHAPE with int32 output (the only type TFLM's SHAPE writes): the input's dimensions.
/// Mirrors TFLM's `ShapeEval` (micro/kernels/shape.cc).
public func shapeReference(inputShape: RuntimeShape, output: UnsafeMutablePointer<Int32>) {
  for i in 0..<inputShape.rank { output[i] = Int32(truncatingIfNeeded: inputShape[i]) }
}
