import Datasets
import Graph
import Testing

@testable import Training

/// The whole path end to end on real data, small enough for the default test run (~2 s): LeNet-5
/// trained for one epoch on 12,000 Fashion-MNIST training images must classify 2,000 test images
/// it never saw at least 80 % right (a full 10-epoch run reaches ~91 %; chance is 10 %).
@Test func lenet5LearnsFashionMNISTInOneShortEpoch() throws {
  let train = try FashionMNIST.load(.train).prefix(12_000)
  let test = try FashionMNIST.load(.test).prefix(2_000)
  let network = try Network(graph: ModelZoo.lenet5, seed: 1)
  var options = TrainingOptions()
  options.epochs = 1
  options.batchSize = 32
  options.learningRate = 2e-3
  let trainer = Trainer(network: network, options: options)
  let before = try network.evaluate(test)
  let epoch = try trainer.trainEpoch(train, epoch: 0)
  let after = try network.evaluate(test)
  #expect(before.accuracy < 0.3, "untrained accuracy \(before.accuracy)")
  #expect(after.accuracy >= 0.80, "test accuracy \(after.accuracy), train loss \(epoch.trainLoss)")
  #expect(after.loss < before.loss)
}

/// A model file round trip: the exported parameters load into a new network that predicts the
/// same classes, and the file carries the graph, class names and pixel normalisation.
@Test func trainedNetworkRoundTripsThroughTheModelFile() throws {
  let test = try FashionMNIST.load(.test).prefix(300)
  let network = try Network(graph: ModelZoo.lenet5, seed: 2)
  var options = TrainingOptions()
  options.epochs = 1
  _ = try Trainer(network: network, options: options).trainEpoch(test, epoch: 0)
  let model = try network.floatModel(
    classNames: test.classNames, metadata: ["dataset": "fashion-mnist"])
  let decoded = try FloatModel.decode(
    SafetensorsFile.decode(model.safetensors().encoded(), source: "memory"), source: "memory")
  #expect(decoded.classNames == test.classNames)
  #expect(decoded.metadata["input_normalization"] == "pixel/255")
  #expect(decoded.metadata["dataset"] == "fashion-mnist")
  #expect(decoded.parameters["conv1.weight"]?.shape == [6, 1, 5, 5])
  let reloaded = try Network(model: decoded)
  #expect(try reloaded.predictClasses(images: test) == network.predictClasses(images: test))
  let outputs = try reloaded.outputs(images: test, range: 0..<4)
  #expect(outputs.count == ModelZoo.lenet5.nodes.count)
  #expect(outputs[0].values.max() ?? 0 <= 1)
  #expect(outputs[1].shape == FeatureShape(channels: 6, height: 28, width: 28))
}

@Test func theThreadCountChangesOnlyRounding() throws {
  let test = try FashionMNIST.load(.test).prefix(256)
  var results: [[Float]] = []
  for threads in [1, 2] {
    let network = try Network(graph: ModelZoo.lenet5, seed: 3, workers: Workers(count: threads))
    var options = TrainingOptions()
    options.batchSize = 64
    _ = try Trainer(network: network, options: options).trainEpoch(test, epoch: 0)
    results.append(network.parameters[0].values)
  }
  let difference = zip(results[0], results[1]).map { abs($0 - $1) }.max() ?? 1
  #expect(difference < 1e-3, "conv1 weights differ by \(difference) between 1 and 2 threads")
}
