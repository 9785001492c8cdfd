/// A prepared MEAN (TFLM's OpDataReduce for int8). A constant record (`ConstantRecords.swift`).
struct MeanOp {
  var inputZeroPoint: Int32
  var outputZeroPoint: Int32
  var outputMultiplier: Int32
  var outputShift: Int32
  var elementsPerOutput: Int32
  var outputCount: Int32
  var inputIsEmpty: UInt32
  var keptSizes: StoredRuntimeShape
  var keptStrides: StoredRuntimeShape
  var reducedSizes: StoredRuntimeShape
  var reducedStrides: StoredRuntimeShape
  var input: TensorRef
  var output: TensorRef
  /// `KernelPath`: the reference kernel or the set's vector one.
  var kernel: UInt32

  init(_ p: MeanParams, input: TensorRef, output: TensorRef, kernel: UInt32) {
    inputZeroPoint = p.inputZeroPoint
    outputZeroPoint = p.outputZeroPoint
    outputMultiplier = p.outputMultiplier
    outputShift = p.outputShift
    elementsPerOutput = Int32(truncatingIfNeeded: p.elementsPerOutput)
    outputCount = Int32(truncatingIfNeeded: p.outputCount)
    inputIsEmpty = p.inputIsEmpty ? 1 : 0
    keptSizes = StoredRuntimeShape(p.keptSizes)
    keptStrides = StoredRuntimeShape(p.keptStrides)
    reducedSizes = StoredRuntimeShape(p.reducedSizes)
    reducedStrides = StoredRuntimeShape(p.reducedStrides)
    self.input = input
    self.output = output
    self.kernel = kernel
  }

  @inline(__always)
  var params: MeanParams {
    MeanParams(
      inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint,
      outputMultiplier: outputMultiplier, outputShift: outputShift,
      elementsPerOutput: Int(elementsPerOutput), outputCount: Int(outputCount),
      inputIsEmpty: inputIsEmpty != 0, keptSizes: keptSizes.shape,
      keptStrides: keptStrides.shape, reducedSizes: reducedSizes.shape,
      reducedStrides: reducedStrides.shape)
  }

  // Inlined in the interpreter's switch: the record is read in place, never copied.
  @inline(__always)
  func eval(_ at: RegionBases, _ kernels: KernelSet) {
    if kernel == KernelPath.vector {
      return kernels.vector.unsafelyUnwrapped.mean(params, at.int8(input), at.int8(output))
    }
    meanInt8Reference(params, input: at.int8(input), output: at.int8(output))
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
    guard let slot = try ctx.commitConstant(.mean, MeanOp.self) else { return }
    try ctx.emit(
      MeanOp(
        params, input: ctx.ref(input), output: ctx.ref(output),
        kernel: ctx.kernels.vector == nil ? KernelPath.reference : KernelPath.vector),
      slot)
  }
}
