/// TFLite's `GetReciprocal` (kernels/internal/common.h): the reciprocal of a positive Q`integerDigits`
/// value `x` as a Q0.31 `reciprocal` and a power of two, `1/x = reciprocal * 2^-numBitsOverUnit`.
/// SOFTMAX divides by its sum of exponentials with it.
///
/// `x` is normalised to `1 + f` with `f` in [0, 1) by shifting out its leading zeros (the
/// shift is `numBitsOverUnit`'s complement), and `1 / (1 + f)` comes from
/// `oneOverOnePlusXForXIn01`. Example: `x = 1.25` in Q12 gives `(0.8 in Q0.31, 0)`.
public func getReciprocal(_ x: Int32, integerDigits: Int32) -> (
  reciprocal: Int32, numBitsOverUnit: Int32
) {
  let bits = UInt32(bitPattern: x)
  let headroomPlusOne = Int32(bits.leadingZeroBitCount)
  let numBitsOverUnit = integerDigits - headroomPlusOne
  // (x << headroom) has its leading one at bit 31: minus 2^31 leaves f in Q0.31.
  let shiftedSumMinusOne = Int32(bitPattern: (bits &<< UInt32(headroomPlusOne)) &- (1 << 31))
  return (oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit)
}
