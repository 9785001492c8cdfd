/// A prepared CONV_2D: TFLM's OpDataConv and the tensors' places, so that Eval is integer work
/// only. A constant record (`ConstantRecords.swift`): no address, the same bytes on the host
/// and on a chip, in the constants.
struct Conv2DOp {
  var params: StoredConvParams
  var operands: FilterOperands

  // Inlined in the interpreter's switch: the record is read in place, never copied.
  @inline(__always)
  func eval(_ at: RegionBases, _ kernels: KernelSet) {
    let params = params.conv
    let o = operands
    let inputShape = o.inputShape.shape
    let filterShape = o.filterShape.shape
    let outputShape = o.outputShape.shape
    #if TINYCNN_DSP || !arch(arm)
      if o.kernel == KernelPath.dsp {
        return conv2DPerChannelInt8DSP(
          params, inputShape: inputShape, input: at.int8(o.input), filterShape: filterShape,
          outputShape: outputShape, output: at.int8(o.output),
          packed: packedConv2DFilterDSP(at: at.address(o.packed), filterShape: filterShape),
          scratch: at.address(o.scratch))
      }
    #endif
    if o.kernel == KernelPath.vector {
      return kernels.vector.unsafelyUnwrapped.conv2D(
        params, at.int32(o.outputMultiplier), at.int32(o.outputShift), inputShape,
        at.int8(o.input), filterShape, at.int8(o.filter), at.optionalInt32(o.bias), outputShape,
        at.int8(o.output), packedConv2DFilter(at: at.address(o.packed), filterShape: filterShape),
        at.address(o.scratch))
    }
    conv2DPerChannelInt8Reference(
      params, outputMultiplier: at.int32(o.outputMultiplier),
      outputShift: at.int32(o.outputShift), inputShape: inputShape, input: at.int8(o.input),
      filterShape: filterShape, filter: at.int8(o.filter), bias: at.optionalInt32(o.bias),
      outputShape: outputShape, output: at.int8(o.output))
  }
}

/// The per-channel multipliers of a convolution (TFLM's `PopulateConvolutionQuantizationParams`
/// checks, shared by CONV_2D and DEPTHWISE_CONV_2D): one filter scale per output channel, or one
/// for all. `channelDimension` is where the output channels are in the filter (0 for OHWI conv,
/// 3 for depthwise's 1HWO).
func checkConvFilterQuantization(
  _ ctx: PrepareContext, _ op: Operator, filter: Tensor, channelDimension: Int
) throws(RuntimeError) -> Quantization {
  let q = try ctx.quantization(op, filter)
  let channels = filter.dim(channelDimension)
  if q.isPerChannel {
    // TFLM: scale->size == num_channels == filter->dims->data[quantized_dimension].
    guard q.scaleCount == channels, filter.dim(q.quantizedDimension) == channels else {
      throw .unsupportedQuantization(operator: op.index, tensor: filter.index)
    }
  }
  return q
}

extension PrepareContext {
  /// Fills `[channels]` multipliers and shifts for `real = inputScale * filterScale[c] /
  /// outputScale`, a per-tensor filter scale broadcast to every channel (TFLM's
  /// `PopulateConvolutionQuantizationParams`; FULLY_CONNECTED's per-channel branch is the same).
  /// They are constants: nothing to do where the host computed them (`writesConstants`).
  func populateMultipliers(
    inputScale: Float, filter: Quantization, outputScale: Float,
    multiplier: UnsafeMutablePointer<Int32>, shift: UnsafeMutablePointer<Int32>, channels: Int
  ) {
    guard writesConstants else { return }
    for c in 0..<channels {
      let (m, s) = convolutionChannelMultiplier(
        inputScale: inputScale, filterScale: filter.scales[filter.isPerChannel ? c : 0],
        outputScale: outputScale)
      multiplier[c] = m
      shift[c] = s
    }
  }
}

extension Interpreter {
  /// TFLM's ConvPrepare + CalculateOpDataConv (conv_common.cc) for int8 input, int8 weights.
  @inline(never)
  static func prepareConv2D(_ op: Operator, _ ctx: inout PrepareContext) throws(RuntimeError) {
    try ctx.requireInputs(op, 2...3)
    try ctx.requireOutputs(op, 1)
    let options = try op.conv2DOptions()
    let input = try ctx.input(op, 0)
    let filter = try ctx.input(op, 1)
    let bias = try ctx.optionalInput(op, 2)
    let output = try ctx.output(op, 0)
    // TFLM: input and output types equal; int8 input takes int8 (or int4) weights; no hybrid.
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    try ctx.requireType(op, filter, .int8)
    if let bias { try ctx.requireType(op, bias, .int32) }
    try ctx.requireRank(op, input, 4...4)
    try ctx.requireRank(op, filter, 4...4)
    try ctx.requireRank(op, output, 4...4)
    // The reference kernel's MatchingDim checks (DCHECKs in TFLM, where a mismatch reads out of
    // bounds): batches, output depth = filter count, input depth a multiple of the filter's.
    let inShape = input.shape4
    let filterShape = filter.shape4
    let outShape = output.shape4
    try ctx.requireShape(op, output, outShape.n == inShape.n && outShape.c == filterShape.n)
    try ctx.requireShape(
      op, filter,
      filterShape.c > 0 && inShape.c % filterShape.c == 0
        && outShape.c % (inShape.c / filterShape.c) == 0)
    if let bias { try ctx.requireShape(op, bias, bias.elementCount == outShape.c) }

    let (padding, outHeight, outWidth) = try ctx.kernelCheck(op) { () throws(KernelError) in
      try computePaddingHeightWidth(
        strideHeight: options.strideHeight, strideWidth: options.strideWidth,
        dilationHeight: options.dilationHeight, dilationWidth: options.dilationWidth,
        inHeight: inShape.h, inWidth: inShape.w, filterHeight: filterShape.h,
        filterWidth: filterShape.w, padding: options.padding)
    }
    try ctx.requireShape(op, output, outShape.h == outHeight && outShape.w == outWidth)

    let inputQ = try ctx.quantization(op, input)
    let filterQ = try checkConvFilterQuantization(ctx, op, filter: filter, channelDimension: 0)
    let outputScale = try ctx.outputScale(op, output)
    let outputZeroPoint = try ctx.quantization(op, output).zeroPoint
    let range = try ctx.kernelCheck(op) { () throws(KernelError) in
      try calculateActivationRangeQuantized(
        options.activation, outputScale: outputScale, outputZeroPoint: outputZeroPoint)
    }

    let channels = outShape.c
    let multiplier = ctx.constants.allocate(Int32.self, count: channels)
    let shift = ctx.constants.allocate(Int32.self, count: channels)
    let params = ConvParams(
      padding: options.padding, paddingValues: padding, strideWidth: options.strideWidth,
      strideHeight: options.strideHeight, dilationWidthFactor: options.dilationWidth,
      dilationHeightFactor: options.dilationHeight, inputOffset: -inputQ.zeroPoint,
      weightsOffset: -filterQ.zeroPoint, outputOffset: outputZeroPoint,
      quantizedActivationMin: range.min, quantizedActivationMax: range.max)
    let simd = ctx.reserveConv2DSIMD(
      params, inputShape: inShape, filterShape: filterShape, outputShape: outShape)
    let dsp = ctx.reserveConv2DDSP(inputShape: inShape, filterShape: filterShape)
    guard let slot = try ctx.commitConstant(.conv2D, Conv2DOp.self), let multiplier, let shift
    else { return }
    ctx.populateMultipliers(
      inputScale: inputQ.scale, filter: filterQ, outputScale: outputScale,
      multiplier: multiplier, shift: shift, channels: channels)
    var operands = try ctx.filterOperands(
      multiplier: multiplier, shift: shift, input: input, inputShape: inShape, filter: filter,
      bias: bias, output: output, outputShape: outShape)
    if let simd, simd.writes, let memory = simd.memory, simd.scratch != nil {
      _ = ctx.kernels.vector.unsafelyUnwrapped.packConv2DFilter(
        filterShape, ctx.int8(filter), ctx.optionalInt32(bias), multiplier, shift, memory)
    }
    try ctx.route(&operands, KernelPath.vector, simd)
    #if TINYCNN_DSP || !arch(arm)  // an Armv6-M build only reads the host's
      if let dsp, dsp.writes, let memory = dsp.memory, dsp.scratch != nil {
        _ = packConv2DFilterDSP(
          filterShape: filterShape, filter: ctx.int8(filter), bias: ctx.optionalInt32(bias),
          outputMultiplier: multiplier, outputShift: shift, into: memory)
      }
    #endif
    try ctx.route(&operands, KernelPath.dsp, dsp)
    try ctx.emit(Conv2DOp(params: StoredConvParams(params), operands: operands), slot)
  }
}
