/// A prepared ADD (TFLM's OpDataAdd): input rescaling, output multiplier, clamp, broadcast
/// shapes. A constant record (`ConstantRecords.swift`).
struct AddOp {
  var leftShift: Int32
  var input1Offset: Int32
  var input2Offset: Int32
  var input1Multiplier: Int32
  var input1Shift: Int32
  var input2Multiplier: Int32
  var input2Shift: Int32
  var outputOffset: Int32
  var outputMultiplier: Int32
  var outputShift: Int32
  var activationMin: Int32
  var activationMax: Int32
  var input1Shape: StoredShape
  var input2Shape: StoredShape
  var outputShape: StoredShape
  var requiresBroadcast: UInt32
  var input1: TensorRef
  var input2: TensorRef
  var output: TensorRef
  /// `KernelPath`; the DSP set's over `addInt8DSP`'s tables in the constants (`dspTables`).
  var kernel: UInt32
  var dspTables: TensorRef

  init(_ p: AddParams, input1: TensorRef, input2: TensorRef, output: TensorRef) {
    leftShift = p.leftShift
    input1Offset = p.input1Offset
    input2Offset = p.input2Offset
    input1Multiplier = p.input1Multiplier
    input1Shift = p.input1Shift
    input2Multiplier = p.input2Multiplier
    input2Shift = p.input2Shift
    outputOffset = p.outputOffset
    outputMultiplier = p.outputMultiplier
    outputShift = p.outputShift
    activationMin = p.quantizedActivationMin
    activationMax = p.quantizedActivationMax
    input1Shape = StoredShape(p.input1Shape)
    input2Shape = StoredShape(p.input2Shape)
    outputShape = StoredShape(p.outputShape)
    requiresBroadcast = p.requiresBroadcast ? 1 : 0
    self.input1 = input1
    self.input2 = input2
    self.output = output
    kernel = KernelPath.reference
    dspTables = .none
  }

  @inline(__always)
  var params: AddParams {
    AddParams(
      leftShift: leftShift, input1Offset: input1Offset, input2Offset: input2Offset,
      input1Multiplier: input1Multiplier, input1Shift: input1Shift,
      input2Multiplier: input2Multiplier, input2Shift: input2Shift, outputOffset: outputOffset,
      outputMultiplier: outputMultiplier, outputShift: outputShift,
      quantizedActivationMin: activationMin, quantizedActivationMax: activationMax,
      input1Shape: input1Shape.shape, input2Shape: input2Shape.shape,
      outputShape: outputShape.shape, requiresBroadcast: requiresBroadcast != 0)
  }

  // Inlined in the interpreter's switch: the record is read in place, never copied.
  @inline(__always)
  func eval(_ at: RegionBases, _ kernels: KernelSet) {
    let params = params
    #if TINYCNN_DSP || !arch(arm)
      if kernel == KernelPath.dsp {
        return addInt8DSP(
          params, input1: at.int8(input1), input2: at.int8(input2), output: at.int8(output),
          tables: at.address(dspTables))
      }
    #endif
    // A build without the vector ADD (TINYCNN_REFERENCE_DEPTHWISE_ADD) runs the reference.
    if kernel == KernelPath.vector, let add = kernels.vector.unsafelyUnwrapped.add {
      return add(params, at.int8(input1), at.int8(input2), at.int8(output))
    }
    addInt8Reference(
      params, input1: at.int8(input1), input2: at.int8(input2), output: at.int8(output))
  }
}

extension Interpreter {
  /// TFLM's AddPrepare + CalculateOpDataAdd (add_common.cc), int8.
  @inline(never)
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
    guard let slot = try ctx.commitConstant(.add, AddOp.self) else { return }
    var record = AddOp(
      params, input1: ctx.ref(a), input2: ctx.ref(b), output: ctx.ref(output))
    if let dspTables {
      #if TINYCNN_DSP || !arch(arm)  // an Armv6-M build only reads the host's
        if ctx.writesConstants { writeAddInt8DSPTables(params, into: dspTables) }
      #endif
      record.kernel = KernelPath.dsp
      record.dspTables = try ctx.constantRef(dspTables)
    } else if ctx.kernels.vector != nil {
      record.kernel = KernelPath.vector
    }
    try ctx.emit(record, slot)
  }
}
