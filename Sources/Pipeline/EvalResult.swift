import Datasets
import Foundation
import Graph
import KernelDispatch
import Quantization
import Runtime
import Training

/// What `tinycnn eval` measures: a float model and the int8 .tflite made from it over the same
/// images (top-1 of each, agreement, speed at batch 4) and the per-layer agreement of the int8
/// activations with the float ones.
package struct EvalResult {
  package struct Layer {
    package var match: LayerMatch
    package var agreement: LayerAgreement
  }

  /// The passes `compute` reports progress for, in order.
  package enum Stage: String {
    case float, int8, layers
  }

  package var floatPath: String
  package var int8Path: String
  package var dataset: String
  package var labels: [Int]
  package var classNames: [String]
  package var float: Predictions
  package var int8: Predictions
  package var layers: [Layer]
  package var layerImages: Int
  /// The arena a microcontroller needs (reference kernels) and the one this run used.
  package var arenaBytes: Int
  package var hostArenaBytes: Int

  /// Reads the float model, loads the test split of `dataset` (default: the one the model
  /// records; the first `limit` images) and compares.
  package static func compute(
    floatPath: String, int8Path: String, dataset: String?, limit: Int?, layerImages: Int,
    kernels: KernelSet = .fastest, threads: (_ images: Int) -> Int = { _ in 1 },
    progress: (_ stage: Stage, _ done: Int, _ total: Int) -> Void = { _, _, _ in }
  ) throws -> EvalResult {
    let floatModel: FloatModel
    do { floatModel = try FloatModel.read(floatPath) } catch {
      throw InputError(floatPath, error.cause)
    }
    guard let spec = dataset ?? Calibration.recordedDataset(of: floatModel) else {
      throw InputError(floatPath, "no dataset recorded in the model; pass --dataset")
    }
    var test: LabeledImages
    do { test = try DatasetCatalog.load(spec, split: .test) } catch {
      throw InputError(error.file, error.cause)
    }
    if let limit { test = test.prefix(limit) }
    let folded: FloatModel
    do { folded = try foldBatchNorms(floatModel) } catch {
      throw InputError(floatPath, error.description)
    }
    return try compute(
      floatModel: floatModel, folded: folded, floatPath: floatPath, int8Path: int8Path,
      images: test, dataset: spec, layerImages: layerImages, kernels: kernels,
      threads: threads(test.count), progress: progress)
  }

  /// Runs both models over `images`. `folded` is `floatModel` with its batch norms folded: the
  /// graph the int8 file was converted from.
  package static func compute(
    floatModel: FloatModel, folded: FloatModel, floatPath: String, int8Path: String,
    images: LabeledImages, dataset: String, layerImages: Int, kernels: KernelSet = .fastest,
    threads: Int = 1,
    progress: (_ stage: Stage, _ done: Int, _ total: Int) -> Void = { _, _, _ in }
  ) throws -> EvalResult {
    let session = try ModelSession(path: int8Path, kernels: kernels)
    let network = try Network(model: floatModel)
    try network.check(images)

    let float = try ModelComparison.float(network, images) { progress(.float, $0, images.count) }
    let int8 = try ModelComparison.int8(session, images, threads: threads) {
      progress(.int8, $0, images.count)
    }

    var layers: [Layer] = []
    let layerSet = images.prefix(layerImages)
    if layerImages > 0 {
      let preserving = try ModelSession(
        file: session.file, kernels: kernels, preservingAllTensors: true)
      let matches = try LayerMatch.all(graph: folded.graph, model: preserving.model)
      guard !matches.isEmpty else {
        throw InputError(
          int8Path,
          "no tensor is named after a node of \(floatPath)'s graph: was it made from this model "
            + "by `tinycnn quantize`? (use --layer-images 0 to skip the per-layer comparison)")
      }
      let foldedNetwork = try Network(model: folded)
      let agreements = try ModelComparison.layers(
        matches, network: foldedNetwork, session: preserving, images: layerSet
      ) { progress(.layers, $0, layerSet.count) }
      layers = zip(matches, agreements).map { Layer(match: $0, agreement: $1) }
    }
    return EvalResult(
      floatPath: floatPath, int8Path: int8Path, dataset: dataset, labels: images.labels,
      classNames: floatModel.classNames.isEmpty ? images.classNames : floatModel.classNames,
      float: float, int8: int8, layers: layers, layerImages: layerImages > 0 ? layerSet.count : 0,
      arenaBytes: session.deviceArenaBytes, hostArenaBytes: session.arenaBytes)
  }

  package var floatAccuracy: Double { float.accuracy(labels) }
  package var int8Accuracy: Double { int8.accuracy(labels) }
  /// Percentage points lost (negative when int8 does better).
  package var drop: Double { 100 * (floatAccuracy - int8Accuracy) }
  package var agreement: Double { float.agreement(with: int8) }
  package var differing: Int { zip(float.classes, int8.classes).filter { $0 != $1 }.count }
  package var classCount: Int { max(classNames.count, (labels.max() ?? -1) + 1) }

}
