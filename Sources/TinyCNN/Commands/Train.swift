import ArgumentParser
import Datasets
import Foundation
import Graph
import InputChecks
import Pipeline
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

      --checkpoint-every N also writes OUT.checkpoint after every N epochs (weights, \
      optimizer state, counters; atomically); after an interruption, the same command with \
      --resume continues from it and ends with the weights an uninterrupted run would have \
      had (same seed, settings and --threads). A finished run removes the checkpoint.

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
        tinycnn train --epochs 30 --checkpoint-every 5 -o m.safetensors   (then --resume)
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

  @Option(
    name: .customLong("checkpoint-every"),
    help: "Write OUT.checkpoint after every N epochs, for --resume.")
  var checkpointEvery: Int?

  @Flag(help: "Continue an interrupted run from OUT.checkpoint (the same flags otherwise).")
  var resume = false

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
    if let checkpointEvery, checkpointEvery < 1 {
      throw ValidationError("--checkpoint-every must be at least 1.")
    }
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

  /// The pipeline step this command runs.
  var job: TrainingJob {
    get throws {
      var job = TrainingJob(
        model: model, dataset: dataset, options: try options, limit: limit,
        threads: ParallelBatch.threads(threads))
      job.checkpoints = .init(output: outputPath, every: checkpointEvery, resume: resume)
      return job
    }
  }

  mutating func run() throws {
    let job = try self.job
    let setup = try job.prepare()
    try TrainingJob.prepareOutputFolder(for: outputPath)
    let parameters = setup.parameterCount
    let workers = setup.workers.count
    report.note(
      "training \(model) (\(Format.grouped(parameters)) parameters) on \(setup.train.name): "
        + "\(Format.grouped(setup.train.count)) training, \(Format.grouped(setup.test.count)) "
        + "test images, \(workers) thread\(workers == 1 ? "" : "s")")
    var progress: Progress? = nil
    let record = try job.run(setup) { event in
      switch event {
      case .step(let epoch, let step):
        if progress == nil {
          progress = Progress(
            "epoch \(epoch + 1)/\(epochs)", total: setup.train.count,
            enabled: report.showsProgress)
        }
        if let bar = progress {
          bar.advance(
            by: step.samplesDone - bar.done, status: "loss \(Format.fixed(step.loss, 3))")
        }
      case .epochDone(let epoch, let result, let test):
        progress?.finish(status: "loss \(Format.fixed(result.trainLoss, 3))")
        progress = nil
        report.note(
          "epoch \(epoch + 1)/\(epochs): test accuracy "
            + "\(Format.fixed(test.accuracy * 100, 2)) %, "
            + "loss \(Format.fixed(test.loss, 4))")
      case .resumed(let epochsDone, let checkpoint):
        report.note("resuming after epoch \(epochsDone)/\(epochs) from \(checkpoint)")
      }
    }
    try job.write(setup, record: record, to: outputPath)
    report.note("wrote \(outputPath)")
    try printSummary(record, parameters: parameters)
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
