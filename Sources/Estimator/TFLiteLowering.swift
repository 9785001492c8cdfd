import Foundation
import Graph
import InputChecks
import Runtime

// An int8 .tflite file lowered for the estimator through the Runtime's zero-copy reader: every
// operator with its shapes, MACs and constant tensors, and the lifetimes of the activation
// tensors for the arena plan. Works on files from `tinycnn quantize` and from TensorFlow's
// converter alike.

extension ModelWork {
  public init(tfliteAt path: String) throws(EstimatorError) {
    let data: [UInt8]
    do { data = try FileBytes.read(path) } catch { throw EstimatorError(file: path, error.reason) }
    let result: Result<ModelWork, EstimatorError> = data.withUnsafeBytes { raw in
      do throws(RuntimeError) {
        let model = try Runtime.Model(bytes: raw)
        return Result { () throws(EstimatorError) in
          try ModelWork(
            model, name: (path as NSString).lastPathComponent, file: path,
            fileBytes: data.count)
        }
      } catch {
        return .failure(EstimatorError(file: path, "not a readable .tflite file (\(error))"))
      }
    }
    self = try result.get()
  }

  init(_ model: Runtime.Model, name: String, file: String, fileBytes: Int)
    throws(EstimatorError)
  {
    func fail(_ op: Int, _ cause: String) -> EstimatorError {
      EstimatorError(file: file, "operator \(op): \(cause)")
    }
    func tensor(_ i: Int, _ op: Int) throws(EstimatorError) -> Runtime.Tensor {
      let t: Runtime.Tensor
      do { t = try model.tensor(at: i) } catch { throw fail(op, "tensor \(i): \(error)") }
      // The reader bounds the element count, but a zero dimension lets the others be anything:
      // the costs below multiply dimensions, so their product (zeros aside) must fit too.
      let dims = (0..<t.rank).map { t.dim($0) }.filter { $0 != 0 }
      do {
        _ = try Checked.product(dims, "tensor \(i) shape", limit: Int(Int32.max))
      } catch {
        throw fail(op, "\(error)")
      }
      return t
    }
    /// The weights of a CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV (4-D) or FULLY_CONNECTED
    /// (2-D and up): the first constant of `type`, checked before its dimensions are read.
    func filter(_ constants: [Runtime.Tensor], rank: Int, type: TensorType? = nil, _ op: Int)
      throws(EstimatorError) -> Runtime.Tensor
    {
      guard let f = constants.first(where: { type == nil || $0.type == type }) else {
        throw fail(op, "no constant weights")
      }
      guard rank == 2 ? f.rank >= 2 : f.rank == rank else {
        throw fail(op, "weights tensor \(f.index) has \(f.rank) dimensions, not \(rank)")
      }
      return f
    }
    /// A layer's multiply-adds, at most 2^40 (a trillion, hours on any microcontroller), so the
    /// model's totals and the cycle counts built on them cannot overflow.
    func macs(_ factors: [Int], _ op: Int) throws(EstimatorError) -> Int {
      do {
        return try Checked.product(factors, "multiply-adds", limit: 1 << 40)
      } catch {
        throw fail(op, "\(error)")
      }
    }
    /// Shape without the batch axis (TFLM runs batch 1).
    func shape(_ t: Runtime.Tensor) -> [Int] {
      let dims = (0..<t.rank).map { t.dim($0) }
      return dims.count >= 2 ? Array(dims.dropFirst()) : dims
    }

    var layers: [LayerWork] = []
    var names: [Int: String] = [:]  // activation tensors by model tensor index: who writes them
    for i in 0..<model.inputCount {
      let t = try tensor(model.inputTensorIndex(i), -1)
      names[t.index] = Self.shortName(t.name, fallback: "input")
    }

    for opIndex in 0..<model.operatorCount {
      let op: Runtime.Operator
      do { op = try model.operation(at: opIndex) } catch { throw fail(opIndex, "\(error)") }
      var inputs: [Runtime.Tensor] = []
      for i in 0..<op.inputs.count {
        if let t = op.input(i) { inputs.append(try tensor(t, opIndex)) }
      }
      guard let outIndex = op.output(0) else { throw fail(opIndex, "has no output") }
      let out = try tensor(outIndex, opIndex)
      let activations = inputs.filter { !$0.isConstant }
      let constants = inputs.filter(\.isConstant)
      var layer = LayerWork(
        name: Self.shortName(out.name, fallback: "op\(opIndex)"),
        code: op.builtinCode, inputShapes: activations.map(shape),
        outputShape: shape(out))

      guard
        !(layer.op == .conv2D || layer.op == .depthwiseConv2D || layer.op == .fullyConnected)
          || !constants.isEmpty
      else { throw fail(opIndex, "\(layer.opName) without constant weights is not supported") }
      do {
        switch op.code.builtin {
        case .conv2D:
          let o = try op.conv2DOptions()
          let filter = try filter(constants, rank: 4, opIndex)  // [outC, kH, kW, inC / groups]
          layer.kernel = Size2(filter.dim(1), filter.dim(2))
          layer.stride = Size2(o.strideHeight, o.strideWidth)
          layer.dilation = Size2(o.dilationHeight, o.dilationWidth)
          layer.macs = try macs(
            [layer.outputCount, filter.dim(1), filter.dim(2), filter.dim(3)], opIndex)
          layer.fusedActivation = Self.activationName(o.activation)
        case .depthwiseConv2D:
          let o = try op.depthwiseConv2DOptions()
          let filter = try filter(constants, rank: 4, opIndex)  // [1, kH, kW, outC]
          layer.kernel = Size2(filter.dim(1), filter.dim(2))
          layer.stride = Size2(o.strideHeight, o.strideWidth)
          layer.dilation = Size2(o.dilationHeight, o.dilationWidth)
          layer.macs = try macs([layer.outputCount, filter.dim(1), filter.dim(2)], opIndex)
          layer.fusedActivation = Self.activationName(o.activation)
        case .fullyConnected:
          let o = try op.fullyConnectedOptions()
          let filter = try filter(constants, rank: 2, opIndex)  // [out, in]
          let rows = max(1, (activations.first?.elementCount ?? 0) / max(1, filter.dim(1)))
          layer.macs = try macs([rows, filter.elementCount], opIndex)
          layer.fusedActivation = Self.activationName(o.activation)
        case .maxPool2D, .averagePool2D:
          let o = try op.pool2DOptions()
          layer.kernel = Size2(o.filterHeight, o.filterWidth)
          layer.stride = Size2(o.strideHeight, o.strideWidth)
          layer.fusedActivation = Self.activationName(o.activation)
        case .add:
          layer.fusedActivation = Self.activationName(try op.addOptions().activation)
        case .transposeConv:
          // TFLM's reference scatters every input value through every tap to every output
          // channel: input count x kH x kW x outC multiply-adds, as the graph counts them.
          let o = try op.transposeConvOptions()
          let filter = try filter(constants, rank: 4, type: .int8, opIndex)
          layer.kernel = Size2(filter.dim(1), filter.dim(2))  // [outC, kH, kW, inC]
          layer.stride = Size2(o.strideHeight, o.strideWidth)
          layer.macs = try macs(
            [activations.first?.elementCount ?? 0, filter.dim(0), filter.dim(1), filter.dim(2)],
            opIndex)
        default:
          break
        }
      } catch let error as EstimatorError {
        throw error
      } catch {
        throw fail(opIndex, "\(layer.opName) options: \(error)")
      }
      // The filter is the first constant input of a weighted op, the bias the int32 one.
      if [.conv2D, .depthwiseConv2D, .fullyConnected, .transposeConv].contains(layer.op) {
        let filter = constants.first { $0.type != .int32 } ?? constants[0]
        layer.weightCount = filter.elementCount
        layer.weightScales = filter.quantization?.scaleCount ?? 1
        let int32Constants = constants.filter { $0.type == .int32 }
        // TRANSPOSE_CONV's first int32 constant is its output shape; the bias comes after it.
        let bias =
          layer.op == .transposeConv ? int32Constants.dropFirst().first : int32Constants.first
        layer.biasCount = bias?.elementCount ?? 0
      }
      layers.append(layer)
      for i in 0..<op.outputs.count {
        if let o = op.output(i) { names[o] = layer.name }
      }
    }
    var outputBytes = 0
    for i in 0..<model.outputCount {
      outputBytes += try tensor(model.outputTensorIndex(i), -1).byteCount
    }
    let tensors = try Self.lifetimes(model, names: names, file: file)
    var inputBytes = 0
    for i in 0..<model.inputCount {
      inputBytes += try tensor(model.inputTensorIndex(i), -1).byteCount
    }
    self.init(
      name: name, layers: layers, tensors: tensors,
      inputBytes: inputBytes, outputBytes: outputBytes, fileBytes: fileBytes,
      runtimeArena: Self.runtimeArena(model, kernels: .reference),
      optimizedRuntimeArena: Self.runtimeArena(model, kernels: .portable))
    dspRuntimeArena = Self.runtimeArena(model, kernels: .dsp)
  }

  /// The activation tensors and when they live, as the Runtime's planner marks them
  /// (`markTensorLifetimes`: TFLM's lifetimes, a RESHAPE output sharing its input's buffer, so
  /// it is not a tensor of its own), on the estimator's scale: the model input lives from -1
  /// (before operator 0), operator `i` runs at `i`.
  static func lifetimes(_ model: Runtime.Model, names: [Int: String], file: String)
    throws(EstimatorError) -> [TensorLifetime]
  {
    var records = [PlannedBuffer](repeating: .unplanned, count: model.tensorCount)
    var aliases = [Int32](repeating: 0, count: model.tensorCount)
    do {
      try records.withUnsafeMutableBufferPointer { r in
        try aliases.withUnsafeMutableBufferPointer { a in
          try markTensorLifetimes(model, records: r, aliases: a)
        }
      }
    } catch {
      throw EstimatorError(file: file, "tensor lifetimes: \(error)")
    }
    var tensors: [TensorLifetime] = []
    for (t, record) in records.enumerated() where record.firstUse >= 0 {
      let bytes = (try? model.tensor(at: t).byteCount) ?? Int(record.size)
      tensors.append(
        TensorLifetime(
          name: names[t] ?? "tensor \(t)", bytes: bytes, firstOp: Int(record.firstUse) - 1,
          lastOp: Int(record.lastUse) - 1))
    }
    return tensors
  }

  /// The Runtime's own arena figures for `model` with `kernels`, so the estimate is what the
  /// firmware will allocate; nil when the Runtime cannot run the file (the estimator still
  /// sizes it).
  static func runtimeArena(_ model: Runtime.Model, kernels: KernelSet) -> ArenaRequirements? {
    // `.portable` is the microcontroller build's layout, whatever this host runs.
    try? RuntimeArena.requirements(for: model, kernels: kernels)
  }

  static func activationName(_ a: FusedActivation) -> String? {
    switch a {
    case .none: nil
    case .relu: "RELU"
    case .relu6: "RELU6"
    case .reluN1To1: "RELU_N1_TO_1"
    }
  }

  /// A readable layer name from a converter tensor name such as
  /// "sequential/conv2d/Relu;sequential/conv2d/BiasAdd": the layer part ("conv2d").
  static func shortName(_ bytes: UnsafeRawBufferPointer, fallback: String) -> String {
    let full = String(decoding: bytes, as: UTF8.self)
    let first = full.split(separator: ";").first.map(String.init) ?? ""
    let parts = first.split(separator: "/").map(String.init)
    let name = parts.count >= 3 ? parts[1] : (parts.last ?? "")
    return name.isEmpty ? fallback : String(name.prefix(32))
  }
}
