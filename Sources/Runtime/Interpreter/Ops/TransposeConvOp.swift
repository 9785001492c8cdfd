/// A prepared TRANSPOSE_CONV: TFLM's OpData (micro/kernels/transpose_conv.cc) and the tensors'
/// places. A host's vector sets run `transposeConvPerChannelInt8SIMD`, the reference set and a
/// microcontroller build the reference kernel.
struct TransposeConvOp {
  var params: ConvParams
  var outputMultiplier: UnsafeMutablePointer<Int32>  // [outC]
  var outputShift: UnsafeMutablePointer<Int32>  // [outC]
  var inputShape: Shape4
  var input: UnsafePointer<Int8>
  var filterShape: Shape4
  var filter: UnsafePointer<Int8>
  var bias: UnsafePointer<Int32>?
  var outputShape: Shape4
  var output: UnsafeMutablePointer<Int8>
  var scratch: UnsafeMutablePointer<Int32>  // [outputShape.flatSize], planned scratch
  #if !hasFeature(Embedded)
    /// The vector set's kernel (resolved at prepare); nil for the reference one.
    var vectorKernel: TransposeConvKernel?
  #endif

  func eval() {
    #if !hasFeature(Embedded)
      if let vectorKernel {
        return vectorKernel(
          params, outputMultiplier, outputShift, inputShape, input, filterShape, filter, bias,
          outputShape, output, scratch)
      }
    #endif
    transposeConvPerChannelInt8Reference(
      params, outputMultiplier: outputMultiplier, outputShift: outputShift,
      inputShape: inputShape, input: input, filterShape: filterShape, filter: filter, bias: bias,
      outputShape: outputShape, output: output, scratch: scratch)
  }
}

/// schema.fbs `TransposeConvOptions`: padding, stride_w, stride_h, fused_activation_function
/// (added after TFLM's kernel was written, which passes kTfLiteActNone: see below).
public struct TransposeConvOptions: Equatable, Sendable {
  public var padding: Padding
  public var strideWidth: Int
  public var strideHeight: Int
  public var activation: FusedActivation
}

extension Operator {
  /// `BuiltinOptions` tag 49 is TransposeConvOptions.
  public func transposeConvOptions() throws(RuntimeError) -> TransposeConvOptions {
    let t = try options(ofType: 49)
    return TransposeConvOptions(
      padding: try padding(t, 0), strideWidth: try int(t, 1), strideHeight: try int(t, 2),
      activation: try activation(t, 3))
  }
}

extension Interpreter {
  /// TFLM's TRANSPOSE_CONV Prepare + CalculateOpData for int8: inputs are the output shape
  /// (ignored by TFLM, which takes the output tensor's shape; checked here when it is a
  /// constant), the OHWI filter, the input and an optional bias. Padding comes from
  /// ComputePaddingHeightWidth applied to the *output* size, dilation 1. The clamp is
  /// TFLM's: `PopulateConvolutionQuantizationParams` with kTfLiteActNone, so a fused
  /// activation in the options is ignored, as TFLM ignores it.
  @inline(never)
  static func prepareTransposeConv(_ op: Operator, _ ctx: inout PrepareContext)
    throws(RuntimeError)
  {
    try ctx.requireInputs(op, 3...4)
    try ctx.requireOutputs(op, 1)
    let options = try op.transposeConvOptions()
    let outputShapeTensor = try ctx.input(op, 0)
    let filter = try ctx.input(op, 1)
    let input = try ctx.input(op, 2)
    let bias = try ctx.optionalInput(op, 3)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    try ctx.requireType(op, filter, .int8)
    if let bias { try ctx.requireType(op, bias, .int32) }
    try ctx.requireRank(op, input, 4...4)
    try ctx.requireRank(op, filter, 4...4)
    try ctx.requireRank(op, output, 4...4)
    let inShape = input.shape4
    let filterShape = filter.shape4
    let outShape = output.shape4
    // The reference kernel's MatchingDim checks: batches, input depth, output depth.
    try ctx.requireShape(op, output, outShape.n == inShape.n && outShape.c == filterShape.n)
    try ctx.requireShape(op, filter, filterShape.c == inShape.c)
    if let bias { try ctx.requireShape(op, bias, bias.elementCount == outShape.c) }
    if outputShapeTensor.data != nil {
      let dims = try ctx.constantInt32(op, outputShapeTensor)
      try ctx.requireShape(
        op, outputShapeTensor,
        dims.count == 4 && Int(dims[0]) == outShape.n && Int(dims[1]) == outShape.h
          && Int(dims[2]) == outShape.w && Int(dims[3]) == outShape.c)
    }
    guard options.strideWidth > 0, options.strideHeight > 0 else {
      throw .invalidOptions(operator: op.index)
    }

    let (padding, _, _) = try ctx.kernelCheck(op) { () throws(KernelError) in
      try computePaddingHeightWidth(
        strideHeight: options.strideHeight, strideWidth: options.strideWidth,
        dilationHeight: 1, dilationWidth: 1, inHeight: outShape.h, inWidth: outShape.w,
        filterHeight: filterShape.h, filterWidth: filterShape.w, padding: options.padding)
    }
    let inputQ = try ctx.quantization(op, input)
    let filterQ = try checkConvFilterQuantization(ctx, op, filter: filter, channelDimension: 0)
    let outputScale = try ctx.outputScale(op, output)
    let outputZeroPoint = try ctx.quantization(op, output).zeroPoint
    let range = try ctx.kernelCheck(op) { () throws(KernelError) in
      try calculateActivationRangeQuantized(
        .none, outputScale: outputScale, outputZeroPoint: outputZeroPoint)
    }

    let channels = outShape.c
    let multiplier = ctx.constants.allocate(Int32.self, count: channels)
    let shift = ctx.constants.allocate(Int32.self, count: channels)
    let scratch = ctx.requestScratch(bytes: outShape.flatSize * MemoryLayout<Int32>.stride)
    let params = ConvParams(
      padding: options.padding, paddingValues: padding, strideWidth: options.strideWidth,
      strideHeight: options.strideHeight, inputOffset: -inputQ.zeroPoint,
      weightsOffset: -filterQ.zeroPoint, outputOffset: outputZeroPoint,
      quantizedActivationMin: range.min, quantizedActivationMax: range.max)
    guard let payload = ctx.commit(.transposeConv, TransposeConvOp.self), let multiplier,
      let shift, let scratch
    else { return }
    ctx.populateMultipliers(
      inputScale: inputQ.scale, filter: filterQ, outputScale: outputScale,
      multiplier: multiplier, shift: shift, channels: channels)
    var record = TransposeConvOp(
      params: params, outputMultiplier: multiplier, outputShift: shift, inputShape: inShape,
      input: ctx.int8(input), filterShape: filterShape, filter: ctx.int8(filter),
      bias: ctx.optionalInt32(bias), outputShape: outShape, output: ctx.int8(output),
      scratch: scratch.assumingMemoryBound(to: Int32.self))
    #if !hasFeature(Embedded)
      record.vectorKernel = ctx.kernels.vector?.transposeConv
    #endif
    payload.initialize(to: record)
  }
}
