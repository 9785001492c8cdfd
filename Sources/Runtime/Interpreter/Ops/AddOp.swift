/// A prepared ADD (TFLM's OpDataAdd): input rescaling, output multiplier, clamp, broadcast shapes.
struct AddOp {
  var params: AddParams
  var input1: UnsafePointer<Int8>
  var input2: UnsafePointer<Int8>
  var output: UnsafeMutablePointer<Int8>
  /// The vector set's ADD (resolved at prepare); nil for the reference one.
  var vectorKernel: AddKernel? = nil
  #if TINYCNN_DSP || !arch(arm)  // an Armv6-M build never has one: its records stay small
    /// `addInt8DSP`'s tables in the constants (the DSP kernels); nil for the other sets and the
    /// parameters it does not run.
    var dspTables: UnsafeRawPointer? = nil
  #endif

  // Inlined in the interpreter's switch, the record (with closures) is not copied.
  @inline(__always)
  func eval() {
    #if TINYCNN_DSP || !arch(arm)
      if let dspTables {
        return addInt8DSP(params, input1: input1, input2: input2, output: output, tables: dspTables)
      }
    #endif
    if let vectorKernel { return vectorKernel(params, input1, input2, output) }
    addInt8Reference(params, input1: input1, input2: input2, output: output)
  }
}

extension Interpreter {
  /// TFLM's AddPrepare + CalculateOpDataAdd (add_common.cc), int8.
  static func prepareAdd(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 2...2)
    try ctx.requireOutputs(op, 1)
    let options = try op.addOptions()
    let a = try ctx.input(op, 0)
    let b = try ctx.input(op, 1)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, a, .int8)
    try ctx.requireType(op, b, .int8)
    try ctx.requireType(op, output, .int8)
    let qa = try ctx.quantization(op, a)
    let qb = try ctx.quantization(op, b)
    let outputScale = try ctx.outputScale(op, output)
    let outputZeroPoint = try ctx.quantization(op, output).zeroPoint
    let params = try ctx.kernelCheck(op) { () throws(KernelError) in
      try Runtime.prepareAdd(
        input1Scale: qa.scale, input1ZeroPoint: qa.zeroPoint, input2Scale: qb.scale,
        input2ZeroPoint: qb.zeroPoint, outputScale: outputScale,
        outputZeroPoint: outputZeroPoint, activation: options.activation,
        input1Shape: ctx.runtimeShape(a), input2Shape: ctx.runtimeShape(b),
        outputShape: ctx.runtimeShape(output))
    }
    // The DSP set's tables are constants (the same on every build, read only where the DSP
    // loops are built): no scratch, nothing to make per call.
    let dspTables =
      ctx.kernels.id == .dsp && addInt8DSPSupports(params)
      ? ctx.constants.allocate(Int32.self, count: addInt8DSPTableBytes / 4) : nil
    guard let payload = ctx.commit(.add, AddOp.self) else { return }
    payload.initialize(
      to: AddOp(
        params: params, input1: ctx.int8(a), input2: ctx.int8(b), output: ctx.int8(output),
        vectorKernel: dspTables == nil ? ctx.kernels.vector?.add : nil))
    #if TINYCNN_DSP || !arch(arm)
      if let dspTables {
        if ctx.writesConstants { writeAddInt8DSPTables(params, into: dspTables) }
        payload.pointee.dspTables = UnsafeRawPointer(dspTables)
      }
    #endif
  }
}
