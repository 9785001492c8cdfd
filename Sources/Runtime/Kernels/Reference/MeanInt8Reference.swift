/// TFLM's `OpDataReduce` for int8 MEAN, from `prepareMean`, with the per-call multiplier
/// adjustment of `QuantizedMeanOrSum` done once.
public struct MeanParams: Equatable, Sendable {
  public var inputZeroPoint: Int32
  public var outputZeroPoint: Int32
  /// `inputScale / outputScale / elementsPerOutput` as a multiplier and a shift.
  public var outputMultiplier: Int32
  public var outputShift: Int32
  /// How many input elements one output averages (TFLM's `num_elements_in_axis`).
  public var elementsPerOutput: Int
  public var outputCount: Int
  /// An input with a zero dimension: TFLM writes zeros (not the zero point) and stops.
  public var inputIsEmpty: Bool
  /// The kept and the reduced axes of the input, outermost first, as (size, element stride)
  /// lists: an output walks the kept axes in row-major order, its sum the reduced ones.
  package var keptSizes: RuntimeShape
  package var keptStrides: RuntimeShape
  package var reducedSizes: RuntimeShape
  package var reducedStrides: RuntimeShape
}

/// TFLM's `PrepareMeanOrSumHelper` (micro/kernels/reduce_common.cc) for int8 input, plus the
/// parts of TFLite's `QuantizedMeanOrSum` (reference/reduce.h) that depend only on shapes.
///
/// TFLM's micro MEAN sends every int8 case, any axes and `keep_dims` either way, to
/// `QuantizedMeanOrSum` (since 2022; `integer_ops::Mean` is no longer used): the int32 sum over
/// the reduced axes, minus `inputZeroPoint * n`, times `inputScale / outputScale` with `1/n`
/// folded into the multiplier:
///
///     (m, s) = QuantizeMultiplier(Double(inputScale) / Double(outputScale))
///     shift  = min(floor(log2(n)), 32, 31 + s)
///     outputMultiplier = Int32((Int64(m) << shift) / n)     // truncating
///     outputShift      = s - shift
///
/// `keepDims` changes only the output's rank, which the file states, so it is not needed here.
/// - axis: the axis tensor (int32), entries in `-rank..<rank`; repeats count once.
/// - Throws: `invalidAxis` for an axis out of range; `shapeMismatch` when the output's element
///   count is not the product of the kept dimensions.
public func prepareMean(
  inputShape: RuntimeShape, axis: some Int32Elements, outputShape: RuntimeShape,
  inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32
) throws(KernelError) -> MeanParams {
  // TFLite's ResolveAxis: negative axes count from the end; a repeated axis is reduced once.
  var reducedMask = 0
  for i in 0..<axis.count {
    let value = axis[i]
    let resolved = value < 0 ? Int(value) + inputShape.rank : Int(value)
    guard resolved >= 0, resolved < inputShape.rank else { throw .invalidAxis(value) }
    reducedMask |= 1 << resolved
  }

  var kept = (sizes: RuntimeShape(), strides: RuntimeShape())
  var reduced = (sizes: RuntimeShape(), strides: RuntimeShape())
  var elementsPerOutput = 1
  var outputCount = 1
  var inputIsEmpty = false
  for axisIndex in 0..<inputShape.rank {
    let size = inputShape[axisIndex]
    var elementStride = 1
    for inner in (axisIndex + 1)..<inputShape.rank { elementStride *= inputShape[inner] }
    if size == 0 { inputIsEmpty = true }
    if reducedMask & (1 << axisIndex) != 0 {
      reduced.sizes.append(size)
      reduced.strides.append(elementStride)
      elementsPerOutput *= size
    } else {
      kept.sizes.append(size)
      kept.strides.append(elementStride)
      outputCount *= size
    }
  }
  guard outputShape.flatSize == outputCount else { throw .shapeMismatch }
  guard let count32 = Int32(exactly: elementsPerOutput) else { throw .invalidShape }

  var (multiplier, shift) = quantizeMultiplier(Double(inputScale) / Double(outputScale))
  if elementsPerOutput > 0 {
    // Fold 1/n into the multiplier, keeping as many of its bits as TFLite does.
    let log2Count = Int32(Int.bitWidth - 1 - elementsPerOutput.leadingZeroBitCount)
    let extraShift = min(min(log2Count, 32), 31 + shift)
    multiplier = dividingShifted(multiplier, by: extraShift, count32)
    shift -= extraShift
  }
  return MeanParams(
    inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint,
    outputMultiplier: multiplier, outputShift: shift, elementsPerOutput: elementsPerOutput,
    outputCount: outputCount, inputIsEmpty: inputIsEmpty, keptSizes: kept.sizes,
    keptStrides: kept.strides, reducedSizes: reduced.sizes, reducedStrides: reduced.strides)
}

/// `Int32((Int64(x) << shift) / divisor)` (C's truncating division) for `shift` in 0...32 and a
/// quotient that fits, in 32-bit words (no `Int64` on 32-bit targets, see embedded/README.md).
func dividingShifted(_ x: Int32, by shift: Int32, _ divisor: Int32) -> Int32 {
  let high: Int32
  let low: UInt32
  switch shift {
  case 0:
    (high, low) = (x < 0 ? -1 : 0, UInt32(bitPattern: x))
  case 32:
    (high, low) = (x, 0)
  default:
    (high, low) = (x &>> (32 - shift), UInt32(bitPattern: x &<< shift))
  }
  return divisor.dividingFullWidth((high: high, low: low)).quotient
}

/// Int8 MEAN over any set of axes (H and W for a global average pool). Mirrors TFLite's
/// `reference_ops::QuantizedMeanOrSum<int8_t, int32_t>` with `compute_sum = false`, which TFLM's
/// micro MEAN calls for int8. The int32 sum wraps, as the C code's does (it cannot for an int8
/// input of fewer than 2^23 elements per output).
///
/// Unlike TFLM it needs no scratch buffer: each output sums its own inputs (the sum is the same
/// whatever the order), where TFLM accumulates all outputs in one pass over the input.
public func meanInt8Reference(
  _ p: MeanParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  if p.inputIsEmpty {
    for o in 0..<p.outputCount { output[o] = 0 }
    return
  }
  let zeroPointTimesCount = p.inputZeroPoint &* Int32(truncatingIfNeeded: p.elementsPerOutput)
  for o in 0..<p.outputCount {
    let base = elementOffset(o, sizes: p.keptSizes, strides: p.keptStrides)
    var sum: Int32 = 0
    for r in 0..<p.elementsPerOutput {
      sum =
        sum
        &+ Int32(input[base + elementOffset(r, sizes: p.reducedSizes, strides: p.reducedStrides)])
    }
    let y =
      multiplyByQuantizedMultiplier(sum &- zeroPointTimesCount, p.outputMultiplier, p.outputShift)
      &+ p.outputZeroPoint
    output[o] = Int8(truncatingIfNeeded: min(max(y, -128), 127))
  }
}

/// The input offset of the `index`-th element, in row-major order, of the axes listed in
/// `sizes` / `strides` (outermost first).
@inline(__always)
func elementOffset(_ index: Int, sizes: RuntimeShape, strides: RuntimeShape) -> Int {
  var rest = index
  var offset = 0
  for axis in stride(from: sizes.rank - 1, through: 0, by: -1) {
    let size = sizes[axis]
    offset += (rest % size) * strides[axis]
    rest /= size
  }
  return offset
}
