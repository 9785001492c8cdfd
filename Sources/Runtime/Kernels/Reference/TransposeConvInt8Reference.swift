/// Int8 transposed convolution, NHWC, per-channel weights: the spec for TRANSPOSE_CONV. Mirrors
/// TFLM's `reference_integer_ops::TransposeConv` (tensorflow/lite/kernels/internal/reference/
/// integer_ops/transpose_conv.h), which TFLM's micro TRANSPOSE_CONV (micro/kernels/
/// transpose_conv.cc, `Eval`) calls for int8: every input value is scattered into the output
/// positions its filter taps reach, summed in an int32 scratch buffer the size of the output,
/// then the bias, the per-channel requantisation, the output zero point and the clamp.
///
/// - filter: `[outC, kH, kW, inC]` (OHWI), per-channel scales along dimension 0.
/// - bias: `[outC]` int32 at scale `inputScale * filterScale[c]`, or nil.
/// - p: strides, `paddingValues` (TFLM computes them from the output size, see
///   `prepareTransposeConv`), offsets and the clamp; dilation is always 1.
/// - scratch: `outputShape.flatSize` int32 values, overwritten.
public func transposeConvPerChannelInt8Reference(
  _ p: ConvParams, outputMultiplier: UnsafePointer<Int32>, outputShift: UnsafePointer<Int32>,
  inputShape: Shape4, input: UnsafePointer<Int8>,
  filterShape: Shape4, filter: UnsafePointer<Int8>,
  bias: UnsafePointer<Int32>?,
  outputShape: Shape4, output: UnsafeMutablePointer<Int8>,
  scratch: UnsafeMutablePointer<Int32>
) {
  scratch.update(repeating: 0, count: outputShape.flatSize)
  for batch in 0..<inputShape.n {
    for inY in 0..<inputShape.h {
      let outYOrigin = inY * p.strideHeight - p.paddingValues.height
      for inX in 0..<inputShape.w {
        let outXOrigin = inX * p.strideWidth - p.paddingValues.width
        for inC in 0..<inputShape.c {
          let x = Int32(input[inputShape.offset(batch, inY, inX, inC)]) &+ p.inputOffset
          for kY in 0..<filterShape.h {
            let outY = outYOrigin + kY
            for kX in 0..<filterShape.w {
              let outX = outXOrigin + kX
              // Taps that land outside the output are cut off (the padding's side).
              guard outX >= 0, outX < outputShape.w, outY >= 0, outY < outputShape.h else {
                continue
              }
              for outC in 0..<outputShape.c {
                let w = Int32(filter[filterShape.offset(outC, kY, kX, inC)])
                let o = outputShape.offset(batch, outY, outX, outC)
                // Wrapping, as the C int32 accumulation compiles: |w * x| < 2^15 per tap.
                scratch[o] = scratch[o] &+ x &* w
              }
            }
          }
        }
      }
    }
  }
  for batch in 0..<outputShape.n {
    for outY in 0..<outputShape.h {
      for outX in 0..<outputShape.w {
        for outC in 0..<outputShape.c {
          let o = outputShape.offset(batch, outY, outX, outC)
          var acc = scratch[o]
          if let bias { acc = acc &+ bias[outC] }
          acc = multiplyByQuantizedMultiplier(acc, outputMultiplier[outC], outputShift[outC])
          acc = acc &+ p.outputOffset
          acc = min(max(acc, p.quantizedActivationMin), p.quantizedActivationMax)
          output[o] = Int8(truncatingIfNeeded: acc)
        }
      }
    }
  }
}
