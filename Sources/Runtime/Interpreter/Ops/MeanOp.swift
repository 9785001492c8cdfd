/// A prepared MEAN (TFLM's OpDataReduce for int8).
struct MeanOp {
  var params: MeanParams
  var input: UnsafePointer<Int8>
  var output: UnsafeMutablePointer<Int8>
  /// The vector set's MEAN (resolved at prepare); nil for the reference one.
  var vectorKernel: MeanKernel?

  // Inlined in the interpreter's switch, the record (with closures) is not copied.
  @inline(__always)
  func eval() {
    if let vectorKernel { return vectorKernel(params, input, output) }
    meanInt8Reference(params, input: input, output: output)
  }
}

extension Interpreter {
  /// TFLM's PrepareMeanOrSum (reduce_common.cc), int8 input and output, constant int32 axes.
  @inline(never)
  static func prepareMean(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 2...2)
    try ctx.requireOutputs(op, 1)
    _ = try op.reducerOptions()  // keep_dims only changes the output's rank, which the file states
    let input = try ctx.input(op, 0)
    let axis = try ctx.input(op, 1)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    let axes = try ctx.constantInt32(op, axis)
    let inputQ = try ctx.quantization(op, input)
    let outputScale = try ctx.outputScale(op, output)
    let outputZeroPoint = try ctx.quantization(op, output).zeroPoint
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.prepareMean(
        inputShape: ctx.runtimeShape(input), axis: axes, outputShape: ctx.runtimeShape(output),
        inputScale: inputQ.scale, inputZeroPoint: inputQ.zeroPoint, outputScale: outputScale,
        outputZeroPoint: outputZeroPoint)
    }
    guard let payload = ctx.commit(.mean, MeanOp.self) else { return }
    payload.initialize(
      to: MeanOp(
        params: params, input: ctx.int8(input), output: ctx.int8(output),
        vectorKernel: ctx.kernels.vector?.mean))
  }
}
