/// A byte copy: RESHAPE when its output cannot share its input's bytes. A constant record
/// (`ConstantRecords.swift`).
struct CopyOp {
  var source: TensorRef
  var destination: TensorRef
  var byteCount: UInt32

  func eval(_ at: RegionBases) {
    at.address(destination).copyMemory(
      from: at.address(source), byteCount: Int(truncatingIfNeeded: byteCount))
  }
}

extension Interpreter {
  /// TFLM's PrepareReshapeReference (reshape_common.cc). The output shape is the output tensor's
  /// own (TFLM never reads the shape input's values: with a dynamic batch they are computed at
  /// run time by SHAPE/STRIDED_SLICE/PACK and always agree); the element counts must match.
  /// The planner normally makes the output share the input's bytes (the `nothing` kind, TFLM's
  /// "in-place reshape"); a copy is left only where it cannot.
  @inline(never)
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
    guard let slot = try ctx.commitConstant(.copy, CopyOp.self) else { return }
    let source = ctx.ref(input)
    let destination = ctx.ref(output)
    if source == destination {
      ctx.record = OpEntry(kind: UInt32(OpKind.nothing.rawValue), payload: 0)
    }
    try ctx.emit(
      CopyOp(
        source: source, destination: destination,
        byteCount: UInt32(truncatingIfNeeded: input.byteCount)),
      slot)
  }
}
