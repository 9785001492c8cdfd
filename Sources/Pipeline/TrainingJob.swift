import Datasets
import Foundation
import Graph
import InputChecks
import Training

/// The training run behind `tinycnn train`: load the splits, build the zoo model for the data (or
/// read a graph file), check that it fits and stays inside the resource limits, then the epoch
/// loop around `Trainer` with a test pass and a divergence check after every epoch, and the
/// model file with its graph, class names and training record.
package struct TrainingJob {
  /// A model-zoo name or a graph file (.json).
  package var model: String
  /// The images (`DatasetCatalog` syntax).
  package var dataset: String
  /// Only the first `limit` images of each split.
  package var limit: Int?
  package var options: TrainingOptions
  package var threads: Int
  /// `train --checkpoint-every N` and `--resume`; off by default.
  package var checkpoints = Checkpoints()

  /// Where the run keeps its checkpoint (`TrainingCheckpoint`), after how many epochs it writes
  /// one, and whether it continues from it.
  package struct Checkpoints {
    package var path = ""
    package var every: Int?
    package var resume = false

    package init() {}

    /// The checkpoint of the model written to `output`.
    package init(output: String, every: Int?, resume: Bool) {
      path = TrainingCheckpoint.path(forOutput: output)
      self.every = every
      self.resume = resume
    }

    var isOn: Bool { every != nil || resume }
  }

  package init(
    model: String, dataset: String, options: TrainingOptions, limit: Int? = nil, threads: Int
  ) {
    self.model = model
    self.dataset = dataset
    self.options = options
    self.limit = limit
    self.threads = threads
  }

  /// The data and the initialised network, before the first epoch.
  package struct Setup {
    package var train: LabeledImages
    package var test: LabeledImages
    package var network: Network
    package var workers: Workers

    /// Trainable parameters.
    package var parameterCount: Int {
      network.parameters.filter(\.isTrainable).reduce(0) { $0 + $1.count }
    }
  }

  /// What happens during `run`, for progress and notes.
  package enum Event {
    case step(epoch: Int, BatchProgress)
    case epochDone(epoch: Int, EpochResult, test: Evaluation)
    /// The run continues from `checkpoint` after `epochsDone` epochs.
    case resumed(epochsDone: Int, checkpoint: String)
  }

  /// Loads the data, builds and checks the graph and initialises the network.
  package func prepare() throws -> Setup {
    var train = try load(.train)
    var test = try load(.test)
    if let limit {
      train = train.prefix(limit)
      test = test.prefix(limit)
    }
    let graph = try buildGraph(for: train)
    try checkFits(graph, train)
    let workers = Workers(count: threads)
    let network: Network
    do { network = try Network(graph: graph, seed: options.seed, workers: workers) } catch {
      throw InputError(model, error.description)
    }
    do { try network.check(train) } catch { throw InputError(dataset, error.description) }
    return Setup(train: train, test: test, network: network, workers: workers)
  }

  /// Trains `setup.network` for `options.epochs` epochs (those after the checkpoint's when
  /// resuming), writing checkpoints as `checkpoints` asks; returns the training record. A run
  /// that diverges stops with the layer's name (`checkFinite`).
  package func run(_ setup: Setup, events: (Event) -> Void = { _ in }) throws -> TrainingRecord {
    let trainer = Trainer(network: setup.network, options: options)
    let settings = TrainingCheckpoint.settings(
      of: TrainingRecord(
        dataset: dataset, trainImages: setup.train.count, testImages: setup.test.count,
        options: options, threads: setup.workers.count, history: [], seconds: 0),
      model: model)
    var history: [TrainingRecord.Epoch] = []
    if checkpoints.resume {
      do {
        history = try trainer.resume(fromFile: checkpoints.path, settings: settings).history
      } catch { throw InputError(error.path, error.cause) }
      events(.resumed(epochsDone: history.count, checkpoint: checkpoints.path))
    }
    let start = Date()
    for epoch in history.count..<options.epochs {
      let result = try withoutActuallyEscaping(events) { events in
        try trainer.trainEpoch(setup.train, epoch: epoch) { step in
          events(.step(epoch: epoch, step))
        }
      }
      // At the training batch size (at least 64): the buffers already hold it. The default 500
      // grew every node's values and gradients eightfold on the first evaluation, and faulting
      // in those pages (880 MB for ResNet-8 on 28x28) was a quarter of a short run's time.
      let evaluation = try setup.network.evaluate(
        setup.test, batchSize: max(options.batchSize, 64))
      try checkFinite(setup.network, epoch: epoch + 1, losses: [result.trainLoss, evaluation.loss])
      events(.epochDone(epoch: epoch, result, test: evaluation))
      history.append(TrainingRecord.Epoch(result, test: evaluation))
      do {
        try trainer.writeCheckpointIfDue(
          to: checkpoints.path, every: checkpoints.every, epochsDone: epoch + 1,
          history: history, settings: settings)
      } catch { throw InputError(error.path, error.cause) }
    }
    return TrainingRecord(
      dataset: dataset, trainImages: setup.train.count, testImages: setup.test.count,
      options: options, threads: setup.workers.count, history: history,
      seconds: Date().timeIntervalSince(start))
  }

  /// Writes the trained model (through a temporary name) with its graph, class names and record,
  /// then removes the run's checkpoint, which has served.
  package func write(_ setup: Setup, record: TrainingRecord, to path: String) throws {
    do {
      let modelFile = try setup.network.floatModel(
        classNames: setup.train.classNames,
        metadata: ["dataset": dataset, "training": record.jsonString(), "model": model])
      try modelFile.write(to: path)
    } catch let error as AtomicFile.WriteError {
      throw InputError(error.path, error.cause)
    }
    if checkpoints.isOn { try? FileManager.default.removeItem(atPath: checkpoints.path) }
  }

  /// Creates the folder of `path` if needed, and fails (before any training) if it cannot be
  /// written.
  package static func prepareOutputFolder(for path: String) throws(InputError) {
    let folder = (path as NSString).deletingLastPathComponent
    guard !folder.isEmpty else { return }
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw InputError(folder, "cannot create the output folder")
    }
    guard FileManager.default.isWritableFile(atPath: folder) else {
      throw InputError(folder, "the output folder is not writable")
    }
  }

  /// The graph must take the dataset's images and stay inside the resource limits; both are
  /// checked before `Network` allocates anything (a 1000x1000 dataset once built a 7 GB model
  /// before `Network.check` refused it).
  private func checkFits(_ graph: ModelGraph, _ data: LabeledImages) throws(InputError) {
    let images = FeatureShape(channels: data.channels, height: data.height, width: data.width)
    guard graph.inputShape == images else {
      throw InputError(
        model, "the model takes \(graph.inputShape) (CxHxW) inputs, \(data.name) has \(images)")
    }
    do { try graph.checkResources(batchSize: options.batchSize, training: true) } catch {
      throw InputError(model, error.description)
    }
  }

  /// A run that diverged (a NaN loss, a weight that overflowed to infinity) stops at once with the
  /// layer's name, and nothing is written: a model of NaN weights is not a model.
  private func checkFinite(_ network: Network, epoch: Int, losses: [Double]) throws {
    let weights: FloatModel
    do { weights = try network.floatModel(classNames: []) } catch {
      throw InputError(model, error.description)
    }
    let lr = options.learningRate
    if let bad = weights.firstNonFiniteValue() {
      let layer = bad.tensor.split(separator: ".").dropLast().joined(separator: ".")
      throw InputError(
        model,
        "training diverged in epoch \(epoch): layer '\(layer)' has a non-finite weight "
          + "(\(bad.tensor)[\(bad.index)] = \(bad.value)); nothing was written; lower --lr "
          + "(\(lr))")
    }
    if let i = losses.firstIndex(where: { !$0.isFinite }) {
      throw InputError(
        model,
        "training diverged in epoch \(epoch): the \(i == 0 ? "training" : "test") loss is "
          + "\(losses[i]); nothing was written; lower --lr (\(lr))")
    }
  }

  private func load(_ split: Split) throws(InputError) -> LabeledImages {
    do { return try DatasetCatalog.load(dataset, split: split) } catch {
      throw InputError(error.file, error.cause)
    }
  }

  /// The zoo model sized for the data, or the graph in a .json file (which must fit the data).
  private func buildGraph(for data: LabeledImages) throws(InputError) -> ModelGraph {
    let input = FeatureShape(channels: data.channels, height: data.height, width: data.width)
    do {
      if let graph = try ModelZoo.named(model, input: input, classes: data.classNames.count) {
        return graph
      }
    } catch {
      throw InputError(model, "does not fit \(data.name) (\(input)): \(error.description)")
    }
    guard model.hasSuffix(".json") else {
      throw InputError(
        model, "not a zoo model (\(ModelZoo.names.joined(separator: ", "))) or a .json graph file")
    }
    let text: String
    do { text = try FileBytes.text(model) } catch { throw InputError(model, error.reason) }
    do { return try ModelGraph(json: text) } catch { throw InputError(model, error.description) }
  }
}
