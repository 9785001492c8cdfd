import Runtime

extension RuntimeError {
  /// One line a user can act on, for "MODEL.tflite: <this>". With the model at hand, operators
  /// are named by code ("operator 7 (CONV_2D)") and tensors by name.
  package func message(_ model: Model?, fileBytes: Int) -> String {
    func op(_ i: Int) -> String {
      guard let model, i >= 0, i < model.operatorCount, let o = try? model.operation(at: i) else {
        return "operator \(i)"
      }
      return "operator \(i) (\(builtinOperatorName(o.builtinCode)))"
    }
    func tensor(_ t: Int) -> String {
      guard let model, t >= 0, t < model.tensorCount, let x = try? model.tensor(at: t) else {
        return "tensor \(t)"
      }
      return x.name.isEmpty ? "tensor \(t)" : "tensor \(t) '\(x.displayName)'"
    }
    func tensorDetails(_ t: Int) -> String {
      guard let model, let x = try? model.tensor(at: t) else { return tensor(t) }
      var text = "\(tensor(t)) (\(x.typeName) \(x.shapeText)"
      if let q = x.quantization {
        text +=
          q.isPerChannel
          ? ", \(q.scaleCount) scales" : ", scale \(q.scale), zero point \(q.zeroPoint)"
      }
      return text + ")"
    }
    // Without a model (the reader refused the file) there is no count to quote: "the model has
    // 0 tensors" was wrong for a file whose tensor list was merely unreadable.
    func count(_ n: Int?, _ what: String) -> String {
      n.map { "the model has \($0) \(what)" } ?? "which is not in the model's \(what) list"
    }
    let past = "past the end of the file (\(fileBytes) bytes): truncated or corrupt"
    switch self {
    case .truncatedModel(let b): return "data up to byte \(b) lies \(past)"
    case .notATFLiteFile: return "not a .tflite model (no TFL3 file identifier at byte 4)"
    case .offsetOutOfRange(let b): return "the offset stored at byte \(b) points \(past)"
    case .vectorOutOfRange(let b, let n):
      return "the vector at byte \(b) claims \(n) elements, \(past)"
    case .invalidVTable(let b): return "corrupt: the table at byte \(b) has an invalid vtable"
    case .unsupportedSchemaVersion(let v):
      return "schema version \(v); TinyCNN (like TFLite Micro) reads version \(Model.schemaVersion)"
    case .emptyModel: return "the model has no subgraph, or no inputs or outputs"
    case .unsupportedTensorType(let type, let t):
      let name = TensorType(rawValue: type).map { $0.name.description } ?? "unknown type \(type)"
      return "\(tensor(t)) has type \(name), which TinyCNN's runtime cannot run"
    case .invalidTensorShape(let t):
      return
        "\(tensor(t)) has an invalid shape (a negative dimension, more than \(maxTensorRank) dimensions, or over 2 GB)"
    case .sparseTensor(let t):
      return "\(tensor(t)) is stored sparse, which TinyCNN's runtime does not run"
    case .bufferIndexOutOfRange(let t, let b):
      return "\(tensor(t)) names buffer \(b), \(count(model?.bufferCount, "buffers"))"
    case .bufferSizeMismatch(let t, let expected, let actual):
      return "\(tensor(t)) has \(actual) bytes of data where its shape and type need \(expected)"
    case .bufferOutOfRange(let b): return "buffer \(b) points at data \(past)"
    case .misalignedBuffer(let t): return "\(tensor(t))'s data is not aligned for its type"
    case .invalidQuantization(let t, let problem):
      let cause: String
      switch problem {
      case .parameterCount: cause = "zero points do not match the scales in number"
      case .quantizedDimension: cause = "per-channel scales do not match quantized_dimension"
      case .scale: cause = "a scale is negative, infinite or NaN"
      case .zeroPoint: cause = "a zero point does not fit the tensor's type"
      }
      return "\(tensor(t)) has invalid quantisation: \(cause)"
    case .metadataBufferOutOfRange(let e, let b):
      return "metadata entry \(e) names buffer \(b), \(count(model?.bufferCount, "buffers"))"
    case .operatorCodeOutOfRange(let o, let c):
      return
        "operator \(o) uses operator code \(c), \(count(model?.operatorCodeCount, "operator codes"))"
    case .unsupportedOperator(let code, let index):
      let supported = supportedOperatorNames.joined(separator: ", ")
      return
        "\(op(index)) is not supported by TinyCNN's runtime (code \(code); supported: \(supported))"
    case .tensorIndexOutOfRange(let o, let t):
      let owner = o < 0 ? "the model's input or output list" : op(o)
      return "\(owner) names tensor \(t), \(count(model?.tensorCount, "tensors"))"
    case .invalidOptions(let o):
      return "\(op(o)) has builtin options of the wrong type or with invalid values"
    case .wrongInputCount(let o, let expected, let actual):
      return "\(op(o)) needs \(expected) inputs, has \(actual)"
    case .wrongOutputCount(let o, let expected, let actual):
      return "\(op(o)) needs \(expected) outputs, has \(actual)"
    case .unsupportedType(let o, let t, _):
      return "\(op(o)) does not take \(tensorDetails(t)) (TinyCNN runs int8 models)"
    case .shapeMismatch(let o, let t):
      return "\(op(o)): \(tensorDetails(t)) does not fit the operator's other tensors"
    case .unsupportedQuantization(let o, let t):
      return
        "\(op(o)): \(tensorDetails(t)) is missing quantisation or has parameters the kernel rejects"
    case .kernel(let o, let error): return "\(op(o)): \(error.message)"
    case .expectedConstantTensor(let o, let t):
      return "\(op(o)) needs \(tensor(t)) to be a constant"
    case .tensorUsedBeforeWritten(let o, let t):
      return "\(op(o)) reads \(tensor(t)) before any operator writes it (operators out of order)"
    case .invokeFailed(let o): return "\(op(o)) failed while running"
    case .arenaTooSmall(let needed, let available):
      return "the arena holds \(available) bytes, the model needs \(needed)"
    case .modelTooLarge: return "the model is too large for the runtime's 32-bit memory plan"
    case .preparedConstantsMismatch:
      return "the prepared constants are not this model's, kernel set's or filter packing's"
    case .ioIndexOutOfRange(let i, let count): return "asked for input or output \(i) of \(count)"
    case .inputSizeMismatch(let i, let expected, let actual):
      return "input \(i) needs \(expected) bytes, was given \(actual)"
    }
  }
}

extension KernelError {
  package var message: String {
    switch self {
    case .invalidWindow:
      return "invalid window: a stride, dilation or filter size below 1, or an empty output"
    case .activationRangeOverflow:
      return "the fused activation's bounds overflow int32 at this output scale"
    case .unsupportedActivation(let code):
      let names: [Int8: String] = [4: "TANH", 5: "SIGN_BIT"]
      return "fused activation \(names[code] ?? "code \(code)") is not supported"
    case .unsupportedQuantization: return "quantisation parameters the kernel does not take"
    case .invalidShape: return "a tensor shape with a negative dimension"
    case .tooManyDimensions(let rank):
      return "a tensor of rank \(rank), more than the kernel handles"
    case .shapeMismatch:
      return "tensor shapes the operator cannot combine, or an output of another shape"
    case .invalidAxis(let axis): return "axis \(axis) is outside the tensor's dimensions"
    case .tooManyInputs(let count): return "\(count) inputs, more than the kernel takes"
    case .invalidPadding: return "the paddings tensor is not [rank, 2] or holds a negative amount"
    case .invalidSlice: return "a zero stride, or begin/end/strides not one per input dimension"
    }
  }
}

/// Every builtin operator the interpreter prepares, by name.
package let supportedOperatorNames: [String] = (0..<256).compactMap { code in
  Interpreter.supports(builtinCode: Int32(code))
    ? builtinOperatorName(Int32(code)).description : nil
}.sorted()
