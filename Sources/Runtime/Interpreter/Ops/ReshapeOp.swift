/// A byte copy: RESHAPE when its output cannot share its input's bytes.
struct CopyOp {
  var source: UnsafeRawPointer
  var destination: UnsafeMutableRawPointer
  var byteCount: Int

  func eval() {
    destination.copyMemory(from: source, byteCount: byteCount)
  }
}

extension Interpreter {
  /// TFLM's PrepareReshapeReference (reshape_common.cc). The output shape is the output tensor's
  /// own (TFLM never reads the shape input's values: with a dynamic batch they are computed at
  /// run time by SHAPE/STRIDED_SLICE/PACK and always agree); the element counts must match.
  /// The planner normally makes the output share the input's bytes (the `nothing` kind, TFLM's
  /// "in-place reshape"); a copy is left only where it cannot.
  static func prepareReshape(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 1...2)
    try ctx.requireOutputs(op, 1)
    _ = try op.reshapeOptions()
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    guard input.type == output.type else {
      throw .unsupportedType(operator: op.index, tensor: output.index, type: output.type.rawValue)
    }
    try ctx.requireShape(op, output, input.elementCount == output.elementCount)
    guard let payload = ctx.commit(.copy, CopyOp.self) else { return }
    let source = ctx.data(input)
    let destination = ctx.data(output)
    if source == destination {
      ctx.record = OpRecord(kind: .nothing, payload: nil)
    }
    payload.initialize(
      to: CopyOp(
        source: UnsafeRawPointer(source), destination: destination, byteCount: input.byteCount))
  }
}
