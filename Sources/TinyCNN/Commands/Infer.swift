import ArgumentParser
import Foundation
import Imaging
import Runtime

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
      from --labels (one per line), else from the model's "class_names" metadata, else are \
      numbered.

      Examples:
        tinycnn infer images/ankle-boot-0.png --model lenet5.tflite
        tinycnn infer images/*.png --model lenet5.tflite --labels labels.txt --top 1
        tinycnn infer shirt.png --model lenet5.tflite --json
      """)

  @Argument(help: "PNG images to classify.") var images: [String] = []
  @Option(help: "The int8 .tflite classifier.") var model: String?
  @Option(help: "Class names, one per line (default: the model's class_names metadata).")
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

/// An image classifier over a model session: the input conversion and the output probabilities.
struct Classifier {
  let session: ModelSession
  let classNames: [String]
  let height: Int
  let width: Int
  let format: PixelFormat
  let input: Tensor
  let output: Tensor
  /// Whether the model's output is a SOFTMAX's (already probabilities).
  let endsInSoftmax: Bool

  init(session: ModelSession, labels: String?) throws {
    self.session = session
    let file = session.file
    let interpreter = session.interpreter
    input = try rethrowing(file) { () throws(RuntimeError) in try interpreter.input(0).tensor }
    output = try rethrowing(file) { () throws(RuntimeError) in try interpreter.output(0).tensor }
    let shape = input.shapeArray
    guard shape.count == 4, shape[0] == 1, let format = PixelFormat(channels: shape[3]) else {
      throw InputError(
        file.path, "input \(input.shapeText) is not an image ([1, height, width, 1 or 3])")
    }
    guard [.int8, .uint8, .float32].contains(input.type) else {
      throw InputError(
        file.path, "input type \(input.typeName): infer feeds INT8, UINT8 or FLOAT32")
    }
    guard [.int8, .uint8, .float32].contains(output.type) else {
      throw InputError(
        file.path, "output type \(output.typeName): infer reads INT8, UINT8 or FLOAT32")
    }
    (height, width, self.format) = (shape[1], shape[2], format)
    let classes = output.elementCount
    var softmax = false
    for i in 0..<session.model.operatorCount {
      let op = try rethrowing(file) { () throws(RuntimeError) in try session.model.operation(at: i)
      }
      if op.code.builtin == .softmax && op.output(0) == output.index { softmax = true }
    }
    endsInSoftmax = softmax

    if let labels {
      let text: String
      do {
        text = String(decoding: try BinaryFile.read(labels), as: UTF8.self)
      } catch {
        throw InputError(error.file, error.cause)
      }
      let names = text.split(separator: "\n").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
      }.filter { !$0.isEmpty }
      guard names.count == classes else {
        throw InputError(labels, "\(names.count) class names, the model has \(classes) classes")
      }
      classNames = names
    } else if let names = file.classNames, names.count == classes {
      classNames = names
    } else {
      classNames = (0..<classes).map { "class \($0)" }
    }
  }

  /// The input tensor's bytes for one PNG: gray or RGB, resized, quantised from pixel / 255.
  func inputBytes(_ image: String) throws -> [UInt8] {
    var picture: Image
    do {
      picture = try PNG.read(image, as: format)
    } catch {
      throw InputError(error.file, error.cause)
    }
    if picture.width != width || picture.height != height {
      picture = picture.resized(width: width, height: height)
    }
    let q = input.quantization
    let scale = Double(q?.scale ?? 1)
    let zeroPoint = Double(q?.zeroPoint ?? 0)
    switch input.type {
    case .float32:
      return picture.pixels.flatMap { p in
        withUnsafeBytes(of: (Float(p) / 255).bitPattern.littleEndian) { Array($0) }
      }
    case .uint8:
      return picture.pixels.map { p in
        // TFLite's Quantize: round half away from zero, then clamp to the type.
        let v = (Double(p) / 255 / scale).rounded(.toNearestOrAwayFromZero) + zeroPoint
        return UInt8(min(max(v, 0), 255))
      }
    default:
      return picture.pixels.map { p in
        let v = (Double(p) / 255 / scale).rounded(.toNearestOrAwayFromZero) + zeroPoint
        return UInt8(bitPattern: Int8(min(max(v, -128), 127)))
      }
    }
  }

  /// Class probabilities for one PNG.
  func classify(_ image: String) throws -> [Double] {
    let bytes = try inputBytes(image)
    let interpreter = session.interpreter
    let file = session.file
    let slot = try rethrowing(file) { () throws(RuntimeError) in try interpreter.input(0).bytes }
    slot.copyBytes(from: bytes)
    try rethrowing(file) { () throws(RuntimeError) in try interpreter.invoke() }
    let result = try rethrowing(file) { () throws(RuntimeError) in try interpreter.output(0).bytes }
    let values = Classifier.dequantize(result, output)
    return endsInSoftmax ? values : Classifier.softmax(values)
  }

  static func dequantize(_ bytes: UnsafeMutableRawBufferPointer, _ t: Tensor) -> [Double] {
    let scale = Double(t.quantization?.scale ?? 1)
    let zeroPoint = Double(t.quantization?.zeroPoint ?? 0)
    switch t.type {
    case .float32:
      return (0..<t.elementCount).map {
        Double(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self))
      }
    case .uint8: return bytes.map { (Double($0) - zeroPoint) * scale }
    default: return bytes.map { (Double(Int8(bitPattern: $0)) - zeroPoint) * scale }
    }
  }

  static func softmax(_ logits: [Double]) -> [Double] {
    let top = logits.max() ?? 0
    let e = logits.map { exp($0 - top) }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
  }
}
