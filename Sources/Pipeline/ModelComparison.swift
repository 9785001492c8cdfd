import Datasets
import Foundation
import Runtime
import Training

/// Top-1 classes of a model over a labelled set and the time the passes took.
package struct Predictions {
  package var classes: [Int]
  package var seconds: Double

  package init(classes: [Int], seconds: Double) {
    self.classes = classes
    self.seconds = seconds
  }

  package var imagesPerSecond: Double { seconds > 0 ? Double(classes.count) / seconds : 0 }

  package func accuracy(_ labels: [Int]) -> Double {
    guard !classes.isEmpty else { return 0 }
    return Double(zip(classes, labels).filter { $0 == $1 }.count) / Double(classes.count)
  }

  /// The fraction of images on which both give the same class.
  package func agreement(with other: Predictions) -> Double {
    guard !classes.isEmpty else { return 0 }
    return Double(zip(classes, other.classes).filter { $0 == $1 }.count) / Double(classes.count)
  }

  /// `matrix[label][predicted]` counts.
  package func confusion(_ labels: [Int], classes count: Int) -> [[Int]] {
    var matrix = [[Int]](repeating: [Int](repeating: 0, count: count), count: count)
    for (label, predicted) in zip(labels, classes) where label < count && predicted < count {
      matrix[label][predicted] += 1
    }
    return matrix
  }
}

/// The float model and its int8 .tflite side by side on the same images: what `tinycnn eval`
/// reports and what the accuracy tests assert.
package enum ModelComparison {
  /// The seed's leaderboard validates at batch size 4.
  package static let batchSize = 4

  /// The float model's classes, `batchSize` images per forward pass (timed).
  package static func float(
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
  /// 4 is 4 invokes; the time covers converting the pixels, the invokes and the argmax. With
  /// several `threads` the images are split in contiguous slices, each with its own session on
  /// the same file (the first is `session`), and the time is the wall time of all of them.
  package static func int8(
    _ session: ModelSession, _ images: LabeledImages, threads: Int = 1,
    progress: (Int) -> Void = { _ in }
  ) throws -> Predictions {
    let input = try imageInput(session, images)
    var sessions = [session]
    for _ in 1..<max(1, min(threads, images.count)) {
      sessions.append(try ModelSession(file: session.file, kernels: session.kernels))
    }
    var classes = [Int](repeating: 0, count: images.count)
    let t0 = Date()
    try withoutActuallyEscaping(progress) { progress in
      let done = ProgressCount(progress)
      try images.pixels.withUnsafeBufferPointer { all in
        try classes.withUnsafeMutableBufferPointer { classes in
          nonisolated(unsafe) let classes = classes
          try ParallelBatch.run(count: images.count, workers: sessions.count) { w, slice in
            let session = sessions[w]
            let slot = try session.input(0).bytes
            let output = try session.values(ofTensor: session.output(0).tensor.index)
            for i in slice {
              input.write(
                pixels: UnsafeBufferPointer(
                  rebasing: all[i * images.imageSize..<(i + 1) * images.imageSize]),
                to: slot)
              try session.invoke()
              classes[i] = argmax(output)
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
  package static func layers(
    _ matches: [LayerMatch], network: Network, session: ModelSession, images: LabeledImages,
    progress: (Int) -> Void = { _ in }
  ) throws -> [LayerAgreement] {
    let input = try imageInput(session, images)
    let slot = try session.input(0).bytes
    var agreements = [LayerAgreement](repeating: LayerAgreement(), count: matches.count)
    let chunk = 50
    try images.pixels.withUnsafeBufferPointer { all in
      for start in stride(from: 0, to: images.count, by: chunk) {
        let range = start..<min(start + chunk, images.count)
        let outputs = try network.outputs(images: images, range: range)
        for (n, i) in range.enumerated() {
          input.write(
            pixels: UnsafeBufferPointer(
              rebasing: all[i * images.imageSize..<(i + 1) * images.imageSize]),
            to: slot)
          try session.invoke()
          for (m, match) in matches.enumerated() {
            let q = try session.values(ofTensor: match.tensor)
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
  package static func argmax(_ values: UnsafeBufferPointer<Int8>) -> Int {
    var best = 0
    for j in 1..<values.count where values[j] > values[best] { best = j }
    return best
  }

  /// The input conversion for `images`, after checking that the model classifies them: an int8
  /// image input of their size and an int8 output.
  package static func imageInput(_ session: ModelSession, _ images: LabeledImages) throws
    -> ImageInput
  {
    let tensor = try session.input(0).tensor
    guard tensor.type == .int8, try session.output(0).tensor.type == .int8 else {
      throw InputError(
        session.path, "TinyCNN evaluates models with an int8 input and an int8 output")
    }
    let input = try ImageInput(tensor, path: session.path)
    guard input.height == images.height, input.width == images.width,
      input.format.channels == images.channels
    else {
      throw InputError(
        session.path,
        "the model takes \(input.height)x\(input.width)x\(input.format.channels) (HxWxC) images, "
          + "\(images.name) has \(images.height)x\(images.width)x\(images.channels)")
    }
    return input
  }
}
