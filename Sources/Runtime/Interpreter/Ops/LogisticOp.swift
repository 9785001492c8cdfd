/// A prepared LOGISTIC (int8; output scale 1/256, zero point -128).
struct LogisticOp {
  var params: LogisticParams
  var count: Int
  var input: UnsafePointer<Int8>
  var output: UnsafeMutablePointer<Int8>

  func eval() { logisticInt8Reference(params, count: count, input: input, output: output) }
}

extension Interpreter {
  /// TFLM's LogisticPrepare + CalculateArithmeticOpDataLogistic (logistic_common.cc), int8.
  @inline(never)
  static func prepareLogistic(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 1...1)
    try ctx.requireOutputs(op, 1)
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    try ctx.requireShape(op, output, output.elementCount == input.elementCount)
    let inputQ = try ctx.quantization(op, input)
    let outputQ = try ctx.quantization(op, output)
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.prepareLogistic(
        inputScale: inputQ.scale, inputZeroPoint: inputQ.zeroPoint,
        outputZeroPoint: outputQ.zeroPoint)
    }
    guard let payload = ctx.commit(.logistic, LogisticOp.self) else { return }
    payload.initialize(
      to: LogisticOp(
        params: params, count: input.elementCount, input: ctx.int8(input),
        output: ctx.int8(output)))
  }
}
