import Testing

@testable import Runtime

@Test func reshapeResolvesTheStretchDimension() throws {
  let input = try shape(1, 7, 7, 16)
  let resolved = try withInt32s([1, -1]) { (dims) throws(KernelError) in
    try prepareReshape(inputShape: input, outputDims: dims, hasShapeInput: true)
  }
  #expect(resolved == (try shape(1, 784)))
  #expect(throws: KernelError.invalidShape) {
    try withInt32s([-1, -1]) { (dims) throws(KernelError) in
      try prepareReshape(inputShape: input, outputDims: dims, hasShapeInput: true)
    }
  }
  #expect(throws: KernelError.shapeMismatch) {
    try withInt32s([5, -1]) { (dims) throws(KernelError) in
      try prepareReshape(inputShape: input, outputDims: dims, hasShapeInput: true)
    }
  }
  #expect(throws: KernelError.shapeMismatch) {
    try withInt32s([0, -1]) { (dims) throws(KernelError) in
      try prepareReshape(inputShape: input, outputDims: dims, hasShapeInput: true)
    }
  }
  // Without a shape input, [0] is the legacy spelling of a scalar.
  let one = try shape(1, 1)
  let scalar = try withInt32s([0]) { (dims) throws(KernelError) in
    try prepareReshape(inputShape: one, outputDims: dims, hasShapeInput: false)
  }
  #expect(scalar.rank == 0)
}

@Test func reshapeCopiesOrLeavesSharedMemory() {
  var source: [Int8] = [1, -2, 3]
  var target: [Int8] = [0, 0, 0]
  source.withUnsafeMutableBytes { s in
    target.withUnsafeMutableBytes { t in
      reshapeReference(
        byteCount: 3, input: UnsafeRawPointer(s.baseAddress!), output: t.baseAddress!)
    }
    // In place (the planner aliased them): nothing to do, nothing broken.
    reshapeReference(byteCount: 3, input: UnsafeRawPointer(s.baseAddress!), output: s.baseAddress!)
  }
  #expect(target == [1, -2, 3] && source == [1, -2, 3])
}

@Test func shapeWritesTheInputDimensions() throws {
  let input = try shape(1, 28, 28, 1)
  try prepareShape(inputShape: input, outputShape: try shape(4))
  let out: [Int32] = run([Int8](), outputCount: 4) { _, out in
    shapeReference(inputShape: input, output: out)
  }
  #expect(out == [1, 28, 28, 1])
  #expect(throws: KernelError.shapeMismatch) {
    try prepareShape(inputShape: input, outputShape: try shape(3))
  }
}

/// STRIDED_SLICE of `input` (shape `dims`).
func stridedSlice<T: Numeric>(
  _ input: [T], dims: [Int], begin: [Int32], end: [Int32], strides: [Int32],
  beginMask: Int32 = 0, endMask: Int32 = 0, shrinkAxisMask: Int32 = 0, outputDims: [Int]
) throws -> [T] {
  let inputShape = try shape(dims)
  let outputShape = try shape(outputDims)
  let p = try withInt32s(begin) { (b) throws(KernelError) in
    try withInt32s(end) { (e) throws(KernelError) in
      try withInt32s(strides) { (s) throws(KernelError) in
        try prepareStridedSlice(
          inputShape: inputShape, begin: b, end: e, strides: s, beginMask: beginMask,
          endMask: endMask, shrinkAxisMask: shrinkAxisMask, outputShape: outputShape)
      }
    }
  }
  return run(input, outputCount: outputShape.flatSize) {
    stridedSliceReference(p, input: $0, output: $1)
  }
}

@Test func stridedSliceTakesTheBatchDimensionOfAShapeVector() throws {
  // The converter's dynamic-batch idiom: SHAPE -> STRIDED_SLICE(begin 0, end 1, shrink) ->
  // the batch size as a scalar.
  let out: [Int32] = try stridedSlice(
    [3, 28, 28, 1], dims: [4], begin: [0], end: [1], strides: [1], shrinkAxisMask: 1,
    outputDims: [])
  #expect(out == [3])
}

@Test func stridedSliceStridesMasksAndNegativeIndices() throws {
  let m: [Int8] = Array(0..<12)  // [3, 4] row-major
  // Rows 0 and 2 (stride 2), columns 1..<3.
  #expect(
    try stridedSlice(
      m, dims: [3, 4], begin: [0, 1], end: [3, 3], strides: [2, 1], outputDims: [2, 2])
      == [1, 2, 9, 10])
  // Negative stride reverses; begin_mask / end_mask take the whole axis.
  #expect(
    try stridedSlice(
      m, dims: [3, 4], begin: [0, 0], end: [0, 0], strides: [-1, 1],
      beginMask: 3, endMask: 3, outputDims: [3, 4]) == [8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3])
  // Negative indices count from the end: the last column, shrunk.
  #expect(
    try stridedSlice(
      m, dims: [3, 4], begin: [0, -1], end: [3, 0], strides: [1, 1],
      shrinkAxisMask: 2, outputDims: [3]) == [3, 7, 11])
  // An empty slice (begin past end) has length 0.
  #expect(
    try stridedSlice(
      m, dims: [3, 4], begin: [2, 0], end: [1, 4], strides: [1, 1],
      outputDims: [0, 4]) == [])
  // End beyond the axis is clamped; negative stride running to the front with end -5 -> -1.
  #expect(
    try stridedSlice(
      m, dims: [3, 4], begin: [1, 3], end: [9, -5], strides: [1, -2],
      outputDims: [2, 2]) == [7, 5, 11, 9])
}

@Test func stridedSlicePrepareRejectsWhatTFLMCannotRun() throws {
  let m: [Int8] = Array(0..<12)
  #expect(throws: KernelError.invalidSlice) {
    try stridedSlice(
      m, dims: [3, 4], begin: [0, 0], end: [3, 4], strides: [1, 0], outputDims: [3, 4])
  }
  #expect(throws: KernelError.invalidSlice) {
    try stridedSlice(m, dims: [3, 4], begin: [0], end: [3], strides: [1], outputDims: [3, 4])
  }
  #expect(throws: KernelError.shapeMismatch) {
    try stridedSlice(
      m, dims: [3, 4], begin: [0, 0], end: [3, 4], strides: [1, 1], outputDims: [3, 3])
  }
  // A shrunk index past the axis (TensorFlow: out of bounds; TFLM: output left unwritten).
  #expect(throws: KernelError.invalidSlice) {
    try stridedSlice(
      m, dims: [3, 4], begin: [5, 0], end: [6, 4], strides: [1, 1],
      shrinkAxisMask: 1, outputDims: [4])
  }
  #expect(throws: KernelError.tooManyDimensions(rank: 5)) {
    try stridedSlice(
      [Int8(0)], dims: [1, 1, 1, 1, 1], begin: [0, 0, 0, 0, 0],
      end: [1, 1, 1, 1, 1], strides: [1, 1, 1, 1, 1], outputDims: [1, 1, 1, 1, 1])
  }
}

func pack<T: Numeric>(_ inputs: [[T]], axis: Int32, inputDims: [Int], outputDims: [Int]) throws
  -> [T]
{
  let inputShape = try shape(inputDims)
  let outputShape = try shape(outputDims)
  let p = try preparePack(
    axis: axis, valuesCount: inputs.count, outputShape: outputShape
  ) { _ in inputShape }
  var output = [T](repeating: 0, count: outputShape.flatSize)
  let pointers = inputs.map { values in
    let copy = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
    copy.initialize(from: values, count: values.count)
    return copy
  }
  defer { for pointer in pointers { pointer.deallocate() } }
  output.withUnsafeMutableBufferPointer { out in
    packReference(p, inputs: { UnsafePointer(pointers[$0]) }, output: out.baseAddress!)
  }
  return output
}

@Test func packStacksScalarsIntoAShapeVector() throws {
  // The converter's dynamic-batch idiom: PACK(batch, 10) -> the RESHAPE target [batch, 10].
  let out: [Int32] = try pack([[5], [10]], axis: 0, inputDims: [], outputDims: [2])
  #expect(out == [5, 10])
}

@Test func packAlongInnerAndOuterAxes() throws {
  let a: [Int8] = [1, 2, 3]
  let b: [Int8] = [4, 5, 6]
  #expect(try pack([a, b], axis: 0, inputDims: [3], outputDims: [2, 3]) == [1, 2, 3, 4, 5, 6])
  #expect(try pack([a, b], axis: 1, inputDims: [3], outputDims: [3, 2]) == [1, 4, 2, 5, 3, 6])
  #expect(try pack([a, b], axis: -1, inputDims: [3], outputDims: [3, 2]) == [1, 4, 2, 5, 3, 6])
  #expect(throws: KernelError.shapeMismatch) {
    try pack([a, b], axis: 0, inputDims: [3], outputDims: [3, 2])
  }
  #expect(throws: KernelError.invalidAxis(2)) {
    try pack([a, b], axis: 2, inputDims: [3], outputDims: [2, 3])
  }
}
