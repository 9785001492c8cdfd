import ArgumentParser
import Datasets
import Foundation
import Graph
import InputChecks
import Training

/// `tinycnn train`: trains a float CNN from the model zoo (or a graph file) on a labelled image
/// set and writes it as a .safetensors model file with its graph and training record.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train a float CNN on a labelled image set and write a .safetensors model.",
    discussion: """
      Trains with softmax cross-entropy on mini-batches in a seeded random order, shows a \
      progress bar per epoch (images/s, loss, time left; plain lines when stderr is not a \
      terminal) and the test accuracy after every epoch. Pixels enter the network as \
      pixel/255 (the int8 pipeline relies on it).

      The model file holds the parameters under PyTorch's names and layouts, and in \
      __metadata__ the layer graph, the class names and the training record (dataset, \
      epochs, seed, per-epoch loss and accuracy) as JSON strings; Python's safetensors \
      package opens it. It is written to a temporary name and renamed.

      --model is a zoo name (\(ModelZoo.names.joined(separator: ", "))) or a graph file \
      (.json, as in a model file's "graph" metadata). Zoo models adapt to the dataset's \
      image size, channels and class count.

      Examples:
        tinycnn train --model lenet5 --epochs 10 -o models/lenet5.safetensors
        tinycnn train --model cnn-small -o models/cnn-small.safetensors
        tinycnn train --epochs 1 --limit 5000 -o /tmp/quick.safetensors
        tinycnn train --optimizer sgd --lr 0.05 --schedule step:4:0.3 --json
        tinycnn train --augment flip,shift:2 --seed 7 -o lenet5-aug.safetensors
        tinycnn train --dataset cifar10:/data/cifar10 -o lenet5-cifar.safetensors
      """)

  @Option(help: "A model-zoo name or a graph file (.json).")
  var model = "lenet5"

  @Option(help: "The images: \(DatasetCatalog.help).")
  var dataset = "fashion-mnist"

  @Option(help: "Passes over the training images.")
  var epochs = 10

  @Option(name: .customLong("batch-size"), help: "Images per optimizer step.")
  var batchSize = 64

  @Option(help: "Learning rate (default: 0.002 for adam, 0.05 for sgd).")
  var lr: Float?

  @Option(help: "sgd (with momentum) or adam.")
  var optimizer = "adam"

  @Option(help: "SGD momentum.")
  var momentum: Float = 0.9

  @Option(
    name: .customLong("weight-decay"),
    help: "Weight decay on conv and linear weights (L2 for sgd, decoupled for adam).")
  var weightDecay: Float = 0

  @Option(
    help: "Learning-rate schedule: constant, cosine, or step:EPOCHS:FACTOR (e.g. step:4:0.3).")
  var schedule = "cosine"

  @Option(
    help: ArgumentHelp(
      "Augmentation while batching: flip (left-right), shift:N (up to N pixels), or both "
        + "comma-separated (flip,shift:2). Off by default."))
  var augment: String?

  @Option(help: "Seeds the initial weights, the batch order, dropout and augmentation.")
  var seed: UInt64 = 0

  @Option(help: "Use only the first N images of each split (quick runs).")
  var limit: Int?

  @Option(help: "Threads (default: one per core).")
  var threads: Int?

  @Option(name: [.short, .customLong("out")], help: "Where to write the model (.safetensors).")
  var out: String?

  @OptionGroup var report: ReportOptions

  func validate() throws {
    guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1.") }
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1.") }
    if let lr, !(lr > 0 && lr.isFinite) {
      throw ValidationError("--lr must be a positive number.")
    }
    guard ["sgd", "adam"].contains(optimizer) else {
      throw ValidationError("--optimizer must be sgd or adam.")
    }
    guard momentum >= 0 && momentum < 1 else {
      throw ValidationError("--momentum must be in [0, 1).")
    }
    guard weightDecay >= 0 && weightDecay.isFinite else {
      throw ValidationError("--weight-decay must be 0 or more.")
    }
    guard LearningRateSchedule(schedule) != nil else {
      throw ValidationError(
        "--schedule must be constant, cosine or step:EPOCHS:FACTOR, got '\(schedule)'.")
    }
    _ = try parsedAugmentation()
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
    if AtomicWrite.isSameFile(outputPath, model) {
      throw ValidationError("--out \(outputPath) is the model file itself; write elsewhere.")
    }
  }

  func parsedAugmentation() throws -> Augmentation {
    var augmentation = Augmentation.none
    guard let augment else { return augmentation }
    for part in augment.split(separator: ",") {
      if part == "flip" {
        augmentation.horizontalFlip = true
      } else if part.hasPrefix("shift:"), let n = Int(part.dropFirst(6)), n >= 1, n <= 8 {
        augmentation.maxShift = n
      } else {
        throw ValidationError(
          "--augment takes flip, shift:N (N in 1...8) or both comma-separated, got '\(part)'.")
      }
    }
    return augmentation
  }

  var options: TrainingOptions {
    get throws {
      var options = TrainingOptions()
      options.epochs = epochs
      options.batchSize = batchSize
      options.optimizer = optimizer == "sgd" ? .sgd(momentum: momentum) : .defaultAdam
      options.learningRate = learningRate
      options.weightDecay = weightDecay
      options.schedule = LearningRateSchedule(schedule)!
      options.seed = seed
      options.augmentation = try parsedAugmentation()
      return options
    }
  }

  /// --lr, or the optimizer's default.
  var learningRate: Float { lr ?? (optimizer == "sgd" ? 0.05 : 2e-3) }

  /// Where the model goes: --out, or `<model>.safetensors` for a zoo name.
  var outputPath: String {
    if let out { return out }
    let base = (model as NSString).lastPathComponent
    let name = base.hasSuffix(".json") ? String(base.dropLast(5)) : base
    return "\(name).safetensors"
  }

  mutating func run() throws {
    let options = try self.options
    var train = try load(.train)
    var test = try load(.test)
    if let limit {
      train = train.prefix(limit)
      test = test.prefix(limit)
    }
    let graph = try buildGraph(for: train)
    try checkFits(graph, train)
    let workers = Workers(count: ParallelBatch.threads(threads))
    let network: Network
    do { network = try Network(graph: graph, seed: seed, workers: workers) } catch {
      throw InputError(model, error.description)
    }
    do { try network.check(train) } catch { throw InputError(dataset, error.description) }
    try prepareOutputFolder()

    let parameters = network.parameters.filter(\.isTrainable).reduce(0) { $0 + $1.count }
    report.note(
      "training \(model) (\(Format.grouped(parameters)) parameters) on \(train.name): "
        + "\(Format.grouped(train.count)) training, \(Format.grouped(test.count)) test images, "
        + "\(workers.count) thread\(workers.count == 1 ? "" : "s")")
    let trainer = Trainer(network: network, options: options)
    var history: [TrainingRecord.Epoch] = []
    let start = Date()
    for epoch in 0..<epochs {
      let progress = Progress(
        "epoch \(epoch + 1)/\(epochs)", total: train.count, enabled: report.showsProgress)
      var last = 0
      let result = try trainer.trainEpoch(train, epoch: epoch) { step in
        progress.advance(
          by: step.samplesDone - last, status: "loss \(Format.fixed(step.loss, 3))")
        last = step.samplesDone
      }
      progress.finish(status: "loss \(Format.fixed(result.trainLoss, 3))")
      let evaluation = try network.evaluate(test)
      try checkFinite(network, epoch: epoch + 1, losses: [result.trainLoss, evaluation.loss])
      report.note(
        "epoch \(epoch + 1)/\(epochs): test accuracy "
          + "\(Format.fixed(evaluation.accuracy * 100, 2)) %, "
          + "loss \(Format.fixed(evaluation.loss, 4))")
      history.append(TrainingRecord.Epoch(result, test: evaluation))
    }
    let record = TrainingRecord(
      dataset: dataset, trainImages: train.count, testImages: test.count, options: options,
      threads: workers.count, history: history, seconds: Date().timeIntervalSince(start))
    let modelFile: FloatModel
    do {
      modelFile = try network.floatModel(
        classNames: train.classNames,
        metadata: ["dataset": dataset, "training": record.jsonString(), "model": model])
      try modelFile.write(to: outputPath)
    } catch let error as AtomicFile.WriteError {
      throw InputError(error.path, error.cause)
    }
    report.note("wrote \(outputPath)")
    try printSummary(record, parameters: parameters)
  }

  /// The graph must take the dataset's images and stay inside the resource limits; both are
  /// checked before `Network` allocates anything (a 1000x1000 dataset once built a 7 GB model
  /// before `Network.check` refused it).
  private func checkFits(_ graph: ModelGraph, _ data: LabeledImages) throws {
    let images = FeatureShape(channels: data.channels, height: data.height, width: data.width)
    guard graph.inputShape == images else {
      throw InputError(
        model, "the model takes \(graph.inputShape) (CxHxW) inputs, \(data.name) has \(images)")
    }
    do { try graph.checkResources(batchSize: batchSize, training: true) } catch {
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
    if let bad = weights.firstNonFiniteValue() {
      let layer = bad.tensor.split(separator: ".").dropLast().joined(separator: ".")
      throw InputError(
        model,
        "training diverged in epoch \(epoch): layer '\(layer)' has a non-finite weight "
          + "(\(bad.tensor)[\(bad.index)] = \(bad.value)); nothing was written; lower --lr "
          + "(\(learningRate))")
    }
    if let i = losses.firstIndex(where: { !$0.isFinite }) {
      throw InputError(
        model,
        "training diverged in epoch \(epoch): the \(i == 0 ? "training" : "test") loss is "
          + "\(losses[i]); nothing was written; lower --lr (\(learningRate))")
    }
  }

  private func load(_ split: Split) throws -> LabeledImages {
    do { return try DatasetCatalog.load(dataset, split: split) } catch {
      throw InputError(error.file, error.cause)
    }
  }

  /// The zoo model sized for the data, or the graph in a .json file (which must fit the data).
  private func buildGraph(for data: LabeledImages) throws -> ModelGraph {
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

  /// Creates the output's folder if needed, and fails before training if it cannot be written.
  private func prepareOutputFolder() throws {
    let folder = (outputPath as NSString).deletingLastPathComponent
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

  private func printSummary(_ record: TrainingRecord, parameters: Int) throws {
    let speed = record.history.map(\.imagesPerSecond).max() ?? 0
    if report.json {
      try printJSON(
        TrainSummary(
          model: model, dataset: dataset, out: outputPath, parameters: parameters,
          testAccuracy: record.testAccuracy, testLoss: record.testLoss,
          bestImagesPerSecond: speed, training: record))
      return
    }
    var table = TextTable([
      .right("epoch"), .right("train loss"), .right("train acc"), .right("test loss"),
      .right("test acc"), .right("img/s"), .right("seconds"),
    ])
    for e in record.history {
      table.add([
        "\(e.epoch)", Format.fixed(e.trainLoss, 4), Format.fixed(e.trainAccuracy * 100, 2) + " %",
        Format.fixed(e.testLoss, 4), Format.fixed(e.testAccuracy * 100, 2) + " %",
        Format.grouped(e.imagesPerSecond), Format.fixed(e.seconds, 1),
      ])
    }
    Console.output(table.rendered())
    Console.output(
      "\(model) on \(dataset): test accuracy \(Format.fixed(record.testAccuracy * 100, 2)) % "
        + "after \(record.epochs) epoch\(record.epochs == 1 ? "" : "s") -> \(outputPath)")
  }
}

/// `tinycnn train --json`: the run in one object.
private struct TrainSummary: Encodable {
  var model: String
  var dataset: String
  var out: String
  var parameters: Int
  var testAccuracy: Double
  var testLoss: Double
  var bestImagesPerSecond: Double
  var training: TrainingRecord

  enum CodingKeys: String, CodingKey {
    case model, dataset, out, parameters, training
    case testAccuracy = "test_accuracy"
    case testLoss = "test_loss"
    case bestImagesPerSecond = "best_images_per_second"
  }
}
