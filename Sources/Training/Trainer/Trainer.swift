import Datasets
import Graph

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Everything that decides a training run.
public struct TrainingOptions: Sendable, Equatable {
  public var epochs = 10
  public var batchSize = 64
  public var learningRate: Float = 1e-3
  public var optimizer = OptimizerKind.defaultAdam
  /// λ on conv and linear weights (L2 for SGD, decoupled for Adam).
  public var weightDecay: Float = 0
  public var schedule = LearningRateSchedule.constant
  /// Seeds the initial weights, the order of every epoch and the dropout masks.
  public var seed: UInt64 = 0
  public var augmentation = Augmentation.none

  public init() {}
}

/// The state of an epoch after each batch, for a progress bar.
public struct BatchProgress: Sendable {
  public var samplesDone: Int
  public var samplesTotal: Int
  /// Mean training loss over the epoch so far.
  public var loss: Double
  public var accuracy: Double
  public var learningRate: Float
}

/// What one epoch did.
public struct EpochResult: Sendable, Codable, Equatable {
  public var epoch: Int  // 1-based
  public var trainLoss: Double
  public var trainAccuracy: Double
  public var seconds: Double
  /// CPU time of the whole process over the epoch, all threads (user + system). On a shared
  /// machine it says what the epoch cost, whatever share of the cores the process got.
  public var cpuSeconds: Double
  public var imagesPerSecond: Double
  /// The learning rate of the epoch's last step.
  public var learningRate: Float
}

/// Trains a `Network` on labelled images with softmax cross-entropy: mini-batches in a seeded
/// random order, forward in training mode, backward, one optimizer step per batch.
public final class Trainer {
  public let network: Network
  public let options: TrainingOptions
  let optimizer: Optimizer
  private var labels: UnsafeMutablePointer<Int32>
  var augmentationRNG: SplitMix64
  /// Optimizer steps taken so far (drives the schedule and the dropout masks).
  public internal(set) var steps = 0

  public init(network: Network, options: TrainingOptions) {
    self.network = network
    self.options = options
    optimizer = Optimizer(
      options.optimizer, weightDecay: options.weightDecay, parameters: network.parameters)
    labels = .allocate(capacity: max(options.batchSize, 1))
    augmentationRNG = SplitMix64(seed: options.seed ^ 0xA5A5_5A5A_0F0F_F0F0)
  }

  deinit { labels.deallocate() }

  /// Steps in one epoch over `count` images (the last batch may be smaller).
  public func stepsPerEpoch(_ count: Int) -> Int {
    (count + options.batchSize - 1) / options.batchSize
  }

  /// One pass over `data` in the order `shuffledIndices(seed: seed + epoch)` gives.
  /// - Parameters:
  ///   - epoch: 0-based.
  ///   - progress: called after every batch.
  public func trainEpoch(
    _ data: LabeledImages, epoch: Int, progress: ((BatchProgress) -> Void)? = nil
  ) throws(TrainingError) -> EpochResult {
    try network.check(data)
    let clock = ContinuousClock()
    let start = clock.now
    let cpuStart = processCPUSeconds()
    let order = shuffledIndices(count: data.count, seed: options.seed &+ UInt64(epoch) &* 7919)
    let totalSteps = stepsPerEpoch(data.count) * options.epochs
    let logits = network.logitsNode
    var loss: Double = 0
    var correct = 0
    var done = 0
    var rate = options.learningRate
    for batchStart in stride(from: 0, to: data.count, by: options.batchSize) {
      let indices = order[batchStart..<min(batchStart + options.batchSize, data.count)]
      let input = network.prepare(batch: indices.count)
      data.writeBatch(
        indices, into: input.base, labels: labels, augmentation: options.augmentation,
        rng: &augmentationRNG)
      network.context.step = UInt64(steps)
      network.forward(training: true)
      let result = softmaxCrossEntropy(
        logits: network.value(logits), labels: labels, gradient: network.gradient(logits))
      network.backward(from: logits)
      rate = options.schedule.rate(
        base: options.learningRate, epoch: epoch, step: steps, totalSteps: totalSteps)
      optimizer.step(learningRate: rate, workers: network.workers)
      steps += 1
      loss += result.totalLoss
      correct += result.correct
      done += indices.count
      progress?(
        BatchProgress(
          samplesDone: done, samplesTotal: data.count, loss: loss / Double(done),
          accuracy: Double(correct) / Double(done), learningRate: rate))
    }
    let elapsed = clock.now - start
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return EpochResult(
      epoch: epoch + 1, trainLoss: loss / Double(max(done, 1)),
      trainAccuracy: Double(correct) / Double(max(done, 1)), seconds: seconds,
      cpuSeconds: processCPUSeconds() - cpuStart,
      imagesPerSecond: seconds > 0 ? Double(done) / seconds : 0, learningRate: rate)
  }
}

/// User + system CPU time of this process so far, all threads.
func processCPUSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
