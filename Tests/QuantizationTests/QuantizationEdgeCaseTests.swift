import Graph
import Runtime
import Testing

@testable import Quantization

/// conv -> ReLU -> flatten -> linear, the smallest net with every kind of weight.
private func tinyNet() throws -> ModelGraph {
  try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: 4, width: 4),
    [
      ("conv", .conv2d(Conv2DSpec(outChannels: 2, kernel: Size2(3), padding: Size2(1)))),
      ("relu", .relu), ("flatten", .flatten), ("fc", .linear(LinearSpec(outFeatures: 3))),
    ])
}

private let tinyRanges: [String: ActivationRange] = [
  "input": .init(min: 0, max: 1), "conv": .init(min: -2, max: 3), "relu": .init(min: 0, max: 3),
  "flatten": .init(min: 0, max: 3), "fc": .init(min: -4, max: 4),
]

@Test func allZeroWeightsGetAPositiveScaleAndZeroValues() throws {
  let q = SymmetricWeights.quantize([0, 0, 0, 0, 1, -2], channels: 3)
  #expect(q.values == [0, 0, 0, 0, 64, -127])
  let third: Float = 2.0 / 127
  #expect(q.scales == [1 / 127, 1 / 127, third])

  var model = try randomModel(try tinyNet())
  model.parameters["conv.weight"]!.values = [Float](repeating: 0, count: 18)
  let conversion = try convertToInt8(model, ranges: tinyRanges)
  let conv = try #require(conversion.layers.first { $0.node == "conv" })
  #expect(conv.weightSQNR == .infinity)  // the int8 grid holds zeros exactly
  #expect(conv.weightRange == 0...0)
  let (file, owner) = try openModel(conversion.model.serialized())
  defer { withExtendedLifetime(owner) {} }
  let filter = try file.tensor(at: Int(try file.operation(at: 0).input(1)!))
  let scales = try #require(filter.quantization).scales
  #expect((0..<scales.count).allSatisfy { scales[$0] > 0 })
  #expect(try #require(filter.data).allSatisfy { $0 == 0 })
}

@Test func aConstantActivationHasAUsableScale() {
  // Width 0 at 0: any positive scale represents it; the zero point is -128.
  let zero = AffineQuantization.asymmetricInt8(min: 0, max: 0)
  #expect(zero.scale > 0 && zero.scale.isFinite && zero.zeroPoint == -128)
  #expect(zero.quantize(0) == -128 && zero.dequantize(-128) == 0)
  // A constant 2.5 widens to [0, 2.5] (0 must be exact): 2.5 is the top of the grid.
  let positive = AffineQuantization.asymmetricInt8(min: 2.5, max: 2.5)
  #expect(positive.zeroPoint == -128 && positive.quantize(2.5) == 127)
  #expect(abs(positive.dequantize(127) - 2.5) < 1e-6)
  // A constant -1 widens to [-1, 0]: the zero point sits at the top.
  let negative = AffineQuantization.asymmetricInt8(min: -1, max: -1)
  #expect(negative.zeroPoint == 127 && negative.quantize(-1) == -128 && negative.quantize(0) == 127)
}

@Test func aReLURangeStartingAtZeroHasZeroPointMinus128() throws {
  let q = AffineQuantization.asymmetricInt8(min: 0, max: 6)
  #expect(q.zeroPoint == -128 && q.scale == Float(6.0 / 255))
  #expect(q.quantize(0) == -128 && q.quantize(6) == 127 && q.quantize(-1) == -128)

  // In a converted net the ReLU folds into the convolution: its output tensor takes the ReLU's
  // range, and the clamp at the zero point does the ReLU.
  let conversion = try convertToInt8(try randomModel(try tinyNet()), ranges: tinyRanges)
  let conv = try #require(conversion.layers.first { $0.node == "conv" })
  #expect(conv.fusedActivation == "RELU" && conv.outputNode == "relu")
  #expect(conv.output.zeroPoint == -128 && conv.output.scale == Float(3.0 / 255))
  let (file, owner) = try openModel(conversion.model.serialized())
  defer { withExtendedLifetime(owner) {} }
  let op = try file.operation(at: 0)
  #expect(op.code.builtin == .conv2D)
  #expect(try op.conv2DOptions().activation == .relu)
  #expect(try file.tensor(at: op.output(0)!).quantization?.zeroPoint == -128)
}

@Test func aHugeRangeStillGetsAFiniteScale() {
  let big = Float.greatestFiniteMagnitude
  let q = AffineQuantization.asymmetricInt8(min: -big, max: big)  // width overflows Float
  #expect(q.scale.isFinite && q.scale > 1e36)
  #expect(q.zeroPoint == 0 || q.zeroPoint == -1)
  #expect(q.quantize(big) == 127 && q.quantize(-big) == -128 && q.quantize(.nan) == q.zeroPoint)
  let wide = AffineQuantization.asymmetricInt8(min: 0, max: 1e30)
  #expect(wide.zeroPoint == -128 && abs(wide.dequantize(127) / 1e30 - 1) < 1e-6)
  // Tiny scales stay normal floats, so no multiplier divides by 0.
  let tiny = AffineQuantization.asymmetricInt8(min: 0, max: 1e-40)
  #expect(tiny.scale >= Float.leastNormalMagnitude)
  // Biases far outside int32 at their scale saturate instead of trapping.
  let bias = quantizeBias([1e30, -1e30, 3e-20], inputScale: 1e-10, weightScales: [1e-10])
  #expect(bias.values == [.max, .min, 3])
}

@Test func nonFiniteWeightsAreAnErrorNamingTheLayer() throws {
  var model = try randomModel(try tinyNet())
  model.parameters["fc.weight"]!.values[4] = .nan
  let error = #expect(throws: QuantizationError.self) {
    _ = try convertToInt8(model, ranges: tinyRanges)
  }
  #expect(error?.layer == "fc")
}

@Test func aMissingRangeIsAnErrorNamingTheLayer() throws {
  var ranges = tinyRanges
  ranges["fc"] = nil
  let error = #expect(throws: QuantizationError.self) {
    _ = try convertToInt8(try randomModel(try tinyNet()), ranges: ranges)
  }
  #expect(error?.layer == "fc")
}
