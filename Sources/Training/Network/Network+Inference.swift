import Datasets
import Graph

/// A dataset or tensor that does not fit the network, in one line.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

extension Network {
  /// The node the loss reads: the output, or the input of a trailing softmax (cross-entropy is
  /// computed from logits, stably, never from probabilities).
  public var logitsNode: Int {
    let last = graph.nodes.count - 1
    if case .softmax = graph.nodes[last].layer { return inputIndices[last][0] }
    return last
  }

  /// Checks that `images` have the network's input shape and at most its class count.
  public func check(_ images: LabeledImages) throws(TrainingError) {
    let input = shapes[0]
    guard
      images.channels == input.channels && images.height == input.height
        && images.width == input.width
    else {
      throw TrainingError(
        "\(images.name): images are \(images.channels)x\(images.height)x\(images.width) "
          + "(CxHxW), the model takes \(input)")
    }
    let classes = shapes[logitsNode].count
    guard images.classNames.count <= classes else {
      throw TrainingError(
        "\(images.name): \(images.classNames.count) classes, the model has \(classes) outputs")
    }
  }

  /// Every node's output (evaluation mode) for a float NCHW batch, in graph node order; entry 0 is
  /// the input itself. The quantizer calibrates on these and `eval` compares int8 activations
  /// with them, layer by layer.
  public func outputs(_ input: Tensor) throws(TrainingError) -> [Tensor] {
    guard input.shape == shapes[0] else {
      throw TrainingError("input is \(input.shape), the model takes \(shapes[0])")
    }
    let view = prepare(batch: input.batch)
    view.base.update(from: input.values, count: view.count)
    forward(training: false)
    return copyOutputs()
  }

  /// Every node's output for images `range` of `images`, normalised as in training (pixel/255).
  public func outputs(images: LabeledImages, range: Range<Int>) throws(TrainingError) -> [Tensor] {
    try check(images)
    run(images, range)
    return copyOutputs()
  }

  /// The output node's values (logits, or probabilities when the model ends in a softmax) for
  /// images `range`, `[range.count, classes]`.
  public func predictions(images: LabeledImages, range: Range<Int>) throws(TrainingError)
    -> Tensor
  {
    try check(images)
    run(images, range)
    return copy(graph.nodes.count - 1)
  }

  /// The most likely class of every image (the first largest output on ties).
  public func predictClasses(images: LabeledImages, batchSize: Int = 256) throws(TrainingError)
    -> [Int]
  {
    try check(images)
    var classes: [Int] = []
    classes.reserveCapacity(images.count)
    for start in stride(from: 0, to: images.count, by: batchSize) {
      run(images, start..<min(start + batchSize, images.count))
      let out = value(graph.nodes.count - 1)
      for n in 0..<out.batch {
        let row = out.sample(n)
        var best = 0
        for j in 1..<out.sampleSize where row[j] > row[best] { best = j }
        classes.append(best)
      }
    }
    return classes
  }

  /// Accuracy and mean cross-entropy over a whole labelled set, in evaluation mode.
  public func evaluate(_ images: LabeledImages, batchSize: Int = 500) throws(TrainingError)
    -> Evaluation
  {
    try check(images)
    var loss: Double = 0
    var correct = 0
    let labels = UnsafeMutablePointer<Int32>.allocate(capacity: batchSize)
    defer { labels.deallocate() }
    var rng = SplitMix64(seed: 0)
    for start in stride(from: 0, to: images.count, by: batchSize) {
      let range = start..<min(start + batchSize, images.count)
      let input = prepare(batch: range.count)
      images.writeBatch(range, into: input.base, labels: labels, rng: &rng)
      forward(training: false)
      let result = softmaxCrossEntropy(logits: value(logitsNode), labels: labels, gradient: nil)
      loss += result.totalLoss
      correct += result.correct
    }
    let count = max(images.count, 1)
    return Evaluation(
      accuracy: Double(correct) / Double(count), loss: loss / Double(count), count: images.count)
  }

  private func run(_ images: LabeledImages, _ range: Range<Int>) {
    let input = prepare(batch: range.count)
    let labels = UnsafeMutablePointer<Int32>.allocate(capacity: max(range.count, 1))
    defer { labels.deallocate() }
    var rng = SplitMix64(seed: 0)
    images.writeBatch(range, into: input.base, labels: labels, rng: &rng)
    forward(training: false)
  }

  private func copy(_ i: Int) -> Tensor {
    let view = value(i)
    return Tensor(
      batch: view.batch, shape: view.shape,
      values: Array(UnsafeBufferPointer(start: view.base, count: view.count)))
  }

  private func copyOutputs() -> [Tensor] { (0..<graph.nodes.count).map(copy) }
}

/// Accuracy and loss of a model on a labelled set.
public struct Evaluation: Sendable, Equatable, Codable {
  public var accuracy: Double
  /// Mean softmax cross-entropy.
  public var loss: Double
  public var count: Int
}
