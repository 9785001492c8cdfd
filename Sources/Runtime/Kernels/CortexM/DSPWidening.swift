/// FULLY_CONNECTED's activations for the DSP kernel set: one input row widened to int16 pairs
/// with the input offset added (`x + inputOffset`, in [-255, 255]), in the depth order of the
/// packed weights (DSPPackedWeights): in quad order each four bytes become two words by SXTAB16
/// (bytes 0 and 2, then 1 and 3), in natural order value `k` is int16 `k`; zeros up to `pairs`
/// words. (CONV_2D's columns: ConvWindow, Conv2DInt8DSP.swift.)
func widenRow(
  _ values: UnsafePointer<Int8>, count: Int, inputOffset: Int32, quadOrder: Bool, pairs: Int,
  into words: UnsafeMutablePointer<Int32>
) {
  let halves = UnsafeMutableRawPointer(words).assumingMemoryBound(to: Int16.self)
  var k = 0
  if quadOrder {
    let offsets = int16Pair(inputOffset, inputOffset)
    let raw = UnsafeRawPointer(values)
    while k &+ 4 <= count {
      let four = raw.loadUnaligned(fromByteOffset: k, as: UInt32.self)
      words[k &>> 1] = sxtab16(offsets, four)
      words[k &>> 1 &+ 1] = sxtab16Odd(offsets, four)
      k &+= 4
    }
  }
  while k < count {
    halves[k] = Int16(truncatingIfNeeded: Int32(values[k]) &+ inputOffset)
    k &+= 1
  }
  while k < 2 &* pairs {
    halves[k] = 0
    k &+= 1
  }
}
