import Datasets
import Graph
import Testing
import Training

@testable import Quantization

/// The MLPerf Tiny zoo nets on 28x28 Fashion-MNIST after a short training run: strided 3x3
/// convolutions written as PAD + VALID, 1x1 stride-2 shortcuts into ADD, depthwise-separable
/// blocks, a 10x4 stride-2 first layer, dropout dropped, AVERAGE_POOL_2D, flatten; unet-mini's
/// TRANSPOSE_CONV (4x4 SAME at 14 and 28), dilated CONV_2D and skip CONCATENATIONs.
/// (mobilenet-v1 is left out: after one short epoch it has barely learnt, and the int8 noise of
/// its 27 layers adds up to a logit cosine of 0.84, falling steadily layer by layer, no step.)
@Test(arguments: ["resnet8", "ds-cnn", "unet-mini"])
func convertedTinyMLZooModelMatchesTheFloatModel(name: String) throws {
  let test = try fashion.get()
  let train = try DatasetCatalog.load("fashion-mnist", split: .train).prefix(1000)
  let graph = try #require(
    try ModelZoo.named(name, input: FeatureShape(channels: 1, height: 28, width: 28), classes: 10))
  let network = try Network(graph: graph, seed: 2)
  var options = TrainingOptions()
  options.batchSize = 32
  options.learningRate = 2e-3
  _ = try Trainer(network: network, options: options).trainEpoch(train, epoch: 0)
  let model = try network.floatModel(classNames: [])
  let r = try ConvertedModel.run(
    model, calibration: test.selecting(1000..<1200), test: test.prefix(300))
  #expect(r.cosine > 0.995, "\(name): cosine of the logits \(r.cosine)")
  #expect(r.agreement >= 0.95, "\(name): top-1 agreement \(r.agreement)")
}

/// A transposed convolution converts when its padding is TFLite's (VALID, or SAME's leading
/// padding for its output size); otherwise the error says why.
@Test func transposedConvolutionPaddingMustBeTFLites() throws {
  func graph(kernel: Int, padding: Int, outputPadding: Int) throws -> ModelGraph {
    try .sequential(
      input: FeatureShape(channels: 2, height: 5, width: 5),
      [
        (
          "up",
          .convTranspose2d(
            ConvTranspose2DSpec(
              outChannels: 3, kernel: Size2(kernel), stride: Size2(2), padding: Size2(padding),
              outputPadding: Size2(outputPadding)))
        ),
        ("gap", .globalAvgPool),
      ])
  }
  var ranges: [String: ActivationRange] = [:]
  for name in ["input", "up", "gap"] { ranges[name] = ActivationRange(min: -1, max: 1) }
  // 5 -> 10 with k4 p1 (SAME pads 1) and 5 -> 11 with k3 p0 (VALID) and k3 p1 (11 odd: SAME 1).
  for (k, p, op) in [(4, 1, 0), (3, 0, 0), (2, 0, 1), (3, 1, 0)] {
    let model = try randomModel(graph(kernel: k, padding: p, outputPadding: op), seed: 3)
    let converted = try convertToInt8(model, ranges: ranges)
    #expect(converted.layers.contains { $0.operators == ["TRANSPOSE_CONV"] })
  }
  // 5 -> 10 with k3 p1 output_padding 1: SAME would pad 0 before, PyTorch pads 1.
  let model = try randomModel(graph(kernel: 3, padding: 1, outputPadding: 1), seed: 3)
  #expect(throws: QuantizationError.self) { try convertToInt8(model, ranges: ranges) }
}
