import ArgumentParser
import Datasets
import Foundation
import Pipeline
import Runtime

/// `tinycnn run`: a batch from .npy in, the raw output tensors as .npy out, so any tool can
/// compare TinyCNN's int8 outputs with another runtime's.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run an int8 .tflite model on a batch of inputs given as NumPy .npy files.",
    discussion: """
      The first axis of each input array is the batch: a model whose input is [1, 28, 28, 1] \
      takes an int8 array [N, 28, 28, 1] (dtype as the model's input: int8, uint8 or float32) \
      and is run once per image, as TFLite Micro runs it. Several model inputs take several \
      --input files, in the model's input order.

      The outputs are the raw output tensors, batch first, in the model's output type \
      (usually int8, not dequantised). One output is written to --output; a model with \
      several outputs writes Y_0.npy, Y_1.npy, ... next to --output Y.npy.

      Examples:
        tinycnn run lenet5.tflite --input x_test.npy --output logits.npy
        tinycnn run two_inputs.tflite --input a.npy --input b.npy --output y.npy --json
      """)

  @Argument(help: "The int8 .tflite model.") var model: String
  @Option(name: .shortAndLong, help: "An input .npy file (repeat for several model inputs).")
  var input: [String] = []
  @Option(name: .shortAndLong, help: "Where to write the output .npy file.") var output: String
  @OptionGroup var kernels: KernelOptions
  @OptionGroup var threads: ThreadOptions
  @OptionGroup var report: ReportOptions

  func validate() throws {
    guard !input.isEmpty else { throw ValidationError("Give at least one --input .npy file.") }
    guard output.hasSuffix(".npy") else { throw ValidationError("--output must end in .npy.") }
  }

  /// Where output `j` of `count` goes.
  static func outputPath(_ base: String, _ j: Int, of count: Int) -> String {
    count == 1 ? base : String(base.dropLast(4)) + "_\(j).npy"
  }

  struct Summary: Encodable {
    struct File: Encodable {
      var file: String
      var dtype: String
      var shape: [Int]
    }
    var model: String
    var images: Int
    var outputs: [File]
    var secondsPerImage: Double
  }

  func run() throws {
    let session = try ModelSession(path: model, kernels: kernels.set)
    var inputs: [(file: String, array: NPYArray)] = []
    for path in input {
      do {
        inputs.append((path, try NPYArray.read(path)))
      } catch {
        throw InputError(error.file, error.cause)
      }
    }
    var runner = BatchRunner(session: session)
    let images =
      inputs.isEmpty ? 0 : try runner.imageCount(inputs[0].array, file: input[0], input: 0)
    runner.threads = threads.workers(for: images)
    let progress = Progress("running", total: images, enabled: report.showsProgress && images > 1)
    let start = Date()
    let outputs = try runner.run(inputs, progress: progress.doneSoFar())
    let seconds = Date().timeIntervalSince(start)
    progress.finish()
    var files: [Summary.File] = []
    for (j, array) in outputs.enumerated() {
      let path = Run.outputPath(output, j, of: outputs.count)
      do {
        try array.write(to: path)
      } catch {
        throw InputError(error.file, error.cause)
      }
      files.append(Summary.File(file: path, dtype: array.dtype.name, shape: array.shape))
    }
    let summary = Summary(
      model: model, images: images, outputs: files,
      secondsPerImage: images > 0 ? seconds / Double(images) : 0)
    if report.json {
      try printJSON(summary)
    } else {
      for f in files {
        report.note("wrote \(f.file): \(f.dtype) \(f.shape)")
      }
      report.note(
        String(format: "%d images, %.3f ms per image", images, summary.secondsPerImage * 1000))
    }
  }
}
