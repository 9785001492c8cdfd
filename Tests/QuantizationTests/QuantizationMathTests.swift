import Testing

@testable import Quantization

@Test func pixelRangeGivesTheConvertersInputParameters() {
  // x / 255 in [0, 1]: TensorFlow's converter writes scale 1/255, zero point -128, so the
  // int8 input is exactly u8 - 128.
  let q = AffineQuantization.asymmetricInt8(min: 0, max: 1)
  #expect(q.scale == Float(1.0 / 255))
  #expect(q.zeroPoint == -128)
  for pixel in [0, 1, 127, 128, 254, 255] {
    #expect(Int(q.quantize(Float(pixel) / 255)) == pixel - 128)
  }
}

@Test func rangeIsWidenedToContainZero() {
  let positive = AffineQuantization.asymmetricInt8(min: 2, max: 4)
  #expect(positive.zeroPoint == -128)  // [0, 4]
  #expect(positive.quantize(0) == -128)
  let negative = AffineQuantization.asymmetricInt8(min: -3, max: -1)
  #expect(negative.zeroPoint == 127)  // [-3, 0]
  #expect(negative.dequantize(127) == 0)
  let symmetric = AffineQuantization.asymmetricInt8(min: -1, max: 1)
  #expect(symmetric.dequantize(Int8(symmetric.zeroPoint)) == 0)
  #expect(abs(Float(symmetric.zeroPoint)) <= 1)
}

@Test func perChannelWeightsAreSymmetricWithin127() {
  // Channel 1 (the middle four) is all zero.
  let w: [Float] = [0.5, -1.0, 0.25, 0.0, 0, 0, 0, 0, 2, -2, 1, 0.01]
  let q = SymmetricWeights.quantize(w, channels: 3)
  let expectedScales: [Float] = [1.0 / 127, 1.0 / 127, 2.0 / 127]
  #expect(q.scales == expectedScales)
  let expected: [Int8] = [64, -127, 32, 0, 0, 0, 0, 0, 127, -127, 64, 1]  // 63.5 rounds away
  #expect(q.values == expected)
  #expect(q.values.allSatisfy { $0 != -128 })
}

@Test func biasUsesInputTimesWeightScale() {
  let (values, scales) = quantizeBias([1.0, -0.5], inputScale: 0.5, weightScales: [0.01, 0.02])
  let expectedScales: [Float] = [0.5 * 0.01, 0.5 * 0.02]
  #expect(scales == expectedScales)
  #expect(values == [200, -50])
  let (saturated, _) = quantizeBias([1e30], inputScale: 1e-10, weightScales: [1e-10])
  #expect(saturated == [Int32.max])
}

@Test func sqnrOfExactAndNoisyCopies() {
  #expect(signalToQuantizationNoise([1, 2, 3], [1, 2, 3]) == .infinity)
  // noise power 1/100 of the signal power: 20 dB
  let s = signalToQuantizationNoise([10, 0], [9, 0])
  #expect(abs(s - 20) < 1e-9)
}
