/// A prepared CONCATENATION or PACK: several inputs copied into one output. The inputs' addresses
/// live in the plan region (up to ten for CONCATENATION, any number for PACK).
struct GatherOp {
  var concatenation: ConcatenationParams?
  var pack: PackParams?
  var inputs: UnsafeMutablePointer<UnsafeRawPointer>
  var output: UnsafeMutableRawPointer

  func eval<Element>(_: Element.Type) {
    let out = output.assumingMemoryBound(to: Element.self)
    let sources = inputs
    if let concatenation {
      concatenationReference(
        concatenation, inputs: { sources[$0].assumingMemoryBound(to: Element.self) }, output: out)
    } else if let pack {
      packReference(
        pack, inputs: { sources[$0].assumingMemoryBound(to: Element.self) }, output: out)
    }
  }
}

extension Interpreter {
  /// The element type of a copying operator's inputs and output, which must agree: int8 or
  /// int32 (TFLM takes more types; the converter's int8 models use these two).
  static func gatherKind(
    _ op: Operator, _ ctx: PrepareContext, int8 kind8: OpKind, int32 kind32: OpKind
  ) throws(RuntimeError) -> OpKind {
    let output = try ctx.output(op, 0)
    guard output.type == .int8 || output.type == .int32 else {
      throw .unsupportedType(operator: op.index, tensor: output.index, type: output.type.rawValue)
    }
    for i in 0..<op.inputs.count {
      let t = try ctx.input(op, i)
      guard t.type == output.type else {
        throw .unsupportedType(operator: op.index, tensor: t.index, type: t.type.rawValue)
      }
    }
    return output.type == .int8 ? kind8 : kind32
  }

  /// Stores the inputs' addresses and the op; nil while measuring.
  static func commitGather(
    _ op: Operator, _ ctx: inout PrepareContext, kind: OpKind,
    concatenation: ConcatenationParams?, pack: PackParams?
  ) throws(RuntimeError) {
    let inputs = ctx.plan.allocate(UnsafeRawPointer.self, count: op.inputs.count)
    guard let payload = ctx.commit(kind, GatherOp.self), let inputs else { return }
    for i in 0..<op.inputs.count {
      (inputs + i).initialize(to: UnsafeRawPointer(ctx.data(try ctx.input(op, i))))
    }
    payload.initialize(
      to: GatherOp(
        concatenation: concatenation, pack: pack, inputs: inputs,
        output: ctx.data(try ctx.output(op, 0))))
  }

  /// TFLM's ConcatenationPrepare (concatenation.cc).
  @inline(never)
  static func prepareConcatenation(_ op: Operator, _ ctx: inout PrepareContext)
    throws(RuntimeError)
  {
    try ctx.requireInputs(op, 1...ConcatenationParams.maxInputs)
    try ctx.requireOutputs(op, 1)
    let options = try op.concatenationOptions()
    let kind = try gatherKind(op, ctx, int8: .concatenationInt8, int32: .concatenationInt32)
    let output = try ctx.output(op, 0)
    let isInt8 = kind == .concatenationInt8
    let outputQ = isInt8 ? try ctx.quantization(op, output) : nil
    // Every input is checked here, so the kernel's closure below only reads them.
    for i in 0..<op.inputs.count {
      let t = try ctx.input(op, i)
      if isInt8 { _ = try ctx.quantization(op, t) }
    }
    let model = ctx.model
    let context = ctx
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.prepareConcatenation(
        axis: Int32(truncatingIfNeeded: options.axis), activation: options.activation,
        inputsCount: op.inputs.count, outputShape: context.runtimeShape(output),
        outputScale: outputQ?.scale ?? 0, outputZeroPoint: outputQ?.zeroPoint ?? 0,
        requireSameQuantization: isInt8
      ) { i in
        // Valid: every input was read above.
        let t = (try? model.tensor(at: Int(op.inputs[i]))).unsafelyUnwrapped
        return (context.runtimeShape(t), t.quantization?.scale ?? 0, t.quantization?.zeroPoint ?? 0)
      }
    }
    try commitGather(op, &ctx, kind: kind, concatenation: params, pack: nil)
  }

  /// TFLM's PACK (pack.cc, no Prepare): the shapes checked once here.
  @inline(never)
  static func preparePack(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireOutputs(op, 1)
    let options = try op.packOptions()
    try ctx.requireInputs(op, max(options.valuesCount, 1)...max(options.valuesCount, 1))
    let kind = try gatherKind(op, ctx, int8: .packInt8, int32: .packInt32)
    let output = try ctx.output(op, 0)
    let model = ctx.model
    let context = ctx
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.preparePack(
        axis: Int32(truncatingIfNeeded: options.axis), valuesCount: options.valuesCount,
        outputShape: context.runtimeShape(output)
      ) { i in
        context.runtimeShape((try? model.tensor(at: Int(op.inputs[i]))).unsafelyUnwrapped)
      }
    }
    try commitGather(op, &ctx, kind: kind, concatenation: nil, pack: params)
  }
}
