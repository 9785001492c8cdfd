import ArgumentParser
import Foundation
import Pipeline

/// `tinycnn eval`: is the int8 model still as good as the float one it came from?
struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compare an int8 .tflite model with its float model on the test split.",
    discussion: """
      Runs both models over the test images of the dataset recorded in the float model (or \
      --dataset): top-1 accuracy side by side, the drop, how often they agree, and the speed \
      at batch size 4 (the float model 4 images per pass; the int8 model has a batch of 1, as \
      on a microcontroller, so 4 invokes). Then, layer by layer, how close the int8 \
      activations are to the float ones: SQNR in dB (10 log10 of signal over quantisation \
      noise power) and cosine similarity, on the first --layer-images images. The int8 model \
      runs in TinyCNN's runtime, which computes what TFLite Micro computes.

      --report DIR writes float-confusion.png, int8-confusion.png and layer-sqnr.png there.

      Examples:
        tinycnn eval --float models/lenet5.safetensors --int8 models/lenet5-int8.tflite
        tinycnn eval --float models/cnn-small.safetensors --int8 cnn-small-int8.tflite --limit 1000
        tinycnn eval --float models/lenet5.safetensors --int8 models/lenet5-int8.tflite \\
          --report eval-report --json
      """)

  @Option(name: .customLong("float"), help: "The float model (.safetensors).")
  var floatPath: String

  @Option(name: .customLong("int8"), help: "The int8 model made from it (.tflite).")
  var int8Path: String

  @Option(
    help: ArgumentHelp(
      "The dataset whose test split to use (default: the one recorded in the float model).",
      valueName: "dataset"))
  var dataset: String?

  @Option(help: ArgumentHelp("Evaluate the first n test images only.", valueName: "n"))
  var limit: Int?

  @Option(
    name: .customLong("layer-images"),
    help: ArgumentHelp("Images for the per-layer comparison (0: none).", valueName: "n"))
  var layerImages = 1000

  @Option(help: ArgumentHelp("Write the charts (PNG) into this folder.", valueName: "dir"))
  var report: String?

  @OptionGroup var kernels: KernelOptions
  @OptionGroup var threads: ThreadOptions
  @OptionGroup var output: ReportOptions

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    guard layerImages >= 0 else { throw ValidationError("--layer-images must be 0 or more.") }
  }

  func run() throws {
    let bars = StagedProgress(enabled: output.showsProgress)
    let result = try EvalResult.compute(
      floatPath: floatPath, int8Path: int8Path, dataset: dataset, limit: limit,
      layerImages: layerImages, kernels: kernels.set, threads: threads.workers(for:),
      progress: { bars.report($0.rawValue, done: $1, total: $2) })
    bars.finish()
    var written: [String] = []
    if let report { written = try result.writeCharts(to: report) }
    if output.json {
      var json = result.json
      json.reportFiles = written
      try printJSON(json)
    } else {
      Console.output(result.text())
    }
    for file in written { output.note("wrote \(file)") }
  }
}
