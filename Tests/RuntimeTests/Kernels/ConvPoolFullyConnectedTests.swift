import Testing

@testable import Runtime

/// Per-channel multipliers and shifts for real output multipliers.
func multipliers(_ reals: [Double]) -> ([Int32], [Int32]) {
  let pairs = reals.map { quantizeMultiplier($0) }
  return (pairs.map(\.multiplier), pairs.map(\.shift))
}

func conv2D(
  _ p: ConvParams, input: [Int8], _ inputShape: Shape4, filter: [Int8], _ filterShape: Shape4,
  bias: [Int32]?, scales: [Double], _ outputShape: Shape4, depthwise: Bool = false
) -> [Int8] {
  let (m, s) = multipliers(scales)
  return filter.withUnsafeBufferPointer { f in
    m.withUnsafeBufferPointer { m in
      s.withUnsafeBufferPointer { s in
        (bias ?? [0]).withUnsafeBufferPointer { b in
          run(input, outputCount: outputShape.flatSize) { x, y in
            if depthwise {
              let dp = DepthwiseParams(
                padding: p.padding, paddingValues: p.paddingValues, strideWidth: p.strideWidth,
                strideHeight: p.strideHeight, dilationWidthFactor: p.dilationWidthFactor,
                dilationHeightFactor: p.dilationHeightFactor,
                depthMultiplier: outputShape.c / inputShape.c, inputOffset: p.inputOffset,
                outputOffset: p.outputOffset, quantizedActivationMin: p.quantizedActivationMin,
                quantizedActivationMax: p.quantizedActivationMax)
              depthwiseConv2DPerChannelInt8Reference(
                dp, outputMultiplier: m.baseAddress!, outputShift: s.baseAddress!,
                inputShape: inputShape, input: x, filterShape: filterShape,
                filter: f.baseAddress!, bias: bias == nil ? nil : b.baseAddress!,
                outputShape: outputShape, output: y)
            } else {
              conv2DPerChannelInt8Reference(
                p, outputMultiplier: m.baseAddress!, outputShift: s.baseAddress!,
                inputShape: inputShape, input: x, filterShape: filterShape,
                filter: f.baseAddress!, bias: bias == nil ? nil : b.baseAddress!,
                outputShape: outputShape, output: y)
            }
          }
        }
      }
    }
  }
}

@Test func conv2DSamePaddingSkipsTapsOutsideTheImage() throws {
  // 3x3 image 1...9 at zero point 1 (so 0...8 real), 3x3 ones filter, SAME, bias 2, output
  // zero point -5: each output is the sum of its in-image neighbourhood + 2 - 5.
  let window = try computePaddingHeightWidth(
    strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, inHeight: 3,
    inWidth: 3, filterHeight: 3, filterWidth: 3, padding: .same)
  #expect(window.padding.height == 1 && window.padding.width == 1 && window.outHeight == 3)
  let p = ConvParams(
    padding: .same, paddingValues: window.padding, inputOffset: -1, outputOffset: -5)
  let image = Shape4(n: 1, h: 3, w: 3, c: 1)
  let out = conv2D(
    p, input: Array(1...9), image, filter: [Int8](repeating: 1, count: 9),
    Shape4(n: 1, h: 3, w: 3, c: 1), bias: [2], scales: [1], image)
  expectSameValues(out, [5, 12, 9, 18, 33, 24, 17, 30, 21])
  // Depthwise with one channel is the same convolution.
  let depthwise = conv2D(
    p, input: Array(1...9), image, filter: [Int8](repeating: 1, count: 9),
    Shape4(n: 1, h: 3, w: 3, c: 1), bias: [2], scales: [1], image, depthwise: true)
  expectSameValues(depthwise, out)
}

@Test func conv2DDilationAndPerChannelScales() {
  // Width-5 row, 1x2 filters dilated by 2 (taps x and x + 2), VALID: 3 outputs, 2 channels.
  // Channel 0 = x + 10 x', scale 1; channel 1 = (x' - x) * 0.5 = 1.
  let p = ConvParams(dilationWidthFactor: 2)
  let out = conv2D(
    p, input: [1, 2, 3, 4, 5], Shape4(n: 1, h: 1, w: 5, c: 1), filter: [1, 10, -1, 1],
    Shape4(n: 2, h: 1, w: 2, c: 1), bias: nil, scales: [1, 0.5], Shape4(n: 1, h: 1, w: 3, c: 2))
  expectSameValues(out, [31, 1, 42, 1, 53, 1])
}

@Test func depthwiseConv2DMapsChannelsByDepthMultiplier() {
  // 2 input channels, depth multiplier 2: output channel inC * 2 + m uses weight [0, 0, 0, oc].
  let out = conv2D(
    ConvParams(), input: [1, 10, 2, 20], Shape4(n: 1, h: 1, w: 2, c: 2), filter: [1, 2, 3, 4],
    Shape4(n: 1, h: 1, w: 1, c: 4), bias: [0, 0, 0, 1], scales: [1, 1, 1, 1],
    Shape4(n: 1, h: 1, w: 2, c: 4), depthwise: true)
  expectSameValues(out, [1, 2, 30, 41, 2, 4, 60, 81])
}

@Test func fullyConnectedPerTensorAndPerChannel() throws {
  // input 1, 2, 3 at zero point 1 -> 0, 1, 2; weights [[1, 1, 1], [1, -1, 2]]; bias 10, -10;
  // output zero point 3. Per tensor at scale 1: 3 + 10 + 3 = 16, 3 - 10 + 3 = -4.
  let input: [Int8] = [1, 2, 3]
  let weights: [Int8] = [1, 1, 1, 1, -1, 2]
  let bias: [Int32] = [10, -10]
  let inputShape = Shape4(n: 1, h: 1, w: 1, c: 3)
  let filterShape = Shape4(n: 1, h: 1, w: 2, c: 3)
  let outputShape = Shape4(n: 1, h: 1, w: 1, c: 2)
  let (m, s) = convolutionChannelMultiplier(inputScale: 1, filterScale: 1, outputScale: 1)
  let p = FullyConnectedParams(
    inputOffset: -1, outputOffset: 3, outputMultiplier: m, outputShift: s)
  let perTensor: [Int8] = weights.withUnsafeBufferPointer { w in
    bias.withUnsafeBufferPointer { b in
      run(input, outputCount: 2) {
        fullyConnectedInt8Reference(
          p, inputShape: inputShape, input: $0, filterShape: filterShape, filter: w.baseAddress!,
          bias: b.baseAddress!, outputShape: outputShape, output: $1)
      }
    }
  }
  #expect(perTensor == [16, -4])
  // Per channel, channel 1 at 0.5: -7 * 0.5 = -3.5, and SRDHM rounds that tie up: -3 + 3 = 0.
  let (pm, ps) = multipliers([1, 0.5])
  let perChannel: [Int8] = weights.withUnsafeBufferPointer { w in
    bias.withUnsafeBufferPointer { b in
      pm.withUnsafeBufferPointer { pm in
        ps.withUnsafeBufferPointer { ps in
          run(input, outputCount: 2) {
            fullyConnectedPerChannelInt8Reference(
              p, outputMultiplier: pm.baseAddress!, outputShift: ps.baseAddress!,
              inputShape: inputShape, input: $0, filterShape: filterShape,
              filter: w.baseAddress!, bias: b.baseAddress!, outputShape: outputShape, output: $1)
          }
        }
      }
    }
  }
  #expect(perChannel == [16, 0])
}

@Test func populateConvolutionQuantizationParamsRejectsAWrongScaleCount() {
  var m = [Int32](repeating: 0, count: 3)
  var s = [Int32](repeating: 0, count: 3)
  let scales: [Float] = [0.1, 0.2]
  #expect(throws: KernelError.unsupportedQuantization) {
    try scales.withUnsafeBufferPointer { f in
      try m.withUnsafeMutableBufferPointer { m in
        try s.withUnsafeMutableBufferPointer { s in
          try populateConvolutionQuantizationParams(
            inputScale: 1, filterScales: f, outputScale: 1, outputMultiplier: m, outputShift: s)
        }
      }
    }
  }
}

func pool(
  _ p: PoolParams, average: Bool, input: [Int8], _ inputShape: Shape4, _ outputShape: Shape4
)
  -> [Int8]
{
  run(input, outputCount: outputShape.flatSize) {
    if average {
      averagePool2DInt8Reference(
        p, inputShape: inputShape, input: $0, outputShape: outputShape, output: $1)
    } else {
      maxPool2DInt8Reference(
        p, inputShape: inputShape, input: $0, outputShape: outputShape, output: $1)
    }
  }
}

@Test func averagePoolRoundsHalfAwayFromZeroOverInImageTaps() throws {
  // 2x2 windows, stride 2, VALID: sums 5, -5, 6, -7 over 4 taps -> 1.25 -> 1, -1.25 -> -1,
  // 1.5 -> 2, -1.75 -> -2. Then SAME 3x3 on 2x2: every window covers the whole image, and only
  // its 4 in-image taps count: (1 + 2 + 4 - 2) / 4 = 1.25 -> 1 at every position.
  let input4: [Int8] = [
    1, 2, -1, -2,
    1, 1, -1, -1,
    2, 1, -2, -2,
    2, 1, -2, -1,
  ]
  let p = try preparePool2D(
    padding: .valid, strideHeight: 2, strideWidth: 2, filterHeight: 2, filterWidth: 2,
    activation: .none, inputShape: Shape4(n: 1, h: 4, w: 4, c: 1),
    outputShape: Shape4(n: 1, h: 2, w: 2, c: 1), inputScale: 0.1, inputZeroPoint: 0,
    outputScale: 0.1, outputZeroPoint: 0)
  #expect(
    pool(
      p, average: true, input: input4, Shape4(n: 1, h: 4, w: 4, c: 1),
      Shape4(n: 1, h: 2, w: 2, c: 1))
      == [1, -1, 2, -2])
  let same = try preparePool2D(
    padding: .same, strideHeight: 1, strideWidth: 1, filterHeight: 3, filterWidth: 3,
    activation: .none, inputShape: Shape4(n: 1, h: 2, w: 2, c: 1),
    outputShape: Shape4(n: 1, h: 2, w: 2, c: 1), inputScale: 0.1, inputZeroPoint: 0,
    outputScale: 0.1, outputZeroPoint: 0)
  let image = Shape4(n: 1, h: 2, w: 2, c: 1)
  #expect(pool(same, average: true, input: [1, 2, 4, -2], image, image) == [1, 1, 1, 1])
  // Ties: 5 / 2 -> 3, -5 / 2 -> -3 (TFLM's (sum ± count / 2) / count).
  let pair = try preparePool2D(
    padding: .valid, strideHeight: 1, strideWidth: 1, filterHeight: 1, filterWidth: 2,
    activation: .none, inputShape: Shape4(n: 1, h: 1, w: 2, c: 2),
    outputShape: Shape4(n: 1, h: 1, w: 1, c: 2), inputScale: 0.1, inputZeroPoint: 0,
    outputScale: 0.1, outputZeroPoint: 0)
  #expect(
    pool(
      pair, average: true, input: [2, -2, 3, -3], Shape4(n: 1, h: 1, w: 2, c: 2),
      Shape4(n: 1, h: 1, w: 1, c: 2)) == [3, -3])
}

@Test func maxPoolFoldsTheActivation() throws {
  // RELU6 at scale 0.1, zero point -100: clamp to [-100, -40].
  let p = try preparePool2D(
    padding: .valid, strideHeight: 1, strideWidth: 1, filterHeight: 2, filterWidth: 1,
    activation: .relu6, inputShape: Shape4(n: 1, h: 2, w: 3, c: 1),
    outputShape: Shape4(n: 1, h: 1, w: 3, c: 1), inputScale: 0.1, inputZeroPoint: -100,
    outputScale: 0.1, outputZeroPoint: -100)
  #expect(p.quantizedActivationMin == -100 && p.quantizedActivationMax == -40)
  #expect(
    pool(
      p, average: false, input: [-128, -50, 0, -110, -60, 10], Shape4(n: 1, h: 2, w: 3, c: 1),
      Shape4(n: 1, h: 1, w: 3, c: 1)) == [-100, -50, -40])
}

@Test func poolPrepareRejectsRescalingAndWrongOutputs() {
  func prepare(outputScale: Float, outputZeroPoint: Int32, outH: Int) throws {
    _ = try preparePool2D(
      padding: .valid, strideHeight: 2, strideWidth: 2, filterHeight: 2, filterWidth: 2,
      activation: .none, inputShape: Shape4(n: 1, h: 4, w: 4, c: 3),
      outputShape: Shape4(n: 1, h: outH, w: 2, c: 3), inputScale: 0.1, inputZeroPoint: 0,
      outputScale: outputScale, outputZeroPoint: outputZeroPoint)
  }
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepare(outputScale: 0.2, outputZeroPoint: 0, outH: 2)
  }
  #expect(throws: KernelError.unsupportedQuantization) {
    try prepare(outputScale: 0.1, outputZeroPoint: 1, outH: 2)
  }
  #expect(throws: KernelError.shapeMismatch) {
    try prepare(outputScale: 0.1, outputZeroPoint: 0, outH: 3)
  }
}
