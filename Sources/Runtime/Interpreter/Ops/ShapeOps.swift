// SHAPE and STRIDED_SLICE: with PACK, what the converter emits to rebuild a RESHAPE's target
// shape when the batch dimension is dynamic. TFLM runs them on batch 1; so does this.

/// A prepared SHAPE: writes the input's dimensions (known at prepare) as int32.
struct ShapeOp {
  var inputShape: RuntimeShape
  var output: UnsafeMutablePointer<Int32>

  func eval() { shapeReference(inputShape: inputShape, output: output) }
}

/// A prepared STRIDED_SLICE (int8 or int32 elements).
struct StridedSliceOp {
  var params: StridedSliceParams
  var input: UnsafeRawPointer
  var output: UnsafeMutableRawPointer

  func eval<Element>(_: Element.Type) {
    stridedSliceReference(
      params, input: input.assumingMemoryBound(to: Element.self),
      output: output.assumingMemoryBound(to: Element.self))
  }
}

extension Interpreter {
  /// TFLM's ShapePrepare (shape.cc): one input, an int32 output of one entry per dimension.
  @inline(never)
  static func prepareShape(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 1...1)
    try ctx.requireOutputs(op, 1)
    let options = try op.shapeOptions()
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, output, .int32)
    guard options.outType == TensorType.int32.rawValue || op.options == nil else {
      throw .invalidOptions(operator: op.index)
    }
    let inputShape = ctx.runtimeShape(input)
    try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.prepareShape(inputShape: inputShape, outputShape: ctx.runtimeShape(output))
    }
    guard let payload = ctx.commit(.shape, ShapeOp.self) else { return }
    payload.initialize(to: ShapeOp(inputShape: inputShape, output: ctx.int32(output)))
  }

  /// TFLM's StridedSlicePrepare (strided_slice_common.cc): begin, end and strides constant
  /// int32 vectors; the ellipsis and new-axis masks ignored, as TFLM ignores them.
  @inline(never)
  static func prepareStridedSlice(_ op: Operator, _ ctx: inout PrepareContext)
    throws(RuntimeError)
  {
    try ctx.requireInputs(op, 4...4)
    try ctx.requireOutputs(op, 1)
    let options = try op.stridedSliceOptions()
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    guard input.type == .int8 || input.type == .int32 else {
      throw .unsupportedType(operator: op.index, tensor: input.index, type: input.type.rawValue)
    }
    guard output.type == input.type else {
      throw .unsupportedType(operator: op.index, tensor: output.index, type: output.type.rawValue)
    }
    let begin = try ctx.constantInt32(op, try ctx.input(op, 1))
    let end = try ctx.constantInt32(op, try ctx.input(op, 2))
    let strides = try ctx.constantInt32(op, try ctx.input(op, 3))
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.prepareStridedSlice(
        inputShape: ctx.runtimeShape(input), begin: begin, end: end, strides: strides,
        beginMask: options.beginMask, endMask: options.endMask,
        shrinkAxisMask: options.shrinkAxisMask, outputShape: ctx.runtimeShape(output))
    }
    let kind: OpKind = input.type == .int8 ? .stridedSliceInt8 : .stridedSliceInt32
    guard let payload = ctx.commit(kind, StridedSliceOp.self) else { return }
    payload.initialize(
      to: StridedSliceOp(
        params: params, input: UnsafeRawPointer(ctx.data(input)), output: ctx.data(output)))
  }
}
