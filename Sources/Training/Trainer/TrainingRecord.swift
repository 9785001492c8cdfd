import Foundation

/// How a model was trained and how well it did: stored as JSON text under `training` in the
/// model file's `__metadata__` (safetensors metadata values are strings), read back by `inspect`
/// and by anyone with Python's `safetensors` (`json.loads(f.metadata()["training"])`).
public struct TrainingRecord: Codable, Sendable, Equatable {
  public struct Epoch: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    public var seconds: Double
    public var cpuSeconds: Double
    public var imagesPerSecond: Double
    public var learningRate: Float

    enum CodingKeys: String, CodingKey {
      case epoch, seconds
      case trainLoss = "train_loss"
      case trainAccuracy = "train_accuracy"
      case testLoss = "test_loss"
      case testAccuracy = "test_accuracy"
      case imagesPerSecond = "images_per_second"
      case cpuSeconds = "cpu_seconds"
      case learningRate = "learning_rate"
    }

    public init(_ result: EpochResult, test: Evaluation) {
      epoch = result.epoch
      trainLoss = result.trainLoss
      trainAccuracy = result.trainAccuracy
      testLoss = test.loss
      testAccuracy = test.accuracy
      seconds = result.seconds
      cpuSeconds = result.cpuSeconds
      imagesPerSecond = result.imagesPerSecond
      learningRate = result.learningRate
    }
  }

  /// The `--dataset` argument, e.g. "fashion-mnist".
  public var dataset: String
  public var trainImages: Int
  public var testImages: Int
  public var epochs: Int
  public var batchSize: Int
  public var optimizer: String
  public var learningRate: Float
  public var momentum: Float?
  public var weightDecay: Float
  public var schedule: String
  public var seed: UInt64
  public var augmentation: Augmentation
  public var threads: Int
  /// Pixels as the network sees them ("pixel/255": [0, 1]).
  public var inputNormalization: String
  public var history: [Epoch]
  public var testAccuracy: Double
  public var testLoss: Double
  public var seconds: Double

  enum CodingKeys: String, CodingKey {
    case dataset, epochs, optimizer, momentum, schedule, seed, augmentation, threads, history
    case seconds
    case trainImages = "train_images"
    case testImages = "test_images"
    case batchSize = "batch_size"
    case learningRate = "learning_rate"
    case weightDecay = "weight_decay"
    case inputNormalization = "input_normalization"
    case testAccuracy = "test_accuracy"
    case testLoss = "test_loss"
  }

  public init(
    dataset: String, trainImages: Int, testImages: Int, options: TrainingOptions, threads: Int,
    history: [Epoch], seconds: Double
  ) {
    self.dataset = dataset
    self.trainImages = trainImages
    self.testImages = testImages
    epochs = options.epochs
    batchSize = options.batchSize
    optimizer = options.optimizer.name
    learningRate = options.learningRate
    if case .sgd(let m) = options.optimizer { momentum = m }
    weightDecay = options.weightDecay
    schedule = options.schedule.name
    seed = options.seed
    augmentation = options.augmentation
    self.threads = threads
    inputNormalization = InputNormalization.name
    self.history = history
    testAccuracy = history.last?.testAccuracy ?? 0
    testLoss = history.last?.testLoss ?? 0
    self.seconds = seconds
  }

  /// JSON with sorted snake_case keys, as it goes into the model file.
  public func jsonString() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // Plain values only; encoding cannot fail.
    let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  public init(json: String) throws {
    self = try JSONDecoder().decode(TrainingRecord.self, from: Data(json.utf8))
  }
}
