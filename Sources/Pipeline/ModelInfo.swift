import Foundation
import Runtime

/// Everything `tinycnn inspect` reports about a .tflite file (the CLI renders it as text and as
/// JSON): operators, tensors with their quantisation, parameters, flash, the planned arena.
package struct ModelInfo: Encodable {
  package struct QuantizationInfo: Encodable {
    package var scales: [Float]
    package var zeroPoints: [Int32]
    package var quantizedDimension: Int
  }
  package struct TensorInfo: Encodable {
    package var index: Int
    package var name: String
    package var type: String
    package var shape: [Int]
    package var shapeSignature: [Int]?
    package var bytes: Int
    package var constant: Bool
    package var quantization: QuantizationInfo?
    /// Offset in the arena's tensor region; nil for constants and unused tensors.
    package var arenaOffset: Int?
  }
  package struct OperatorInfo: Encodable {
    package var index: Int
    package var op: String
    package var code: Int32
    package var version: Int32
    package var inputs: [Int]
    package var outputs: [Int]
    package var options: String
    package var supported: Bool
  }
  package struct ArenaInfo: Encodable {
    package var planBytes: Int
    package var tensorBytes: Int
    package var planningBytes: Int
  }
  package struct MetadataInfo: Encodable {
    package var name: String
    package var bytes: Int
  }

  package var model: String
  package var fileBytes: Int
  package var schemaVersion: UInt32
  package var description: String
  /// The arena to allocate (plan + tensors, 16-aligned), or nil when the model cannot be run.
  package var arenaBytes: Int?
  package var arena: ArenaInfo?
  package var arenaError: String?
  package var parameters: Int
  package var weightBytes: Int
  package var biasBytes: Int
  /// What a firmware stores: the .tflite file.
  package var flashBytes: Int
  package var inputs: [Int]
  package var outputs: [Int]
  package var operators: [OperatorInfo]
  package var tensors: [TensorInfo]
  package var metadata: [MetadataInfo]
  package var classNames: [String]?

  package init(_ file: ModelFile) throws {
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
      let op = try file.checked { () throws(RuntimeError) in try m.operation(at: i) }
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
      let x = try file.checked { () throws(RuntimeError) in try m.tensor(at: t) }
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
      let entry = try file.checked { () throws(RuntimeError) in try m.metadata(at: i) }
      return MetadataInfo(
        name: String(decoding: entry.name, as: UTF8.self), bytes: entry.data.count)
    }
  }

  /// A short description of an operator's builtin options ("SAME s1x1 RELU").
  package static func optionsText(_ op: Operator) -> String {
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
}
