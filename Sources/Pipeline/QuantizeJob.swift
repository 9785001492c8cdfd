import Datasets
import Foundation
import Graph
import InputChecks
import Quantization

/// The quantize sequence behind `tinycnn quantize`: read the float model and check it, fold its
/// batch norms, calibrate on training images, convert to int8 and (separately, so a caller can
/// finish everything that can fail first) write the .tflite file.
package struct QuantizeJob {
  /// The float model written by `tinycnn train` (.safetensors).
  package var model: String
  /// The calibration dataset (`DatasetCatalog` syntax); nil: the one recorded in the model.
  package var dataset: String?
  package var samples = 500
  package var method = CalibrationMethod.minMax
  package var perChannelDense = false

  package init(model: String) { self.model = model }

  /// What `run` made: the int8 file in memory and what it was calibrated on.
  package struct Result {
    package var export: Int8Export
    package var dataset: String
    package var calibrationImages: Int

    /// Writes the .tflite file through a temporary name (`AtomicFile`).
    package func write(to path: String) throws(InputError) {
      do { try AtomicFile.write(export.bytes, to: path) } catch {
        throw InputError(error.path, error.cause)
      }
    }
  }

  /// Reads, folds, calibrates and converts. `progress(done, total)` follows the calibration
  /// images through the float model.
  package func run(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Result {
    let floatModel = try readChecked()
    let inputRange = try Calibration.inputRange(of: floatModel, file: model)
    guard let datasetSpec = dataset ?? Calibration.recordedDataset(of: floatModel) else {
      throw InputError(model, "no dataset recorded in the model; pass --dataset")
    }
    let train: LabeledImages
    do { train = try DatasetCatalog.load(datasetSpec, split: .train) } catch {
      throw InputError(error.file, error.cause)
    }
    let images = Calibration.sample(train, count: samples)
    let folded: FloatModel
    do { folded = try foldBatchNorms(floatModel) } catch {
      throw InputError(model, error.description)
    }
    let calibrator = try Calibration.observe(
      folded, images: images, inputRange: inputRange, progress: { progress($0, images.count) })
    let ranges = calibrator.ranges(method)
    // Finite weights can still overflow a float activation (a weight of 1e30 on a large input):
    // such a range would give an infinite scale and NaN in the file.
    for node in folded.graph.nodes {
      guard let r = ranges[node.name], !(r.min.isFinite && r.max.isFinite) else { continue }
      throw InputError(
        model,
        "layer '\(node.name)': calibration saw non-finite activations (range \(r.min) to "
          + "\(r.max)); the weights are too large to quantize")
    }
    let options = ConversionOptions(
      perChannelDense: perChannelDense,
      description:
        "TinyCNN int8 model from \(URL(fileURLWithPath: model).lastPathComponent), calibrated on "
        + "\(images.count) \(datasetSpec) training images (\(method))")
    let classNames = floatModel.classNames.isEmpty ? train.classNames : floatModel.classNames
    do {
      let export = try Int8Export.make(
        folded, ranges: ranges, options: options, classNames: classNames)
      return Result(export: export, dataset: datasetSpec, calibrationImages: images.count)
    } catch let error as QuantizationError {
      throw InputError(model, error.description)
    }
  }

  /// The float model, refused when a weight is not finite or the graph is over the limits.
  private func readChecked() throws(InputError) -> FloatModel {
    let floatModel: FloatModel
    do { floatModel = try FloatModel.read(model) } catch { throw InputError(model, error.cause) }
    if let bad = floatModel.firstNonFiniteValue() {
      throw InputError(
        model,
        "tensor '\(bad.tensor)' has a non-finite value (\(bad.value) at index \(bad.index)); "
          + "a model with NaN or infinite weights cannot be quantized")
    }
    do { try floatModel.graph.checkResources(batchSize: 1, training: false) } catch {
      throw InputError(model, error.description)
    }
    return floatModel
  }
}
