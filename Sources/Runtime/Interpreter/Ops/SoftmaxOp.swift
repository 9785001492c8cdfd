/// A prepared SOFTMAX (int8 input; int8 or int16 output).
struct SoftmaxOp {
  var params: SoftmaxParams
  var input: UnsafePointer<Int8>
  var output: UnsafeMutableRawPointer

  func evalInt8() {
    softmaxInt8Reference(params, input: input, output: output.assumingMemoryBound(to: Int8.self))
  }

  func evalInt16() {
    softmaxInt8ToInt16Reference(
      params, input: input, output: output.assumingMemoryBound(to: Int16.self))
  }
}

extension Interpreter {
  /// TFLM's SoftmaxPrepare + CalculateSoftmaxParams (softmax_common.cc), int8 input.
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
    guard let payload = ctx.commit(kind, SoftmaxOp.self) else { return }
    payload.initialize(
      to: SoftmaxOp(params: params, input: ctx.int8(input), output: ctx.data(output)))
  }
}
