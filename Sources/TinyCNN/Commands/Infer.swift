import ArgumentParser
import Foundation
import Graph
import Pipeline

/// `tinycnn infer`: classify PNG images with an int8 model, as the firmware would.
struct Infer: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Classify PNG images with an int8 .tflite model.",
    discussion: """
      Each PNG (any flavour: gray, RGB, palette, 16-bit, interlaced) is converted to the \
      model's channels (1: gray, 3: RGB) and resized (bilinear) to its input size, then \
      quantised with the input tensor's scale and zero point assuming the float model took \
      pixel / 255, i.e. inputs in [0, 1], as TinyCNN's trainer and the usual Keras \
      conversion do: q = round(pixel / 255 / scale) + zero_point.

      The top classes are printed with their probabilities: the dequantised output when the \
      model ends in SOFTMAX, otherwise a softmax of the dequantised logits. Class names come \
      from --labels (one per line), else from the model's "\(ClassNames.metadataKey)" metadata, else are \
      numbered.

      Examples:
        tinycnn infer images/ankle-boot-0.png --model lenet5.tflite
        tinycnn infer images/*.png --model lenet5.tflite --labels labels.txt --top 1
        tinycnn infer shirt.png --model lenet5.tflite --json
      """)

  @Argument(help: "PNG images to classify.") var images: [String] = []
  @Option(help: "The int8 .tflite classifier.") var model: String?
  @Option(help: "Class names, one per line (default: the ones the model carries).")
  var labels: String?
  @Option(help: "How many classes to show per image.") var top = 3
  @OptionGroup var kernels: KernelOptions
  @OptionGroup var report: ReportOptions

  /// The model `infer` uses without --model: the bundled models/lenet5-int8.tflite.
  static let defaultModel: String? = BundledModel.path()

  func validate() throws {
    guard !images.isEmpty else { throw ValidationError("Give at least one PNG image.") }
    guard top >= 1 else { throw ValidationError("--top must be at least 1.") }
    guard model ?? Infer.defaultModel != nil else {
      throw ValidationError(
        "--model is required: the bundled \(BundledModel.relativePath) is missing.")
    }
  }

  struct Guess: Encodable {
    var index: Int
    var `class`: String
    var probability: Double
  }
  struct Result: Encodable {
    var image: String
    var top: [Guess]
  }
  struct Summary: Encodable {
    var model: String
    var results: [Result]
  }

  func run() throws {
    let path = model ?? Infer.defaultModel ?? ""
    let session = try ModelSession(path: path, kernels: kernels.set)
    let classifier = try Classifier(session: session, labels: labels)
    var results: [Result] = []
    for image in images {
      let probabilities = try classifier.classify(image)
      let order = probabilities.indices.sorted {
        probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1
      }
      let guesses = order.prefix(top).map {
        Guess(index: $0, class: classifier.classNames[$0], probability: probabilities[$0])
      }
      results.append(Result(image: image, top: guesses))
    }
    if report.json {
      try printJSON(Summary(model: path, results: results))
    } else {
      for r in results {
        let guesses = r.top.map { "\($0.class) \(Format.fixed($0.probability * 100, 1))%" }
        Console.output("\(r.image): " + guesses.joined(separator: ", "))
      }
    }
  }
}
