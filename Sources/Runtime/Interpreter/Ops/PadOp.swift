/// A prepared PAD or PADV2 (int8): rank-5 paddings and the pad value.
struct PadOp {
  var params: PadParams
  var input: UnsafePointer<Int8>
  var output: UnsafeMutablePointer<Int8>

  func eval() { padInt8Reference(params, input: input, output: output) }
}

extension Interpreter {
  /// TFLM's PadPrepare (pad_common.cc): PAD pads with the output zero point, PADV2 with its
  /// constant input (on the output's quantisation); paddings a constant `[rank, 2]` int32 tensor.
  @inline(never)
  static func preparePad(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 2...3)
    try ctx.requireOutputs(op, 1)
    if op.builtinCode == BuiltinOperator.pad.rawValue {
      try op.checkOptions(ofType: BuiltinOptionsType.pad)
    }
    let input = try ctx.input(op, 0)
    let paddings = try ctx.input(op, 1)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    let amounts = try ctx.constantInt32(op, paddings)
    let outputQ = try ctx.quantization(op, output)
    var constant: (value: Int8, scale: Float, zeroPoint: Int32)? = nil
    if let value = try ctx.optionalInput(op, 2) {
      try ctx.requireType(op, value, .int8)
      guard let data = value.data, value.elementCount == 1 else {
        throw .expectedConstantTensor(operator: op.index, tensor: value.index)
      }
      let q = try ctx.quantization(op, value)
      constant = (Int8(bitPattern: data[0]), q.scale, q.zeroPoint)
    }
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.preparePad(
        inputShape: ctx.runtimeShape(input), paddings: amounts,
        outputShape: ctx.runtimeShape(output), outputScale: outputQ.scale,
        outputZeroPoint: outputQ.zeroPoint, constant: constant)
    }
    guard let payload = ctx.commit(.pad, PadOp.self) else { return }
    payload.initialize(to: PadOp(params: params, input: ctx.int8(input), output: ctx.int8(output)))
  }
}
