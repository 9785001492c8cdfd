import Testing

@testable import Graph

// The seed's worked examples (Dumoulin & Visin, "A guide to convolution arithmetic").
@Test(arguments: [
  (input: 4, kernel: 3, stride: 1, padding: 0, dilation: 1, expected: 2),
  (input: 5, kernel: 4, stride: 1, padding: 2, dilation: 1, expected: 6),
  (input: 7, kernel: 3, stride: 1, padding: 0, dilation: 2, expected: 3),
  (input: 5, kernel: 3, stride: 2, padding: 0, dilation: 1, expected: 2),
  (input: 5, kernel: 3, stride: 2, padding: 1, dilation: 1, expected: 3),
  (input: 6, kernel: 3, stride: 2, padding: 1, dilation: 1, expected: 3),
])
func convOutputSize(
  input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, expected: Int
) {
  let got = ConvArithmetic.outputSize(
    input: input, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
  #expect(got == expected)
}

@Test func transposedConvolutionInvertsTheShape() {
  // Convolving i=5, k=3, s=2 gives 2; the transposed convolution takes 2 back to 5 (the seed's).
  #expect(ConvArithmetic.outputSize(input: 5, kernel: 3, stride: 2) == 2)
  #expect(ConvArithmetic.transposedOutputSize(input: 2, kernel: 3, stride: 2) == 5)
  // i=5, k=3, s=2, p=1 gives 3; transposed with the same parameters gives back 5.
  #expect(ConvArithmetic.transposedOutputSize(input: 3, kernel: 3, stride: 2, padding: 1) == 5)
  // ... and an input of 6 also gives 3: output padding 1 recovers 6.
  #expect(
    ConvArithmetic.transposedOutputSize(
      input: 3, kernel: 3, stride: 2, padding: 1, outputPadding: 1) == 6)
  #expect(
    ConvArithmetic.transposedOutputSize(input: 3, kernel: 3, stride: 2, outputPadding: 2) == nil)
}

@Test func kernelLargerThanPaddedInputHasNoOutput() {
  #expect(ConvArithmetic.outputSize(input: 3, kernel: 5) == nil)
  #expect(ConvArithmetic.outputSize(input: 3, kernel: 5, padding: 1) == 1)
  #expect(ConvArithmetic.outputSize(input: 5, kernel: 3, dilation: 3) == nil)
}
