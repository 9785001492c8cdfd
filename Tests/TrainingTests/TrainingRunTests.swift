import Datasets
import Graph
import Testing

@testable import Training

/// The whole path end to end on real data, small enough for the default test run (~2 s): LeNet-5
/// trained for one epoch on 12,000 Fashion-MNIST training images must classify 2,000 test images
/// it never saw at least 75 % right (a full 10-epoch run reaches ~91 %; chance is 10 %). With
/// Glorot-uniform weights this short run gives 78.6 % (He normal gave a little over 80 %); the
/// full run's first epoch is 86 % either way.
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
  #expect(after.accuracy >= 0.75, "test accuracy \(after.accuracy), train loss \(epoch.trainLoss)")
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

/// Images whose class is which half (left or right) is brighter: a linear model separates them,
/// so every optimizer and schedule must get (nearly) all of them right in a few epochs.
func brighterHalf(count: Int, seed: UInt64) -> LabeledImages {
  var rng = SplitMix64(seed: seed)
  var pixels: [UInt8] = []
  var labels: [Int] = []
  for _ in 0..<count {
    let label = Int(rng.next() & 1)
    for _ in 0..<6 {
      for x in 0..<6 {
        let bright = (x < 3) == (label == 0)
        pixels.append(UInt8(bright ? 140 + rng.next() % 100 : rng.next() % 110))
      }
    }
    labels.append(label)
  }
  return LabeledImages(
    name: "brighter-half", width: 6, height: 6, channels: 1, pixels: pixels, labels: labels,
    classNames: ["left", "right"])
}

@Test(arguments: [
  (OptimizerKind.sgd(momentum: 0.9), Float(0.05), LearningRateSchedule.step(every: 2, factor: 0.5)),
  (.defaultAdam, 0.01, .cosine),
  (.sgd(momentum: 0), 0.1, .constant),
])
func trainerLearnsASyntheticTask(
  optimizer: OptimizerKind, rate: Float, schedule: LearningRateSchedule
) throws {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: 6, width: 6),
    [
      ("conv", .conv2d(Conv2DSpec(outChannels: 4, kernel: Size2(3), padding: Size2(1)))),
      ("bn", .batchNorm2d(BatchNormSpec())), ("relu", .relu), ("pool", .globalAvgPool),
      ("drop", .dropout(DropoutSpec(rate: 0.1))), ("fc", .linear(LinearSpec(outFeatures: 2))),
      ("softmax", .softmax),
    ])
  let network = try Network(graph: graph, seed: 4)
  var options = TrainingOptions()
  options.epochs = 6
  options.batchSize = 16
  options.optimizer = optimizer
  options.learningRate = rate
  options.schedule = schedule
  options.weightDecay = 1e-4
  options.augmentation = Augmentation(horizontalFlip: false, maxShift: 1)
  let trainer = Trainer(network: network, options: options)
  let train = brighterHalf(count: 512, seed: 1)
  for epoch in 0..<options.epochs { _ = try trainer.trainEpoch(train, epoch: epoch) }
  let test = brighterHalf(count: 256, seed: 2)
  let result = try network.evaluate(test)
  #expect(result.accuracy > 0.95, "\(optimizer.name), \(schedule.name): \(result)")
  #expect(trainer.steps == 6 * 32)
  // The model ends in a softmax: predictions are probabilities.
  let p = try network.predictions(images: test, range: 0..<3)
  #expect(abs(p.values[0] + p.values[1] - 1) < 1e-5)
}

/// A network with nothing to learn still runs a training step (the loss has somewhere to go).
@Test func trainingANetworkWithoutParametersIsHarmless() throws {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: 6, width: 6), [("flatten", .flatten)])
  let network = try Network(graph: graph)
  let result = try Trainer(network: network, options: TrainingOptions()).trainEpoch(
    brighterHalf(count: 40, seed: 3), epoch: 0)
  #expect(result.trainLoss.isFinite)
}

@Test func schedulesGiveTheDocumentedRates() {
  #expect(LearningRateSchedule.constant.rate(base: 0.1, epoch: 5, step: 50, totalSteps: 100) == 0.1)
  let step = LearningRateSchedule.step(every: 3, factor: 0.5)
  #expect(step.rate(base: 0.1, epoch: 2, step: 0, totalSteps: 1) == 0.1)
  #expect(step.rate(base: 0.1, epoch: 3, step: 0, totalSteps: 1) == 0.05)
  #expect(step.rate(base: 0.1, epoch: 7, step: 0, totalSteps: 1) == 0.025)
  let cosine = LearningRateSchedule.cosine
  #expect(cosine.rate(base: 0.1, epoch: 0, step: 0, totalSteps: 100) == 0.1)
  #expect(abs(cosine.rate(base: 0.1, epoch: 0, step: 50, totalSteps: 100) - 0.05) < 1e-7)
  #expect(LearningRateSchedule("step:4:0.3") == .step(every: 4, factor: 0.3))
  #expect(LearningRateSchedule("cosine") == .cosine)
  #expect(LearningRateSchedule("step:4") == nil)
  #expect(LearningRateSchedule("linear") == nil)
}

/// Adam's first step moves every weight by about the learning rate against its gradient's sign
/// (m̂/sqrt(v̂) = g/|g|); SGD's first step is exactly -lr * (g + λw).
@Test func optimizerFirstStepsMatchTheirFormulas() {
  for kind in [OptimizerKind.defaultAdam, .sgd(momentum: 0.9)] {
    let p = Parameter(name: "w", shape: [3], decays: true)
    p.values = [1, -2, 0.5]
    let g: [Float] = [0.3, -0.1, 2]
    p.gradient.update(from: g, count: 3)
    Optimizer(kind, weightDecay: 0.1, parameters: [p]).step(learningRate: 0.01)
    let w = p.values
    switch kind {
    case .adam:
      // Decoupled decay: w - lr * (sign(g) + λ w), up to ε.
      let expected: [Float] = [
        1 - 0.01 * (1 + 0.1), -2 - 0.01 * (-1 - 0.2), 0.5 - 0.01 * (1 + 0.05),
      ]
      #expect(zip(w, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "adam: \(w)")
    case .sgd:
      let expected: [Float] = [
        1 - 0.01 * (0.3 + 0.1), -2 - 0.01 * (-0.1 - 0.2), 0.5 - 0.01 * (2 + 0.05),
      ]
      #expect(zip(w, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "sgd: \(w)")
    }
  }
}
