import ArgumentParser
import Datasets
import Foundation
import Graph
import InputChecks
import Quantization

/// `tinycnn quantize`: a trained float model to an int8 .tflite file that TFLite Micro runs.
struct Quantize: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Convert a float model to an int8 .tflite file.",
    discussion: """
      Folds batch norms into their convolutions, runs the float model over calibration images \
      from the training split to find each activation's range, then writes TFLite's int8 \
      format: per-channel symmetric convolution weights, per-tensor fully connected weights \
      (per channel with --per-channel-dense), int32 biases, asymmetric int8 activations, int8 \
      input and output. ReLU and ReLU6 fold into the preceding operator's output clamp. The \
      class names go into the file's "class_names" metadata entry.

      Calibration methods: minmax (the range seen, as TensorFlow's converter), percentile[:P] \
      (clip the tails beyond the P-th percentile, default 99.99), mse (the range with the \
      least squared error over the values seen).

      Examples:
        tinycnn quantize models/lenet5.safetensors --samples 500 --out models/lenet5-int8.tflite
        tinycnn quantize models/cnn-small.safetensors --calibration-method percentile:99.9
        tinycnn quantize net.safetensors --dataset cifar10:/data/cifar --per-channel-dense --json
      """)

  @Argument(help: "The float model written by `tinycnn train` (.safetensors).")
  var model: String

  @Option(
    name: [.customShort("o"), .long],
    help: "Where to write the .tflite file (default: beside the model, <name>-int8.tflite).")
  var out: String?

  @Option(
    help: ArgumentHelp(
      "Calibration images (drawn from the training split with a fixed seed).",
      valueName: "n"))
  var samples = 500

  @Option(
    help: ArgumentHelp(
      "The dataset to calibrate on (default: the one recorded in the model): \(DatasetCatalog.help).",
      valueName: "dataset"))
  var dataset: String?

  @Option(
    name: .customLong("calibration-method"),
    help: ArgumentHelp("minmax, percentile[:P] or mse.", valueName: "method"))
  var calibrationMethod = "minmax"

  @Flag(
    name: .customLong("per-channel-dense"),
    help: "One weight scale per output neuron in fully connected layers too.")
  var perChannelDense = false

  @OptionGroup var report: ReportOptions

  var method: CalibrationMethod { CalibrationMethod(calibrationMethod)! }

  var outputPath: String {
    if let out { return out }
    return (model as NSString).deletingPathExtension + "-int8.tflite"
  }

  func validate() throws {
    guard samples > 0 else { throw ValidationError("--samples must be at least 1.") }
    guard CalibrationMethod(calibrationMethod) != nil else {
      throw ValidationError(
        "--calibration-method must be minmax, mse, percentile or percentile:P (50 < P <= 100).")
    }
    if AtomicWrite.isSameFile(outputPath, model) {
      throw ValidationError(
        "--out \(outputPath) is the float model itself; write the int8 model elsewhere.")
    }
  }

  func run() throws {
    let result = try quantize()
    Console.output(result.rendered)
    report.note("wrote \(outputPath)")
  }

  /// Calibrates, converts and writes the .tflite file; returns what to tell the user.
  func quantize() throws -> QuantizeReport {
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
    let inputRange = try Calibration.inputRange(of: floatModel, file: model)
    guard let datasetSpec = dataset ?? Calibration.recordedDataset(of: floatModel) else {
      throw InputError(model, "no dataset recorded in the model; pass --dataset")
    }
    let train = try DatasetCatalog.load(datasetSpec, split: .train)
    let images = Calibration.sample(train, count: samples)
    let folded: FloatModel
    do { folded = try foldBatchNorms(floatModel) } catch {
      throw InputError(model, error.description)
    }

    let progress = Progress(
      "calibrating", total: images.count, enabled: report.showsProgress)
    let calibrator = try Calibration.observe(
      folded, images: images, inputRange: inputRange, progress: progress.doneSoFar())
    progress.finish()

    let options = ConversionOptions(
      perChannelDense: perChannelDense,
      description:
        "TinyCNN int8 model from \(URL(fileURLWithPath: model).lastPathComponent), calibrated on "
        + "\(images.count) \(datasetSpec) training images (\(method))")
    let classNames = floatModel.classNames.isEmpty ? train.classNames : floatModel.classNames
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
    let export: Int8Export
    do {
      export = try Int8Export.make(
        folded, ranges: ranges, options: options, classNames: classNames)
    } catch let error as QuantizationError {
      throw InputError(model, error.description)
    }
    var result = QuantizeReport(
      model: model, output: outputPath, dataset: datasetSpec, calibrationImages: images.count,
      calibrationMethod: method.description, perChannelDense: perChannelDense,
      layers: export.conversion.layers.map(QuantizeReport.Layer.init),
      operatorCount: export.conversion.model.operators.count, fileBytes: export.bytes.count,
      constantBytes: export.constantBytes, arenaBytes: export.arenaBytes,
      arenaProblem: export.arenaProblem)
    // The report is rendered before the file is replaced: whatever can fail runs first, so a
    // failure leaves the previous output as it was.
    result.rendered = report.json ? try jsonText(result) : result.text()
    do { try AtomicFile.write(export.bytes, to: outputPath) } catch {
      throw InputError(error.path, error.cause)
    }
    return result
  }
}
