/// A prepared MAX_POOL_2D or AVERAGE_POOL_2D (TFLM's OpDataPooling). A constant record
/// (`ConstantRecords.swift`).
struct PoolOp {
  var window: StoredWindow
  var filterHeight: Int32
  var filterWidth: Int32
  var activationMin: Int32
  var activationMax: Int32
  var inputShape: StoredShape
  var input: TensorRef
  var outputShape: StoredShape
  var output: TensorRef
  /// `KernelPath`: the reference kernels or the set's vector ones.
  var kernel: UInt32

  @inline(__always)
  var params: PoolParams {
    PoolParams(
      padding: window.paddingKind, paddingValues: window.paddingValues,
      strideHeight: Int(window.strideHeight), strideWidth: Int(window.strideWidth),
      filterHeight: Int(filterHeight), filterWidth: Int(filterWidth),
      quantizedActivationMin: activationMin, quantizedActivationMax: activationMax)
  }

  // Inlined in the interpreter's switch: the record is read in place, never copied.
  @inline(__always)
  func evalMax(_ at: RegionBases, _ kernels: KernelSet) {
    if kernel == KernelPath.vector {
      return kernels.vector.unsafelyUnwrapped.maxPool2D(
        params, inputShape.shape, at.int8(input), outputShape.shape, at.int8(output))
    }
    maxPool2DInt8Reference(
      params, inputShape: inputShape.shape, input: at.int8(input),
      outputShape: outputShape.shape, output: at.int8(output))
  }

  /// False when a window has no tap inside the image (TFLM's Eval fails the same way).
  @inline(__always)
  func evalAverage(_ at: RegionBases, _ kernels: KernelSet) -> Bool {
    if kernel == KernelPath.vector {
      return kernels.vector.unsafelyUnwrapped.averagePool2D(
        params, inputShape.shape, at.int8(input), outputShape.shape, at.int8(output))
    }
    return averagePool2DInt8Reference(
      params, inputShape: inputShape.shape, input: at.int8(input),
      outputShape: outputShape.shape, output: at.int8(output))
  }
}

extension Interpreter {
  /// TFLM's PoolingPrepare + CalculateOpDataPooling (pooling_common.cc), int8.
  @inline(never)
  static func preparePool2D(_ op: Operator, _ ctx: inout PrepareContext, kind: OpKind)
    throws(RuntimeError)
  {
    try ctx.requireInputs(op, 1...1)
    try ctx.requireOutputs(op, 1)
    let options = try op.pool2DOptions()
    let input = try ctx.input(op, 0)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    try ctx.requireRank(op, input, 4...4)
    try ctx.requireRank(op, output, 4...4)
    let inShape = input.shape4
    let outShape = output.shape4
    try ctx.requireShape(op, output, outShape.n == inShape.n && outShape.c == inShape.c)
    let (padding, outHeight, outWidth) = try ctx.kernelCheck(op) { () throws(KernelError) in
      try computePaddingHeightWidth(
        strideHeight: options.strideHeight, strideWidth: options.strideWidth,
        dilationHeight: 1, dilationWidth: 1, inHeight: inShape.h, inWidth: inShape.w,
        filterHeight: options.filterHeight, filterWidth: options.filterWidth,
        padding: options.padding)
    }
    try ctx.requireShape(op, output, outShape.h == outHeight && outShape.w == outWidth)
    // Pooling does not requantise: TFLM asks for the same scale (within 1e-6) and zero point.
    let inputQ = try ctx.quantization(op, input)
    let outputQ = try ctx.quantization(op, output)
    let scaleDifference = Double(abs(inputQ.scale - outputQ.scale))
    guard scaleDifference <= 1.0e-6, inputQ.zeroPoint == outputQ.zeroPoint else {
      throw .unsupportedQuantization(operator: op.index, tensor: output.index)
    }
    let range = try ctx.kernelCheck(op) { () throws(KernelError) in
      try calculateActivationRangeQuantized(
        options.activation, outputScale: outputQ.scale, outputZeroPoint: outputQ.zeroPoint)
    }
    guard let slot = try ctx.commitConstant(kind, PoolOp.self) else { return }
    try ctx.emit(
      PoolOp(
        window: StoredWindow(
          padding: options.padding, values: padding, strideWidth: options.strideWidth,
          strideHeight: options.strideHeight),
        filterHeight: Int32(truncatingIfNeeded: options.filterHeight),
        filterWidth: Int32(truncatingIfNeeded: options.filterWidth),
        activationMin: range.min, activationMax: range.max, inputShape: StoredShape(inShape),
        input: ctx.ref(input), outputShape: StoredShape(outShape), output: ctx.ref(output),
        kernel: ctx.kernels.vector == nil ? KernelPath.reference : KernelPath.vector),
      slot)
  }
}
