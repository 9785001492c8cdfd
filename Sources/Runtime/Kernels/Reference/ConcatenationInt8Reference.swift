/// TFLite's `ConcatenationParams`, from `prepareConcatenation`: the output is `outerSize` runs
/// of, for each input in turn, `axisSize(ofInput:) * baseInnerSize` contiguous elements.
public struct ConcatenationParams: Equatable, Sendable {
  /// TFLM's `kMaxInputNum`: CONCATENATION takes at most ten inputs.
  public static let maxInputs = 10

  /// The concatenation axis, counted from the outermost (negative axes resolved).
  public var axis: Int
  public var inputsCount: Int
  /// The product of the dimensions before the axis, and after it.
  public var outerSize: Int
  public var baseInnerSize: Int
  private var axisSizes: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  )

  init(axis: Int, inputsCount: Int, outerSize: Int, baseInnerSize: Int) {
    self.axis = axis
    self.inputsCount = inputsCount
    self.outerSize = outerSize
    self.baseInnerSize = baseInnerSize
  }

  /// Input `index`'s dimension along the axis.
  public func axisSize(ofInput index: Int) -> Int {
    precondition(index >= 0 && index < inputsCount, "input index out of range")
    var sizes = axisSizes
    // A homogeneous tuple is laid out as an array of its element type.
    return withUnsafePointer(to: &sizes) {
      $0.withMemoryRebound(to: Int.self, capacity: ConcatenationParams.maxInputs) { $0[index] }
    }
  }

  mutating func setAxisSize(_ size: Int, ofInput index: Int) {
    withUnsafeMutablePointer(to: &axisSizes) {
      $0.withMemoryRebound(to: Int.self, capacity: ConcatenationParams.maxInputs) {
        $0[index] = size
      }
    }
  }

  public static func == (a: ConcatenationParams, b: ConcatenationParams) -> Bool {
    guard a.axis == b.axis, a.inputsCount == b.inputsCount, a.outerSize == b.outerSize,
      a.baseInnerSize == b.baseInnerSize
    else { return false }
    for i in 0..<a.inputsCount where a.axisSize(ofInput: i) != b.axisSize(ofInput: i) {
      return false
    }
    return true
  }
}

/// TFLM's `ConcatenationPrepare` (micro/kernels/concatenation.cc), with the shape checks its
/// reference kernel only asserts.
///
/// - axis: the operator's option; negative counts from the end of the output's rank.
/// - activation: must be NONE (TFLM's `TF_LITE_ENSURE_EQ(activation, kTfLiteActNone)`).
/// - requireSameQuantization: true for int8 tensors, where TFLM requires every input's scale
///   and zero point to equal the output's (the kernel copies bytes and never rescales); false
///   for int32, which carries no quantisation.
/// - input: tensor `i`'s shape, scale and zero point, for `i` in `0..<inputsCount`.
/// The element types (all equal) are the interpreter's to check.
public func prepareConcatenation(
  axis: Int32, activation: FusedActivation, inputsCount: Int, outputShape: RuntimeShape,
  outputScale: Float, outputZeroPoint: Int32, requireSameQuantization: Bool,
  input: (Int) -> (shape: RuntimeShape, scale: Float, zeroPoint: Int32)
) throws(KernelError) -> ConcatenationParams {
  guard activation == .none else { throw .unsupportedActivation(code: activation.rawValue) }
  guard inputsCount >= 1, inputsCount <= ConcatenationParams.maxInputs else {
    throw .tooManyInputs(count: inputsCount)
  }
  let rank = outputShape.rank
  let resolvedAxis = axis < 0 ? Int(axis) + rank : Int(axis)
  guard resolvedAxis >= 0, resolvedAxis < rank else { throw .invalidAxis(axis) }

  var outerSize = 1
  for i in 0..<resolvedAxis { outerSize *= outputShape[i] }
  var baseInnerSize = 1
  for i in (resolvedAxis + 1)..<rank { baseInnerSize *= outputShape[i] }
  var params = ConcatenationParams(
    axis: resolvedAxis, inputsCount: inputsCount, outerSize: outerSize,
    baseInnerSize: baseInnerSize)

  var concatSize = 0
  for i in 0..<inputsCount {
    let (shape, scale, zeroPoint) = input(i)
    guard shape.rank == rank else { throw .shapeMismatch }
    for d in 0..<rank where d != resolvedAxis && shape[d] != outputShape[d] {
      throw .shapeMismatch
    }
    if requireSameQuantization {
      guard scale == outputScale, zeroPoint == outputZeroPoint else {
        throw .unsupportedQuantization
      }
    }
    params.setAxisSize(shape[resolvedAxis], ofInput: i)
    concatSize += shape[resolvedAxis]
  }
  guard concatSize == outputShape[resolvedAxis] else { throw .shapeMismatch }
  return params
}

/// CONCATENATION along any axis, for any element type (int8 and int32 in our models): a copy,
/// since int8 inputs share the output's quantisation. Mirrors TFLite's
/// `reference_ops::Concatenation` (reference/concatenation.h), which TFLM calls.
/// - inputs: input `i`'s data, for `i` in `0..<p.inputsCount`.
public func concatenationReference<Element>(
  _ p: ConcatenationParams, inputs: (Int) -> UnsafePointer<Element>,
  output: UnsafeMutablePointer<Element>
) {
  var out = output
  for k in 0..<p.outerSize {
    for i in 0..<p.inputsCount {
      let copySize = p.axisSize(ofInput: i) * p.baseInnerSize
      out.update(from: inputs(i) + k * copySize, count: copySize)
      out += copySize
    }
  }
}
