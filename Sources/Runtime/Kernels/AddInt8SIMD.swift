/// Int8 ADD: the same bytes as `addInt8Reference` (same parameters), eight elements per step
/// through TFLite's `AddFunc` in int32 lanes: offset, shift left by 20, rescale each input
/// (`multiplyByQuantizedMultiplierSmallerThanOneExp`), sum, rescale to the output, clamp.
/// Broadcasting inputs go to the reference.
public func addInt8SIMD(
  _ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
  output: UnsafeMutablePointer<Int8>
) {
  guard !p.requiresBroadcast else {
    return addInt8Reference(p, input1: input1, input2: input2, output: output)
  }
  let count = p.outputShape.flatSize
  let zero = Lanes()
  let offset1 = Lanes(repeating: p.input1Offset)
  let offset2 = Lanes(repeating: p.input2Offset)
  let leftShift = Lanes(repeating: p.leftShift)
  // Smaller-than-one multipliers: the shift is <= 0, only the rounding right shift applies.
  let scale1 = LaneRequantization(
    multiplier: Lanes(repeating: p.input1Multiplier), leftShift: zero,
    rightShift: Lanes(repeating: -p.input1Shift))
  let scale2 = LaneRequantization(
    multiplier: Lanes(repeating: p.input2Multiplier), leftShift: zero,
    rightShift: Lanes(repeating: -p.input2Shift))
  let scaleOut = LaneRequantization(
    multiplier: Lanes(repeating: p.outputMultiplier), leftShift: zero,
    rightShift: Lanes(repeating: -p.outputShift))
  let range = LaneOutputRange(
    offset: p.outputOffset, minimum: p.quantizedActivationMin,
    maximum: p.quantizedActivationMax)
  let end1 = input1 + count
  let end2 = input2 + count
  for i in stride(from: 0, to: count, by: 8) {
    let lanes = count - i < 8 ? count - i : 8
    let x = loadInt8Lanes(input1 + i, count: lanes, end: end1)
    let y = loadInt8Lanes(input2 + i, count: lanes, end: end2)
    let scaled1 = scale1.apply((x &+ offset1) &<< leftShift)
    let scaled2 = scale2.apply((y &+ offset2) &<< leftShift)
    store(range.narrow(scaleOut.apply(scaled1 &+ scaled2)), to: output + i, count: lanes)
  }
}
