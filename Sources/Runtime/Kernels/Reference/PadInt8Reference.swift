/// TFLite's `PadParams` as its reference kernel uses them: every shape right-aligned to rank 5
/// (`PadKernelMaxDimensionCount`), padding before and after each of the five axes.
public struct PadParams: Equatable, Sendable {
  /// TFLite's `PadKernelMaxDimensionCount()`.
  public static let maxRank = 5

  /// Rank-5 containers: amounts before and after each axis (leading axes 0), and the output
  /// shape.
  public var leftPadding: RuntimeShape
  public var rightPadding: RuntimeShape
  public var outputShape: RuntimeShape
  /// The int8 value written in the padding: the output zero point (real 0) for PAD, the
  /// constant for PADV2.
  public var padValue: Int8
}

/// TFLM's `PadPrepare` (micro/kernels/pad_common.cc) for int8 PAD and PADV2.
///
/// - paddings: the constant `[rank, 2]` int32 tensor, (before, after) per axis.
/// - constant: PADV2's `constant_values` scalar with its quantisation, which TFLM requires to
///   equal the output's; nil for PAD, which pads with the output zero point.
/// - Throws: `tooManyDimensions` above rank 5; `invalidPadding` for a paddings tensor of
///   another size or a negative amount (TFLM's kernel would copy the wrong elements; TensorFlow
///   rejects them); `shapeMismatch` unless each output dimension is input + before + after;
///   `unsupportedQuantization` for a zero point outside int8 or a constant on another scale.
public func preparePad(
  inputShape: RuntimeShape, paddings: some Int32Elements, outputShape: RuntimeShape,
  outputScale: Float, outputZeroPoint: Int32,
  constant: (value: Int8, scale: Float, zeroPoint: Int32)? = nil
) throws(KernelError) -> PadParams {
  let rank = inputShape.rank
  guard rank <= PadParams.maxRank else { throw .tooManyDimensions(rank: rank) }
  guard outputShape.rank == rank else { throw .shapeMismatch }
  guard paddings.count == 2 * rank else { throw .invalidPadding }
  let offset = PadParams.maxRank - rank
  var left = RuntimeShape()
  for _ in 0..<PadParams.maxRank { left.append(0) }
  var right = left
  for axis in 0..<rank {
    let before = Int(paddings[2 * axis])
    let after = Int(paddings[2 * axis + 1])
    guard before >= 0, after >= 0 else { throw .invalidPadding }
    guard outputShape[axis] == inputShape[axis] + before + after else { throw .shapeMismatch }
    left[offset + axis] = before
    right[offset + axis] = after
  }

  let padValue: Int8
  if let constant {
    guard constant.zeroPoint == outputZeroPoint, constant.scale == outputScale else {
      throw .unsupportedQuantization
    }
    padValue = constant.value
  } else {
    guard let zeroPoint = Int8(exactly: outputZeroPoint) else { throw .unsupportedQuantization }
    padValue = zeroPoint
  }
  return PadParams(
    leftPadding: left, rightPadding: right,
    outputShape: outputShape.extended(toRank: PadParams.maxRank), padValue: padValue)
}

/// Int8 PAD / PADV2 with the prepared pad value. Mirrors TFLite's `reference_ops::PadImpl`
/// (reference/pad.h), which TFLM calls (its "image style" variant is the same loop).
public func padInt8Reference(
  _ p: PadParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  padReference(p, input: input, padValue: p.padValue, output: output)
}

/// PAD for any element type: walks the rank-5 output in order, writing `padValue` in the
/// padding and the next input element elsewhere.
public func padReference<Element>(
  _ p: PadParams, input: UnsafePointer<Element>, padValue: Element,
  output: UnsafeMutablePointer<Element>
) {
  let shape = p.outputShape
  let left = p.leftPadding
  let right = p.rightPadding
  @inline(__always) func isPadding(_ axis: Int, _ index: Int) -> Bool {
    index < left[axis] || index >= shape[axis] - right[axis]
  }
  var inPtr = input
  var outPtr = output
  for b in 0..<shape[0] {
    for plane in 0..<shape[1] {
      for y in 0..<shape[2] {
        for x in 0..<shape[3] {
          for c in 0..<shape[4] {
            if isPadding(0, b) || isPadding(1, plane) || isPadding(2, y) || isPadding(3, x)
              || isPadding(4, c)
            {
              outPtr.initialize(to: padValue)
            } else {
              outPtr.initialize(to: inPtr.pointee)
              inPtr += 1
            }
            outPtr += 1
          }
        }
      }
    }
  }
}
