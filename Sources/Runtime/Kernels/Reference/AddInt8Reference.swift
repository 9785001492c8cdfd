/// TFLite's `ArithmeticParams` for int8 ADD, from `prepareAdd`: each input is shifted left by
/// `leftShift` (20 bits of headroom), rescaled to a common scale (twice the larger input
/// scale), summed, and the sum rescaled to the output.
public struct AddParams: Equatable, Sendable {
  public var leftShift: Int32
  /// `-zeroPoint` of each input.
  public var input1Offset: Int32
  public var input2Offset: Int32
  /// `inputScale / (2 * maxInputScale)` (at most 1/2) as Q0.31 and a shift <= 0.
  public var input1Multiplier: Int32
  public var input1Shift: Int32
  public var input2Multiplier: Int32
  public var input2Shift: Int32
  /// The output zero point.
  public var outputOffset: Int32
  /// `2 * maxInputScale / (2^leftShift * outputScale)` (below 1) as Q0.31 and a shift <= 0.
  public var outputMultiplier: Int32
  public var outputShift: Int32
  public var quantizedActivationMin: Int32
  public var quantizedActivationMax: Int32
  /// The three shapes right-aligned to rank 4; `requiresBroadcast` when the inputs differ.
  public var input1Shape: Shape4
  public var input2Shape: Shape4
  public var outputShape: Shape4
  public var requiresBroadcast: Bool
}

/// TFLM's `CalculateOpDataAdd` (micro/kernels/add_common.cc) for int8, with the shape checks
/// TFLite's broadcasting implies.
///
///     twiceMaxInputScale = 2 * Double(max(input1Scale, input2Scale))
///     input_i multiplier = Double(input_i scale) / twiceMaxInputScale
///     output multiplier  = twiceMaxInputScale / (2^20 * Double(outputScale))
///
/// each encoded by `QuantizeMultiplierSmallerThanOneExp`, which TFLM `TFLITE_CHECK`s to be in
/// (0, 1) and aborts otherwise: thrown here (an output scale below 2^-19 of the input scale).
/// Shapes: up to rank 4, each input dimension equal to the output's or 1 (TFLite's
/// broadcasting), and the output the broadcast of the two.
public func prepareAdd(
  input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
  outputScale: Float, outputZeroPoint: Int32, activation: FusedActivation,
  input1Shape: RuntimeShape, input2Shape: RuntimeShape, outputShape: RuntimeShape
) throws(KernelError) -> AddParams {
  let rank = max(max(input1Shape.rank, input2Shape.rank), outputShape.rank)
  guard rank <= 4 else { throw .tooManyDimensions(rank: rank) }
  let shape1 = input1Shape.shape4
  let shape2 = input2Shape.shape4
  let out = outputShape.shape4
  for axis in 0..<4 {
    let broadcast = shape1[axis] == 1 ? shape2[axis] : shape1[axis]
    guard shape1[axis] == broadcast || shape1[axis] == 1,
      shape2[axis] == broadcast || shape2[axis] == 1, out[axis] == broadcast
    else { throw .shapeMismatch }
  }

  let leftShift: Int32 = 20
  let twiceMaxInputScale = 2 * Double(max(input1Scale, input2Scale))
  let realInput1Multiplier = Double(input1Scale) / twiceMaxInputScale
  let realInput2Multiplier = Double(input2Scale) / twiceMaxInputScale
  let realOutputMultiplier =
    twiceMaxInputScale / (Double(1 << leftShift) * Double(outputScale))
  guard isSmallerThanOne(realInput1Multiplier), isSmallerThanOne(realInput2Multiplier),
    isSmallerThanOne(realOutputMultiplier)
  else { throw .unsupportedQuantization }
  let input1 = quantizeMultiplierSmallerThanOneExp(realInput1Multiplier)
  let input2 = quantizeMultiplierSmallerThanOneExp(realInput2Multiplier)
  let output = quantizeMultiplierSmallerThanOneExp(realOutputMultiplier)
  let range = try calculateActivationRangeQuantized(
    activation, outputScale: outputScale, outputZeroPoint: outputZeroPoint)
  return AddParams(
    leftShift: leftShift, input1Offset: -input1ZeroPoint, input2Offset: -input2ZeroPoint,
    input1Multiplier: input1.multiplier, input1Shift: input1.leftShift,
    input2Multiplier: input2.multiplier, input2Shift: input2.leftShift,
    outputOffset: outputZeroPoint, outputMultiplier: output.multiplier,
    outputShift: output.leftShift, quantizedActivationMin: range.min,
    quantizedActivationMax: range.max, input1Shape: shape1, input2Shape: shape2,
    outputShape: out, requiresBroadcast: shape1 != shape2)
}

/// `QuantizeMultiplierSmallerThanOneExp`'s precondition, which TFLM checks with `TFLITE_CHECK`.
@inline(__always)
func isSmallerThanOne(_ real: Double) -> Bool { real > 0 && real < 1 }

/// One output element: TFLite's `AddFunc` (integer_ops/add.h).
@inline(__always)
func addElement(_ x: Int8, _ y: Int8, _ p: AddParams) -> Int8 {
  let shifted1 = (p.input1Offset &+ Int32(x)) &<< p.leftShift  // |x - zp| <= 255: fits
  let shifted2 = (p.input2Offset &+ Int32(y)) &<< p.leftShift
  let scaled1 = multiplyByQuantizedMultiplierSmallerThanOneExp(
    shifted1, p.input1Multiplier, p.input1Shift)
  let scaled2 = multiplyByQuantizedMultiplierSmallerThanOneExp(
    shifted2, p.input2Multiplier, p.input2Shift)
  let rawOutput =
    multiplyByQuantizedMultiplierSmallerThanOneExp(
      scaled1 &+ scaled2, p.outputMultiplier, p.outputShift) &+ p.outputOffset
  return Int8(
    truncatingIfNeeded: min(p.quantizedActivationMax, max(p.quantizedActivationMin, rawOutput)))
}

/// Int8 ADD with TFLite's input rescaling and 4-D broadcasting. Mirrors TFLite's
/// `reference_integer_ops::Add` (same shapes) and `BroadcastAdd4DSlow` (an input dimension of 1
/// repeats along the output's), which TFLM's micro ADD calls; the sum is elementwise, so the
/// order TFLM's broadcast loop visits elements in does not change any output.
public func addInt8Reference(
  _ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  let out = p.outputShape
  guard p.requiresBroadcast else {
    for i in 0..<out.flatSize { output[i] = addElement(input1[i], input2[i], p) }
    return
  }
  let s1 = p.input1Shape
  let s2 = p.input2Shape
  for b in 0..<out.n {
    for y in 0..<out.h {
      for x in 0..<out.w {
        for c in 0..<out.c {
          // A dimension of 1 is read at index 0 whatever the output index.
          let i1 = s1.offset(
            s1.n == 1 ? 0 : b, s1.h == 1 ? 0 : y, s1.w == 1 ? 0 : x, s1.c == 1 ? 0 : c)
          let i2 = s2.offset(
            s2.n == 1 ? 0 : b, s2.h == 1 ? 0 : y, s2.w == 1 ? 0 : x, s2.c == 1 ? 0 : c)
          output[out.offset(b, y, x, c)] = addElement(input1[i1], input2[i2], p)
        }
      }
    }
  }
}
