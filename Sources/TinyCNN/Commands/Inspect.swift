import ArgumentParser
import Foundation
import Pipeline
import Runtime

/// `tinycnn inspect`: what is in a .tflite file and what running it costs: operators, tensors
/// with their quantisation, parameters, flash and the planned arena.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the operators, tensors, quantisation, size and arena of a .tflite model.",
    discussion: """
      Flash is what a firmware stores: the whole .tflite file (weights and biases are inside \
      it, with the graph). The arena is the one buffer TinyCNN's runtime needs in RAM: the \
      prepared operators (TFLM's OpData: multipliers, shifts, padding) plus the intermediate \
      tensors as the planner lays them out by lifetime; the firmware allocates exactly \
      `arena bytes`.

      Examples:
        tinycnn inspect lenet5.tflite
        tinycnn inspect lenet5.tflite --json | jq .arenaBytes
      """)

  @Argument(help: "The .tflite model.") var model: String
  @OptionGroup var report: ReportOptions

  func run() throws {
    let file = try ModelFile(path: model)
    let info = try ModelInfo(file)
    if report.json {
      try printJSON(info)
    } else {
      Console.output(info.text)
    }
  }
}

/// Everything `inspect` reports, as text and as JSON.
struct ModelInfo: Encodable {
  struct QuantizationInfo: Encodable {
    var scales: [Float]
    var zeroPoints: [Int32]
    var quantizedDimension: Int
  }
  struct TensorInfo: Encodable {
    var index: Int
    var name: String
    var type: String
    var shape: [Int]
    var shapeSignature: [Int]?
    var bytes: Int
    var constant: Bool
    var quantization: QuantizationInfo?
    /// Offset in the arena's tensor region; nil for constants and unused tensors.
    var arenaOffset: Int?
  }
  struct OperatorInfo: Encodable {
    var index: Int
    var op: String
    var code: Int32
    var version: Int32
    var inputs: [Int]
    var outputs: [Int]
    var options: String
    var supported: Bool
  }
  struct ArenaInfo: Encodable {
    var planBytes: Int
    var tensorBytes: Int
    var planningBytes: Int
  }
  struct MetadataInfo: Encodable {
    var name: String
    var bytes: Int
  }

  var model: String
  var fileBytes: Int
  var schemaVersion: UInt32
  var description: String
  /// The arena to allocate (plan + tensors, 16-aligned), or nil when the model cannot be run.
  var arenaBytes: Int?
  var arena: ArenaInfo?
  var arenaError: String?
  var parameters: Int
  var weightBytes: Int
  var biasBytes: Int
  /// What a firmware stores: the .tflite file.
  var flashBytes: Int
  var inputs: [Int]
  var outputs: [Int]
  var operators: [OperatorInfo]
  var tensors: [TensorInfo]
  var metadata: [MetadataInfo]
  var classNames: [String]?

  init(_ file: ModelFile) throws {
    let m = file.model
    model = file.path
    fileBytes = file.byteCount
    flashBytes = file.byteCount
    schemaVersion = m.version
    description = String(decoding: m.description, as: UTF8.self)
    inputs = (0..<m.inputCount).map { m.inputTensorIndex($0) }
    outputs = (0..<m.outputCount).map { m.outputTensorIndex($0) }
    classNames = file.classNames

    var session: ModelSession? = nil
    do {
      session = try ModelSession(file: file)
    } catch {
      arenaError = "\(error)"
    }
    if let r = session?.requirements {
      arenaBytes = r.totalBytes
      arena = ArenaInfo(
        planBytes: r.planBytes, tensorBytes: r.tensorBytes, planningBytes: r.planningBytes)
    }

    // Weights and biases: the constant inputs 1 and 2 of the layers that have them.
    var weightTensors = Set<Int>()
    var biasTensors = Set<Int>()
    operators = []
    for i in 0..<m.operatorCount {
      let op = try rethrowing(file) { () throws(RuntimeError) in try m.operation(at: i) }
      switch op.code.builtin {
      case .conv2D, .depthwiseConv2D, .fullyConnected:
        if let w = op.input(1) { weightTensors.insert(w) }
        if let b = op.input(2) { biasTensors.insert(b) }
      default: break
      }
      operators.append(
        OperatorInfo(
          index: i, op: builtinOperatorName(op.builtinCode).description, code: op.builtinCode,
          version: op.code.version, inputs: (0..<op.inputs.count).map { Int(op.inputs[$0]) },
          outputs: (0..<op.outputs.count).map { Int(op.outputs[$0]) },
          options: ModelInfo.optionsText(op),
          supported: Interpreter.supports(builtinCode: op.builtinCode)))
    }
    tensors = []
    var parameters = 0
    var weightBytes = 0
    var biasBytes = 0
    for t in 0..<m.tensorCount {
      let x = try rethrowing(file) { () throws(RuntimeError) in try m.tensor(at: t) }
      var q: QuantizationInfo? = nil
      if let p = x.quantization {
        q = QuantizationInfo(
          scales: (0..<p.scaleCount).map { p.scales[$0] },
          zeroPoints: (0..<p.zeroPointCount).map { p.zeroPoint($0) },
          quantizedDimension: p.quantizedDimension)
      }
      let signature =
        x.shapeSignature.count == x.rank ? (0..<x.rank).map { Int(x.shapeSignature[$0]) } : nil
      tensors.append(
        TensorInfo(
          index: t, name: x.displayName, type: x.typeName, shape: x.shapeArray,
          shapeSignature: signature, bytes: x.byteCount, constant: x.isConstant, quantization: q,
          arenaOffset: session?.interpreter.arenaOffset(ofTensor: t)))
      guard x.isConstant else { continue }
      if weightTensors.contains(t) {
        parameters += x.elementCount
        weightBytes += x.byteCount
      } else if biasTensors.contains(t) {
        parameters += x.elementCount
        biasBytes += x.byteCount
      }
    }
    self.parameters = parameters
    self.weightBytes = weightBytes
    self.biasBytes = biasBytes
    metadata = try (0..<m.metadataCount).map { i in
      let entry = try rethrowing(file) { () throws(RuntimeError) in try m.metadata(at: i) }
      return MetadataInfo(
        name: String(decoding: entry.name, as: UTF8.self), bytes: entry.data.count)
    }
  }

  /// A short description of an operator's builtin options ("SAME s1x1 RELU").
  static func optionsText(_ op: Operator) -> String {
    func act(_ a: FusedActivation) -> String {
      switch a {
      case .none: ""
      case .relu: " RELU"
      case .reluN1To1: " RELU_N1_TO_1"
      case .relu6: " RELU6"
      }
    }
    func pad(_ p: Padding) -> String { p == .same ? "SAME" : "VALID" }
    switch op.code.builtin {
    case .conv2D:
      guard let o = try? op.conv2DOptions() else { return "?" }
      let dilation =
        o.dilationHeight == 1 && o.dilationWidth == 1
        ? "" : " d\(o.dilationHeight)x\(o.dilationWidth)"
      return "\(pad(o.padding)) s\(o.strideHeight)x\(o.strideWidth)\(dilation)\(act(o.activation))"
    case .depthwiseConv2D:
      guard let o = try? op.depthwiseConv2DOptions() else { return "?" }
      let dilation =
        o.dilationHeight == 1 && o.dilationWidth == 1
        ? "" : " d\(o.dilationHeight)x\(o.dilationWidth)"
      return
        "\(pad(o.padding)) s\(o.strideHeight)x\(o.strideWidth)\(dilation) x\(o.depthMultiplier)\(act(o.activation))"
    case .maxPool2D, .averagePool2D:
      guard let o = try? op.pool2DOptions() else { return "?" }
      return
        "\(pad(o.padding)) \(o.filterHeight)x\(o.filterWidth) s\(o.strideHeight)x\(o.strideWidth)\(act(o.activation))"
    case .fullyConnected:
      guard let o = try? op.fullyConnectedOptions() else { return "?" }
      return (o.keepNumDims ? "keep_num_dims" : "") + act(o.activation)
    case .softmax:
      guard let o = try? op.softmaxOptions() else { return "?" }
      return "beta \(o.beta)"
    case .concatenation:
      guard let o = try? op.concatenationOptions() else { return "?" }
      return "axis \(o.axis)\(act(o.activation))"
    case .add:
      guard let o = try? op.addOptions() else { return "?" }
      return String(act(o.activation).dropFirst())
    case .mean:
      guard let o = try? op.reducerOptions() else { return "?" }
      return o.keepDims ? "keep_dims" : ""
    case .pack:
      guard let o = try? op.packOptions() else { return "?" }
      return "axis \(o.axis), \(o.valuesCount) values"
    case .stridedSlice:
      guard let o = try? op.stridedSliceOptions() else { return "?" }
      return "masks begin \(o.beginMask) end \(o.endMask) shrink \(o.shrinkAxisMask)"
    default:
      return ""
    }
  }

  var text: String {
    var lines: [String] = []
    let describe = description.isEmpty ? "" : ", \"\(description)\""
    lines.append("\(model): \(Format.grouped(fileBytes)) bytes, schema \(schemaVersion)\(describe)")
    func io(_ t: Int) -> String {
      let x = tensors[t]
      var text = "\(t) \(x.name) \(x.type) \(shapeText(x))"
      if let q = x.quantization, q.scales.count == 1 {
        text += " scale \(q.scales[0]) zero point \(q.zeroPoints[0])"
      }
      return text
    }
    lines.append("inputs:  " + inputs.map(io).joined(separator: "; "))
    lines.append("outputs: " + outputs.map(io).joined(separator: "; "))
    if let classNames { lines.append("classes: " + classNames.joined(separator: ", ")) }
    lines.append("")

    var ops = TextTable([
      .right("#"), .left("operator"), .right("v"), .left("inputs"), .left("outputs"),
      .left("output shape"), .left("options"),
    ])
    for o in operators {
      let outShape = o.outputs.first.map { shapeText(tensors[$0]) } ?? ""
      ops.add([
        "\(o.index)", o.supported ? o.op : o.op + " (unsupported)", "\(o.version)",
        o.inputs.map(String.init).joined(separator: ","),
        o.outputs.map(String.init).joined(separator: ","), outShape, o.options,
      ])
    }
    lines.append(ops.rendered())
    lines.append("")

    var table = TextTable([
      .right("#"), .left("tensor"), .left("type"), .left("shape"), .left("quantisation"),
      .right("bytes"), .left("where"),
    ])
    for t in tensors {
      var quant = ""
      if let q = t.quantization {
        quant =
          q.scales.count == 1
          ? "scale \(q.scales[0]) zp \(q.zeroPoints[0])"
          : "per-channel \(q.scales.count) scales, dim \(q.quantizedDimension)"
      }
      let place =
        t.constant
        ? "constant" : t.arenaOffset.map { "arena +\(Format.grouped($0))" } ?? "not planned"
      table.add([
        "\(t.index)", ModelInfo.shortName(t.name), t.type, shapeText(t), quant,
        Format.grouped(t.bytes), place,
      ])
    }
    lines.append(table.rendered())
    lines.append("")
    lines.append(
      "parameters: \(Format.grouped(parameters)) (weights \(Format.grouped(weightBytes)) B, biases \(Format.grouped(biasBytes)) B)"
    )
    lines.append(
      "flash: \(Format.grouped(flashBytes)) B (the .tflite file: weights, biases, quantisation and graph)"
    )
    if let arenaBytes, let arena {
      lines.append(
        "arena: \(Format.grouped(arenaBytes)) B = operator data \(Format.grouped(arena.planBytes)) B + tensors "
          + "\(Format.grouped(max(arena.tensorBytes, arena.planningBytes))) B (planned \(Format.grouped(arena.tensorBytes)) B, "
          + "planner bookkeeping \(Format.grouped(arena.planningBytes)) B before the first run)")
    } else {
      lines.append("arena: not planned: \(arenaError ?? "")")
    }
    return lines.joined(separator: "\n")
  }

  /// A converter's tensor names join every fused op's name with ';': keep the first, and at most
  /// 48 characters of it (the end, which names the layer), for the table. JSON keeps the whole.
  static func shortName(_ name: String) -> String {
    let first = name.split(separator: ";").first.map(String.init) ?? name
    return first.count <= 48 ? first : "…" + first.suffix(47)
  }

  private func shapeText(_ t: TensorInfo) -> String {
    let dims = t.shape.indices.map { i in
      t.shapeSignature.map { $0[i] < 0 ? "-1" : String(t.shape[i]) } ?? String(t.shape[i])
    }
    return "[" + dims.joined(separator: ", ") + "]"
  }
}

/// Runs a Runtime accessor, turning its error into the file's `InputError`.
func rethrowing<T>(_ file: ModelFile, _ body: () throws(RuntimeError) -> T) throws -> T {
  do {
    return try body()
  } catch {
    throw file.error(error)
  }
}
