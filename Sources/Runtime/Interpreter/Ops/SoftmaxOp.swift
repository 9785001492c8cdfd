/// A prepared SOFTMAX (int8 input; int8 or int16 output).
/// A constant record (`ConstantRecords.swift`).
struct SoftmaxOp {
  var inputMultiplier: Int32
  var inputLeftShift: Int32
  var diffMin: Int32
  var outerSize: Int32
  var depth: Int32
  var input: TensorRef
  var output: TensorRef

  var params: SoftmaxParams {
    SoftmaxParams(
      inputMultiplier: inputMultiplier, inputLeftShift: inputLeftShift, diffMin: diffMin,
      outerSize: Int(outerSize), depth: Int(depth))
  }

  func evalInt8(_ at: RegionBases) {
    softmaxInt8Reference(params, input: at.int8(input), output: at.int8(output))
  }

  func evalInt16(_ at: RegionBases) {
    softmaxInt8ToInt16Reference(
      params, input: at.int8(input),
      output: at.address(output).assumingMemoryBound(to: Int16.self))
  }
}

extension Interpreter {
  /// TFLM's SoftmaxPrepare + CalculateSoftmaxParams (softmax_common.cc), int8 input.
  @inline(never)
  static func prepareSoftmax(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 1...1)
    try ctx.requireOutputs(op, 1)
    let options = try op.softmaxOptions()
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    let outputType: SoftmaxOutputType
    switch output.type {
    case .int8: outputType = .int8
    case .int16: outputType = .int16
    default:
      throw .unsupportedType(operator: op.index, tensor: output.index, type: output.type.rawValue)
    }
    try ctx.requireShape(op, output, output.elementCount == input.elementCount && input.rank > 0)
    let inputQ = try ctx.quantization(op, input)
    let outputQ = try ctx.quantization(op, output)
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.prepareSoftmax(
        beta: options.beta, inputScale: inputQ.scale, outputScale: outputQ.scale,
        outputZeroPoint: outputQ.zeroPoint, outputType: outputType,
        inputShape: ctx.runtimeShape(input), outputShape: ctx.runtimeShape(output))
    }
    let kind: OpKind = outputType == .int8 ? .softmaxInt8 : .softmaxInt16
    guard let slot = try ctx.commitConstant(kind, SoftmaxOp.self) else { return }
    try ctx.emit(
      SoftmaxOp(
        inputMultiplier: params.inputMultiplier, inputLeftShift: params.inputLeftShift,
        diffMin: params.diffMin, outerSize: Int32(truncatingIfNeeded: params.outerSize),
        depth: Int32(truncatingIfNeeded: params.depth), input: ctx.ref(input),
        output: ctx.ref(output)),
      slot)
  }
}
