import Testing

@testable import Runtime

/// Prepares CONCATENATION of int8 tensors that all share scale 0.5 and zero point 1 unless
/// `quantization` says otherwise.
func prepareConcat(
  _ shapes: [RuntimeShape], axis: Int32, output: RuntimeShape,
  quantization: [(Float, Int32)]? = nil, activation: FusedActivation = .none
) throws(KernelError) -> ConcatenationParams {
  try prepareConcatenation(
    axis: axis, activation: activation, inputsCount: shapes.count, outputShape: output,
    outputScale: 0.5, outputZeroPoint: 1, requireSameQuantization: true
  ) { i in
    let (scale, zeroPoint) = quantization?[i] ?? (0.5, 1)
    return (shapes[i], scale, zeroPoint)
  }
}

func concat<T: Numeric>(_ inputs: [[T]], _ p: ConcatenationParams, outputCount: Int) -> [T] {
  var output = [T](repeating: 0, count: outputCount)
  let pointers = inputs.map { values in
    let copy = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
    copy.initialize(from: values, count: values.count)
    return copy
  }
  defer { for pointer in pointers { pointer.deallocate() } }
  output.withUnsafeMutableBufferPointer { out in
    concatenationReference(p, inputs: { UnsafePointer(pointers[$0]) }, output: out.baseAddress!)
  }
  return output
}

@Test func concatenationAlongTheChannelAxis() throws {
  // NHWC [1, 2, 1, 2] ++ [1, 2, 1, 1] on axis 3 (and -1): each pixel's channels, then the
  // second input's.
  for axis: Int32 in [3, -1] {
    let p = try prepareConcat(
      [try shape(1, 2, 1, 2), try shape(1, 2, 1, 1)], axis: axis, output: try shape(1, 2, 1, 3))
    #expect(p.axis == 3 && p.outerSize == 2 && p.baseInnerSize == 1)
    let out: [Int8] = concat([[1, 2, 3, 4], [-5, -6]], p, outputCount: 6)
    #expect(out == [1, 2, -5, 3, 4, -6])
  }
}

@Test func concatenationAlongTheOuterAxisAppends() throws {
  let p = try prepareConcat(
    [try shape(1, 3), try shape(2, 3), try shape(1, 3)], axis: 0, output: try shape(4, 3))
  let out: [Int8] = concat([[1, 2, 3], [4, 5, 6, 7, 8, 9], [10, 11, 12]], p, outputCount: 12)
  #expect(out == Array(1...12))
}

@Test func concatenationCopiesInt32() throws {
  let shapes = [try shape(1), try shape(3)]
  let p = try prepareConcatenation(
    axis: 0, activation: .none, inputsCount: 2, outputShape: try shape(4), outputScale: 0,
    outputZeroPoint: 0, requireSameQuantization: false
  ) { i in (shapes[i], 0, 0) }
  let out: [Int32] = concat([[-1], [28, 28, 1]], p, outputCount: 4)
  #expect(out == [-1, 28, 28, 1])
}

@Test func concatenationPrepareRejectsWhatTFLMRejects() throws {
  let a = try shape(1, 2)
  let out = try shape(2, 2)
  // int8 inputs must share the output's scale and zero point: the kernel only copies.
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareConcat([a, a], axis: 0, output: out, quantization: [(0.5, 1), (0.25, 1)])
  }
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepareConcat([a, a], axis: 0, output: out, quantization: [(0.5, 1), (0.5, 0)])
  }
  #expect(throws: KernelError.unsupportedActivation(code: 1)) {
    try prepareConcat([a, a], axis: 0, output: out, activation: .relu)
  }
  #expect(throws: KernelError.invalidAxis(2)) { try prepareConcat([a, a], axis: 2, output: out) }
  #expect(throws: KernelError.shapeMismatch) {
    try prepareConcat([a, try shape(1, 3)], axis: 0, output: out)
  }
  #expect(throws: KernelError.shapeMismatch) {
    try prepareConcat([a, a], axis: 0, output: try shape(3, 2))
  }
  #expect(throws: KernelError.tooManyInputs(count: 11)) {
    try prepareConcat([RuntimeShape](repeating: a, count: 11), axis: 0, output: try shape(11, 2))
  }
}
