import Datasets
import Graph
import Testing

@testable import Training

/// A small network with every kind of training state: weights and biases, batch norm's running
/// statistics (updated by the forward pass), dropout (masks drawn from the step number) and, with
/// the augmentation on, the batcher's random shifts. Its second conv (8 -> 8 channels, 3x3) runs
/// by Winograd, the first (one input channel) by im2col: a resumed run takes the same paths.
private func checkpointNetwork(seed: UInt64) throws -> Network {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: 6, width: 6),
    [
      ("conv", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(3), padding: Size2(1)))),
      ("conv2", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(3), padding: Size2(1)))),
      ("bn", .batchNorm2d(BatchNormSpec())), ("relu", .relu), ("pool", .globalAvgPool),
      ("drop", .dropout(DropoutSpec(rate: 0.2))), ("fc", .linear(LinearSpec(outFeatures: 2))),
      ("softmax", .softmax),
    ])
  let network = try Network(graph: graph, seed: seed, workers: Workers(count: 1))
  #expect(network.layers.compactMap { ($0 as? Conv2DLayer)?.takesWinograd } == [false, true])
  return network
}

private func options(_ optimizer: OptimizerKind) -> TrainingOptions {
  var options = TrainingOptions()
  options.epochs = 4
  options.batchSize = 16
  options.optimizer = optimizer
  options.learningRate = 0.01
  options.schedule = .cosine
  options.weightDecay = 1e-4
  options.seed = 11
  options.augmentation = Augmentation(horizontalFlip: true, maxShift: 1)
  return options
}

/// Trains `epochs` as `train` does: each epoch followed by an evaluation, recorded.
private func run(
  _ trainer: Trainer, _ data: LabeledImages, epochs: Range<Int>
) throws -> [TrainingRecord.Epoch] {
  try epochs.map { epoch in
    let result = try trainer.trainEpoch(data, epoch: epoch)
    return TrainingRecord.Epoch(result, test: try trainer.network.evaluate(data))
  }
}

/// Every parameter's values as bit patterns, so -0.0, +0.0 and NaN payloads count.
private func bits(_ network: Network) -> [String: [UInt32]] {
  Dictionary(
    uniqueKeysWithValues: network.parameters.map { ($0.name, $0.values.map(\.bitPattern)) })
}

/// Issue 16: two epochs, a checkpoint through its file bytes, a new process's worth of fresh
/// objects, two more epochs: the weights equal those of four epochs
/// run without a stop, bit for bit, for Adam (two moments, bias correction by step) and SGD with
/// momentum.
@Test(arguments: [OptimizerKind.defaultAdam, .sgd(momentum: 0.9)])
func aResumedRunEndsWithTheUninterruptedWeights(optimizer: OptimizerKind) throws {
  let data = brighterHalf(count: 100, seed: 21)
  let options = options(optimizer)

  let straight = try checkpointNetwork(seed: 3)
  let straightTrainer = Trainer(network: straight, options: options)
  let straightHistory = try run(straightTrainer, data, epochs: 0..<4)

  let first = try checkpointNetwork(seed: 3)
  let firstTrainer = Trainer(network: first, options: options)
  let firstHistory = try run(firstTrainer, data, epochs: 0..<2)
  let saved = firstTrainer.checkpoint(
    epochsDone: 2, history: firstHistory, settings: ["model": "test"]
  ).encoded()

  let checkpoint = try TrainingCheckpoint.decode(saved, source: "memory")
  #expect(checkpoint.epochsDone == 2)
  // The same seed: dropout draws its masks from the network's seed (which `train` checks is
  // unchanged), the weights from the checkpoint.
  let resumed = try checkpointNetwork(seed: 3)
  #expect(bits(resumed) != bits(first))
  let resumedTrainer = Trainer(network: resumed, options: options)
  try resumedTrainer.resume(from: checkpoint)
  #expect(resumedTrainer.steps == firstTrainer.steps)
  let rest = try run(resumedTrainer, data, epochs: checkpoint.epochsDone..<4)

  #expect(bits(resumed) == bits(straight))
  #expect((checkpoint.history + rest).map(\.testLoss) == straightHistory.map(\.testLoss))
  #expect(resumedTrainer.steps == straightTrainer.steps)
}

/// Without the optimizer's moments the run would diverge from the straight one: the test above
/// could not pass by restoring the weights alone.
@Test func theWeightsAloneDoNotResumeTheRun() throws {
  let data = brighterHalf(count: 100, seed: 21)
  let options = options(.defaultAdam)
  let straight = try checkpointNetwork(seed: 3)
  let straightTrainer = Trainer(network: straight, options: options)
  for epoch in 0..<3 { _ = try straightTrainer.trainEpoch(data, epoch: epoch) }

  let first = try checkpointNetwork(seed: 3)
  let firstTrainer = Trainer(network: first, options: options)
  for epoch in 0..<2 { _ = try firstTrainer.trainEpoch(data, epoch: epoch) }
  let weightsOnly = try checkpointNetwork(seed: 3)
  for p in weightsOnly.parameters {
    p.values = first.parameters.first { $0.name == p.name }!.values
  }
  let trainer = Trainer(network: weightsOnly, options: options)
  _ = try trainer.trainEpoch(data, epoch: 2)
  #expect(bits(weightsOnly) != bits(straight))
}

@Test func aCheckpointOfAnotherRunIsRefused() throws {
  let network = try checkpointNetwork(seed: 1)
  let trainer = Trainer(network: network, options: options(.defaultAdam))
  let record = TrainingRecord(
    dataset: "d", trainImages: 100, testImages: 10, options: options(.defaultAdam), threads: 1,
    history: [], seconds: 0)
  let settings = TrainingCheckpoint.settings(of: record, model: "m")
  #expect(settings["seed"] == "11")
  #expect(settings["learning_rate"] != nil && settings["history"] == nil)
  let checkpoint = trainer.checkpoint(epochsDone: 1, history: [], settings: settings)
  try checkpoint.check(settings: settings)

  var other = options(.defaultAdam)
  other.learningRate = 0.02
  let changed = TrainingCheckpoint.settings(
    of: TrainingRecord(
      dataset: "d", trainImages: 100, testImages: 10, options: other, threads: 1, history: [],
      seconds: 0),
    model: "m")
  #expect(throws: TrainingError.self) { try checkpoint.check(settings: changed) }
  do { try checkpoint.check(settings: changed) } catch {
    #expect(error.message.contains("learning_rate was"), "\(error)")
  }

  // Another model: the shapes do not fit.
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: 6, width: 6),
    [("flatten", .flatten), ("fc", .linear(LinearSpec(outFeatures: 2)))])
  let small = Trainer(network: try Network(graph: graph), options: options(.defaultAdam))
  #expect(
    throws: TrainingError("the checkpoint's 'fc.weight' has shape [2, 8], the model's is [2, 36]")
  ) {
    try small.resume(from: checkpoint)
  }
}

/// A checkpoint file with its counters or moments damaged is a one-line error, never a trap.
@Test func aDamagedCheckpointIsAnError() throws {
  let trainer = Trainer(network: try checkpointNetwork(seed: 1), options: options(.defaultAdam))
  let history = try run(trainer, brighterHalf(count: 20, seed: 1), epochs: 0..<1)
  let checkpoint = trainer.checkpoint(epochsDone: 1, history: history, settings: [:])
  _ = try TrainingCheckpoint.decode(checkpoint.encoded(), source: "c")
  var file = try SafetensorsFile.decode(checkpoint.encoded(), source: "c")
  #expect(throws: (any Error).self) {
    var bad = file
    bad.metadata["tinycnn_checkpoint"] = #"{"format": 1, "epochs_done": 1e300}"#
    _ = try TrainingCheckpoint.decode(bad.encoded(), source: "c")
  }
  file.tensors.removeAll { $0.name.hasPrefix("optimizer.second/") }
  #expect(throws: (any Error).self) {
    _ = try TrainingCheckpoint.decode(file.encoded(), source: "c")
  }
  #expect(throws: (any Error).self) {
    _ = try TrainingCheckpoint.decode(Array("not a checkpoint".utf8), source: "c")
  }
}
