import Datasets
import Graph
import Quantization
import Training

/// The float side of quantisation: the model's input normalisation, the calibration images and
/// the float passes that feed `ActivationCalibrator`. `tinycnn quantize` and the tests drive it.
package enum Calibration {
  /// The int8 input range the model's pixel normalisation implies. Models without the entry were
  /// written before the trainer recorded it; its only normalisation then was pixel/255.
  package static func inputRange(of model: FloatModel, file: String) throws(InputError)
    -> ActivationRange
  {
    guard let text = model.metadata[PixelNormalization.metadataKey] else {
      return PixelNormalization.unitRange.inputRange
    }
    guard let normalization = PixelNormalization(metadataValue: text) else {
      throw InputError(
        file, "input normalisation '\(text)' is unknown to the quantizer (it knows pixel/255)")
    }
    return normalization.inputRange
  }

  /// The dataset a model was trained on, as its metadata records it (a `--dataset` argument, or a
  /// name such as "fashion-mnist (train)").
  package static func recordedDataset(of model: FloatModel) -> String? {
    guard var name = model.metadata["dataset"], !name.isEmpty else { return nil }
    if let paren = name.range(of: " (") { name = String(name[..<paren.lowerBound]) }
    return name
  }

  /// `count` images drawn without replacement from `images` in an order fixed by `seed`, so two
  /// runs calibrate on the same images (a class-sorted folder still gives every class).
  package static func sample(_ images: LabeledImages, count: Int, seed: UInt64 = 0) -> LabeledImages
  {
    guard count < images.count else { return images }
    return images.selecting(shuffledIndices(count: images.count, seed: seed).prefix(count))
  }

  /// Runs the float model (batch norms folded, as it will be converted) over `images` and
  /// observes every node's output. `progress` is called with the images done after each batch.
  package static func observe(
    _ model: FloatModel, images: LabeledImages, inputRange: ActivationRange, batchSize: Int = 50,
    progress: (Int) -> Void = { _ in }
  ) throws -> ActivationCalibrator {
    let network = try Network(model: model)
    try network.check(images)
    var calibrator = ActivationCalibrator(graph: model.graph, fixedInput: inputRange)
    for start in stride(from: 0, to: images.count, by: batchSize) {
      let range = start..<min(start + batchSize, images.count)
      let outputs = try network.outputs(images: images, range: range)
      calibrator.observe(outputs.map(\.values), images: range.count)
      progress(range.upperBound)
    }
    return calibrator
  }
}
