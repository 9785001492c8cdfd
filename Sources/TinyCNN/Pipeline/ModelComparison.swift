import Datasets
import Foundation
import Training

/// Top-1 classes of a model over a labelled set and the time the passes took.
struct Predictions {
  var classes: [Int]
  var seconds: Double

  var imagesPerSecond: Double { seconds > 0 ? Double(classes.count) / seconds : 0 }

  func accuracy(_ labels: [Int]) -> Double {
    guard !classes.isEmpty else { return 0 }
    return Double(zip(classes, labels).filter { $0 == $1 }.count) / Double(classes.count)
  }

  /// The fraction of images on which both give the same class.
  func agreement(with other: Predictions) -> Double {
    guard !classes.isEmpty else { return 0 }
    return Double(zip(classes, other.classes).filter { $0 == $1 }.count) / Double(classes.count)
  }

  /// `matrix[label][predicted]` counts.
  func confusion(_ labels: [Int], classes count: Int) -> [[Int]] {
    var matrix = [[Int]](repeating: [Int](repeating: 0, count: count), count: count)
    for (label, predicted) in zip(labels, classes) where label < count && predicted < count {
      matrix[label][predicted] += 1
    }
    return matrix
  }
}

/// The float model and its int8 .tflite side by side on the same images: what `tinycnn eval`
/// reports and what the accuracy tests assert.
enum ModelComparison {
  /// The seed's leaderboard validates at batch size 4.
  static let batchSize = 4

  /// The float model's classes, `batchSize` images per forward pass (timed).
  static func float(
    _ network: Network, _ images: LabeledImages, progress: (Int) -> Void = { _ in }
  ) throws -> Predictions {
    var classes: [Int] = []
    var seconds = 0.0
    let chunk = 500  // batches of 4 within; progress between chunks
    for start in stride(from: 0, to: images.count, by: chunk) {
      let part = images.selecting(start..<min(start + chunk, images.count))
      let t0 = Date()
      classes += try network.predictClasses(images: part, batchSize: batchSize)
      seconds += Date().timeIntervalSince(t0)
      progress(classes.count)
    }
    return Predictions(classes: classes, seconds: seconds)
  }

  /// The int8 model's classes. Its input has a batch of 1, as on a microcontroller, so a batch of
  /// 4 is 4 invokes; the time covers quantising the pixels, the invokes and the argmax. With
  /// several `threads` the images are split in contiguous slices, each with its own runner (the
  /// first is `runner`), and the time is the wall time of all of them.
  static func int8(
    _ runner: Int8Runner, _ images: LabeledImages, threads: Int = 1,
    progress: (Int) -> Void = { _ in }
  ) throws -> Predictions {
    try checkShape(runner, images)
    var runners = [runner]
    for _ in 1..<max(1, min(threads, images.count)) {
      runners.append(try Int8Runner(path: runner.path, kernels: runner.kernels))
    }
    var classes = [Int](repeating: 0, count: images.count)
    let t0 = Date()
    try withoutActuallyEscaping(progress) { progress in
      let done = ProgressCount(progress)
      try images.pixels.withUnsafeBufferPointer { all in
        try classes.withUnsafeMutableBufferPointer { classes in
          nonisolated(unsafe) let classes = classes
          try ParallelBatch.run(count: images.count, workers: runners.count) { w, slice in
            for i in slice {
              try runners[w].run(
                pixels: UnsafeBufferPointer(
                  rebasing: all[i * images.imageSize..<(i + 1) * images.imageSize]))
              classes[i] = argmax(runners[w].outputValues)
              if (i - slice.lowerBound) % 500 == 499 { done.add(500) }
            }
            done.add(slice.count % 500)
          }
        }
      }
    }
    let seconds = Date().timeIntervalSince(t0)
    return Predictions(classes: classes, seconds: seconds)
  }

  /// Per matched layer, the agreement of the dequantised int8 tensor with the float node's output
  /// over `images`. `runner` must preserve all tensors; `network` runs the float model the file
  /// was converted from, batch norms folded (the graph whose node names the file uses).
  static func layers(
    _ matches: [LayerMatch], network: Network, runner: Int8Runner, images: LabeledImages,
    progress: (Int) -> Void = { _ in }
  ) throws -> [LayerAgreement] {
    try checkShape(runner, images)
    var agreements = [LayerAgreement](repeating: LayerAgreement(), count: matches.count)
    let chunk = 50
    try images.pixels.withUnsafeBufferPointer { all in
      for start in stride(from: 0, to: images.count, by: chunk) {
        let range = start..<min(start + chunk, images.count)
        let outputs = try network.outputs(images: images, range: range)
        for (n, i) in range.enumerated() {
          try runner.run(
            pixels: UnsafeBufferPointer(
              rebasing: all[i * images.imageSize..<(i + 1) * images.imageSize]))
          for (m, match) in matches.enumerated() {
            let q = try runner.values(ofTensor: match.tensor)
            let reference = outputs[match.floatNodeIndex]
            let offset = n * reference.shape.count
            reference.values.withUnsafeBufferPointer { x in
              for k in 0..<q.count {
                let y = match.scale * Float(Int32(q[k]) - match.zeroPoint)
                agreements[m].add(reference: x[offset + match.floatIndex[k]], approximation: y)
              }
            }
          }
        }
        progress(range.upperBound)
      }
    }
    return agreements
  }

  /// The first largest value's index (ties go to the lower class, as the float side does).
  static func argmax(_ values: UnsafeBufferPointer<Int8>) -> Int {
    var best = 0
    for j in 1..<values.count where values[j] > values[best] { best = j }
    return best
  }

  static func checkShape(_ runner: Int8Runner, _ images: LabeledImages) throws {
    let s = runner.inputShape
    guard s.height == images.height, s.width == images.width, s.channels == images.channels
    else {
      throw InputError(
        runner.path,
        "the model takes \(s.height)x\(s.width)x\(s.channels) (HxWxC) images, \(images.name) "
          + "has \(images.height)x\(images.width)x\(images.channels)")
    }
  }
}
