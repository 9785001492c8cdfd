import ArgumentParser
import Datasets
import Foundation
import Graph
import InputChecks
import Pipeline
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
      class names go into the file's "\(ClassNames.metadataKey)" metadata entry.

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

  /// The pipeline step this command runs.
  var job: QuantizeJob {
    var job = QuantizeJob(model: model)
    job.dataset = dataset
    job.samples = samples
    job.method = method
    job.perChannelDense = perChannelDense
    return job
  }

  /// Calibrates, converts and writes the .tflite file; returns what to tell the user.
  func quantize() throws -> QuantizeReport {
    var progress: Progress? = nil
    let made = try job.run { done, total in
      if progress == nil {
        progress = Progress("calibrating", total: total, enabled: report.showsProgress)
      }
      if let progress { progress.advance(by: done - progress.done) }
    }
    progress?.finish()
    let export = made.export
    var result = QuantizeReport(
      model: model, output: outputPath, dataset: made.dataset,
      calibrationImages: made.calibrationImages, calibrationMethod: method.description,
      perChannelDense: perChannelDense,
      layers: export.conversion.layers.map(QuantizeReport.Layer.init),
      operatorCount: export.conversion.model.operators.count, fileBytes: export.bytes.count,
      constantBytes: export.constantBytes, arenaBytes: export.arenaBytes,
      arenaProblem: export.arenaProblem)
    // The report is rendered before the file is replaced: whatever can fail runs first, so a
    // failure leaves the previous output as it was.
    result.rendered = report.json ? try jsonText(result) : result.text()
    try made.write(to: outputPath)
    return result
  }
}
