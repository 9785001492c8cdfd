/// TFLite's `StridedSliceParams` resolved for the reference loop, from `prepareStridedSlice`:
/// rank-5 start, stop and stride per axis (TFLite pads every slice to five axes) and the
/// input's rank-5 shape. Starts and stops may be -1 (a negative stride running to the front).
public struct StridedSliceParams: Equatable, Sendable {
  /// TFLM's `kMaxDim` for STRIDED_SLICE's input.
  public static let maxInputRank = 4

  public var starts: RuntimeShape
  public var stops: RuntimeShape
  public var strides: RuntimeShape
  public var inputShape: RuntimeShape
}

/// TFLM's `StridedSlicePrepare` and `CheckOutputSize` (micro/kernels/strided_slice_common.cc),
/// then TFLite's `StridedSlicePadIndices` and `StridedSlice{Start,End}ForAxis`
/// (strided_slice_logic.h) for the loop bounds.
///
/// - begin, end, strides: the constant int32 tensors, one entry per input axis.
/// - beginMask, endMask: bit `i` set ignores `begin[i]` / `end[i]` (the full range);
///   shrinkAxisMask: bit `i` takes the single index `begin[i]` and drops the axis.
/// - ellipsisMask, newAxisMask: accepted and ignored, exactly as TFLM does (its
///   `BuildStridedSliceParams` sets both to 0); a model that needs them fails the output-shape
///   check, as in TFLM. (The converter folds them away for the graphs we run.)
/// - Throws: `tooManyDimensions` above rank 4; `invalidSlice` for a zero stride, vectors whose
///   length is not the rank, or a shrunk axis whose index is outside the input (TensorFlow
///   rejects it; TFLM would leave that output unwritten); `shapeMismatch` when the output shape
///   is not the slice's.
public func prepareStridedSlice(
  inputShape: RuntimeShape, begin: some Int32Elements, end: some Int32Elements,
  strides: some Int32Elements, beginMask: Int32, endMask: Int32,
  shrinkAxisMask: Int32, ellipsisMask: Int32 = 0, newAxisMask: Int32 = 0,
  outputShape: RuntimeShape
) throws(KernelError) -> StridedSliceParams {
  let rank = inputShape.rank
  guard rank <= StridedSliceParams.maxInputRank else { throw .tooManyDimensions(rank: rank) }
  guard begin.count == rank, end.count == rank, strides.count == rank else {
    throw .invalidSlice
  }

  // CheckOutputSize: the output keeps every axis not shrunk, ceil((stop - start) / stride) long.
  var keptAxes = 0
  for axis in 0..<rank {
    let stride = Int(strides[axis])
    guard stride != 0 else { throw .invalidSlice }
    let isShrunk = shrinkAxisMask & (1 << axis) != 0
    let start = checkedStart(axis, inputShape[axis], Int(begin[axis]), stride, beginMask)
    let stop =
      isShrunk ? start + 1 : checkedStop(axis, inputShape[axis], Int(end[axis]), stride, endMask)
    // TFLM divides in Float and rounds up; for these magnitudes that is exact.
    let length = max(Int((Float(stop - start) / Float(stride)).rounded(.up)), 0)
    if isShrunk {
      guard start >= 0, start < inputShape[axis] else { throw .invalidSlice }
    } else {
      guard keptAxes < outputShape.rank, outputShape[keptAxes] == length else {
        throw .shapeMismatch
      }
      keptAxes += 1
    }
  }
  guard outputShape.rank == keptAxes else { throw .shapeMismatch }

  // StridedSlicePadIndices: leading axes become [0, 1) with stride 1 and both masks set.
  let padCount = 5 - rank
  let shape = inputShape.extended(toRank: 5)
  var params = StridedSliceParams(
    starts: RuntimeShape(), stops: RuntimeShape(), strides: RuntimeShape(), inputShape: shape)
  for axis in 0..<5 {
    if axis < padCount {
      params.starts.append(0)
      params.stops.append(1)
      params.strides.append(1)
      continue
    }
    let fileAxis = axis - padCount
    let stride = Int(strides[fileAxis])
    let start = loopStart(
      shape[axis], Int(begin[fileAxis]), stride, beginMask & (1 << fileAxis) != 0)
    let stop = loopStop(
      shape[axis], Int(end[fileAxis]), stride, start, endMask & (1 << fileAxis) != 0,
      shrinkAxisMask & (1 << fileAxis) != 0)
    params.starts.append(start)
    params.stops.append(stop)
    params.strides.append(stride)
  }
  return params
}

/// `strided_slice::StartForAxis` (CheckOutputSize's): a masked begin is the far end in the
/// stride's direction; a negative begin counts from the end; then clamped into the axis.
func checkedStart(_ axis: Int, _ axisSize: Int, _ begin: Int, _ stride: Int, _ beginMask: Int32)
  -> Int
{
  if axisSize == 0 { return 0 }
  var start = begin
  if beginMask & (1 << axis) != 0 { start = stride > 0 ? Int(Int32.min) : Int(Int32.max) }
  if start < 0 { start += axisSize }
  return stride > 0 ? clamp(start, 0, axisSize) : clamp(start, -1, axisSize - 1)
}

/// `strided_slice::StopForAxis` for an axis not shrunk.
func checkedStop(_ axis: Int, _ axisSize: Int, _ end: Int, _ stride: Int, _ endMask: Int32)
  -> Int
{
  if axisSize == 0 { return 0 }
  var stop = end
  if endMask & (1 << axis) != 0 { stop = stride > 0 ? Int(Int32.max) : Int(Int32.min) }
  if stop < 0 { stop += axisSize }
  return stride > 0 ? clamp(stop, 0, axisSize) : clamp(stop, -1, axisSize - 1)
}

/// `StridedSliceStartForAxis` (the loop's): clamp first, then the mask.
func loopStart(_ axisSize: Int, _ begin: Int, _ stride: Int, _ masked: Bool) -> Int {
  var start = begin < 0 ? begin + axisSize : begin
  start = stride > 0 ? clamp(start, 0, axisSize) : clamp(start, -1, axisSize - 1)
  if masked { start = stride > 0 ? 0 : axisSize - 1 }
  return start
}

/// `StridedSliceEndForAxis`: a shrunk axis takes one index; otherwise as the start.
func loopStop(
  _ axisSize: Int, _ end: Int, _ stride: Int, _ start: Int, _ masked: Bool, _ shrunk: Bool
) -> Int {
  if shrunk { return start >= axisSize ? start : start + 1 }
  var stop = end < 0 ? end + axisSize : end
  stop = stride > 0 ? clamp(stop, 0, axisSize) : clamp(stop, -1, axisSize - 1)
  if masked { stop = stride > 0 ? axisSize : -1 }
  return stop
}

@inline(__always)
func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { hi < v ? hi : (v < lo ? lo : v) }

/// STRIDED_SLICE for any element type (int8 and int32 here): walks the five axes from start
/// towards stop by stride, writing the output in order. Mirrors TFLite's
/// `reference_ops::StridedSlice` (reference/strided_slice.h), which TFLM calls.
public func stridedSliceReference<Element>(
  _ p: StridedSliceParams, input: UnsafePointer<Element>, output: UnsafeMutablePointer<Element>
) {
  let s = p.inputShape
  @inline(__always) func inRange(_ axis: Int, _ index: Int) -> Bool {
    p.strides[axis] > 0 ? index < p.stops[axis] : index > p.stops[axis]
  }
  var out = output
  var i0 = p.starts[0]
  while inRange(0, i0) {
    var i1 = p.starts[1]
    while inRange(1, i1) {
      var i2 = p.starts[2]
      while inRange(2, i2) {
        var i3 = p.starts[3]
        while inRange(3, i3) {
          var i4 = p.starts[4]
          while inRange(4, i4) {
            out.initialize(to: input[(((i0 * s[1] + i1) * s[2] + i2) * s[3] + i3) * s[4] + i4])
            out += 1
            i4 += p.strides[4]
          }
          i3 += p.strides[3]
        }
        i2 += p.strides[2]
      }
      i1 += p.strides[1]
    }
    i0 += p.strides[0]
  }
}
