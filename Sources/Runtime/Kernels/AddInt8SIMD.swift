/// Int8 ADD: the same bytes as `addInt8Reference` (same parameters), sixteen elements per step
/// through TFLite's `AddFunc` in int32 lanes: offset, shift left by 20, rescale each input
/// (`multiplyByQuantizedMultiplierSmallerThanOneExp`), sum, rescale to the output, clamp.
///
/// Broadcasting goes row by row along the channels (the contiguous axis): each input's row is
/// either its own channels or, when its channel dimension is 1, one value repeated.
public func addInt8SIMD(
  _ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  let add = AddLanes(p)
  let out = p.outputShape
  guard p.requiresBroadcast else {
    return add.row(input1, input2, output, count: out.flatSize, repeat1: false, repeat2: false)
  }
  let s1 = p.input1Shape
  let s2 = p.input2Shape
  for b in 0..<out.n {
    for y in 0..<out.h {
      for x in 0..<out.w {
        // A dimension of 1 is read at index 0 whatever the output index.
        let row1 = input1 + s1.offset(s1.n == 1 ? 0 : b, s1.h == 1 ? 0 : y, s1.w == 1 ? 0 : x, 0)
        let row2 = input2 + s2.offset(s2.n == 1 ? 0 : b, s2.h == 1 ? 0 : y, s2.w == 1 ? 0 : x, 0)
        add.row(
          row1, row2, output + out.offset(b, y, x, 0), count: out.c, repeat1: s1.c == 1,
          repeat2: s2.c == 1)
      }
    }
  }
}

/// `AddParams` as sixteen-lane vectors.
struct AddLanes {
  let offset1: SIMD16<Int32>
  let offset2: SIMD16<Int32>
  let leftShift: SIMD16<Int32>
  let multiplier1: SIMD16<Int32>
  let multiplier2: SIMD16<Int32>
  let multiplierOut: SIMD16<Int32>
  let rightShift1: SIMD16<Int32>
  let rightShift2: SIMD16<Int32>
  let rightShiftOut: SIMD16<Int32>
  let outputOffset: SIMD16<Int32>
  let minimum: SIMD16<Int32>
  let maximum: SIMD16<Int32>

  init(_ p: AddParams) {
    offset1 = SIMD16(repeating: p.input1Offset)
    offset2 = SIMD16(repeating: p.input2Offset)
    leftShift = SIMD16(repeating: p.leftShift)
    // Smaller-than-one multipliers: the shift is <= 0, only the rounding right shift applies.
    multiplier1 = SIMD16(repeating: p.input1Multiplier)
    multiplier2 = SIMD16(repeating: p.input2Multiplier)
    multiplierOut = SIMD16(repeating: p.outputMultiplier)
    rightShift1 = SIMD16(repeating: -p.input1Shift)
    rightShift2 = SIMD16(repeating: -p.input2Shift)
    rightShiftOut = SIMD16(repeating: -p.outputShift)
    outputOffset = SIMD16(repeating: p.outputOffset)
    minimum = SIMD16(repeating: p.quantizedActivationMin)
    maximum = SIMD16(repeating: p.quantizedActivationMax)
  }

  /// `AddFunc` on sixteen pairs.
  @inline(__always)
  func callAsFunction(_ x: SIMD16<Int32>, _ y: SIMD16<Int32>) -> SIMD16<Int8> {
    let zero = SIMD16<Int32>()
    let scaled1 = requantized(
      (x &+ offset1) &<< leftShift, multiplier: multiplier1, leftShift: zero,
      rightShift: rightShift1)
    let scaled2 = requantized(
      (y &+ offset2) &<< leftShift, multiplier: multiplier2, leftShift: zero,
      rightShift: rightShift2)
    let sum = requantized(
      scaled1 &+ scaled2, multiplier: multiplierOut, leftShift: zero, rightShift: rightShiftOut)
    return clampedToInt8(sum &+ outputOffset, minimum, maximum)
  }

  /// `count` outputs from two rows; a repeated row is its first value `count` times.
  @inline(__always)
  func row(
    _ input1: UnsafePointer<Int8>, _ input2: UnsafePointer<Int8>,
    _ output: UnsafeMutablePointer<Int8>, count: Int, repeat1: Bool, repeat2: Bool
  ) {
    var i = 0
    while i < count {
      let n = count - i < 16 ? count - i : 16
      let x = repeat1 ? SIMD16(repeating: Int32(input1[0])) : loadWidened(input1 + i, count: n)
      let y = repeat2 ? SIMD16(repeating: Int32(input2[0])) : loadWidened(input2 + i, count: n)
      storeGroup(self(x, y), channels: n, 0, output + i)
      i += 16
    }
  }
}

/// `count` (1...16) int8 values at `p` widened to int32 lanes (the rest 0), never reading past
/// them.
@inline(__always)
func loadWidened(_ p: UnsafePointer<Int8>, count: Int) -> SIMD16<Int32> {
  if count == 16 { return widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)) }
  var r = SIMD16<Int32>()
  for j in 0..<count { r[j] = Int32(p[j]) }
  return r
}
