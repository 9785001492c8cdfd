/// A prepared MAX_POOL_2D or AVERAGE_POOL_2D (TFLM's OpDataPooling).
struct PoolOp {
  var params: PoolParams
  var inputShape: Shape4
  var input: UnsafePointer<Int8>
  var outputShape: Shape4
  var output: UnsafeMutablePointer<Int8>
  /// The vector set's kernels (resolved at prepare); nil for the reference ones.
  var maxKernel: MaxPool2DKernel?
  var averageKernel: AveragePool2DKernel?

  // Inlined in the interpreter's switch, the record (with closures) is not copied.
  @inline(__always)
  func evalMax() {
    if let maxKernel { return maxKernel(params, inputShape, input, outputShape, output) }
    maxPool2DInt8Reference(
      params, inputShape: inputShape, input: input, outputShape: outputShape, output: output)
  }

  /// False when a window has no tap inside the image (TFLM's Eval fails the same way).
  @inline(__always)
  func evalAverage() -> Bool {
    if let averageKernel { return averageKernel(params, inputShape, input, outputShape, output) }
    return averagePool2DInt8Reference(
      params, inputShape: inputShape, input: input, outputShape: outputShape, output: output)
  }
}

extension Interpreter {
  /// TFLM's PoolingPrepare + CalculateOpDataPooling (pooling_common.cc), int8.
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
    guard let payload = ctx.commit(kind, PoolOp.self) else { return }
    payload.initialize(
      to: PoolOp(
        params: PoolParams(
          padding: options.padding, paddingValues: padding, strideHeight: options.strideHeight,
          strideWidth: options.strideWidth, filterHeight: options.filterHeight,
          filterWidth: options.filterWidth, quantizedActivationMin: range.min,
          quantizedActivationMax: range.max),
        inputShape: inShape, input: ctx.int8(input), outputShape: outShape,
        output: ctx.int8(output), maxKernel: ctx.kernels.vector?.maxPool2D,
        averageKernel: ctx.kernels.vector?.averagePool2D))
  }
}
