import Datasets
import Graph
import Testing
import Training

@testable import Quantization

/// The MLPerf Tiny zoo nets on 28x28 Fashion-MNIST after a short training run: strided 3x3
/// convolutions written as PAD + VALID, 1x1 stride-2 shortcuts into ADD, depthwise-separable
/// blocks, a 10x4 stride-2 first layer, dropout dropped, AVERAGE_POOL_2D, flatten.
/// (mobilenet-v1 is left out: after one short epoch it has barely learnt, and the int8 noise of
/// its 27 layers adds up to a logit cosine of 0.84, falling steadily layer by layer, no step.)
@Test(arguments: ["resnet8", "ds-cnn"])
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
