/// A prepared DEPTHWISE_CONV_2D (TFLM's OpDataConv for depthwise). A constant record
/// (`ConstantRecords.swift`).
struct DepthwiseConv2DOp {
  var params: StoredConvParams
  /// The vector kernel's `packed` is `PackedDepthwiseWeights(header:scratch:)`'s header; the DSP
  /// set's is `DSPDepthwiseWeights(at:filterShape:)`, without scratch.
  var operands: FilterOperands

  // Inlined in the interpreter's switch: the record is read in place, never copied.
  @inline(__always)
  func eval(_ at: RegionBases, _ kernels: KernelSet) {
    let params = params.depthwise
    let o = operands
    let inputShape = o.inputShape.shape
    let filterShape = o.filterShape.shape
    let outputShape = o.outputShape.shape
    #if TINYCNN_DSP || !arch(arm)
      if o.kernel == KernelPath.dsp {
        return depthwiseConv2DInt8DSP(
          params, inputShape: inputShape, input: at.int8(o.input), filterShape: filterShape,
          outputShape: outputShape, output: at.int8(o.output),
          packed: DSPDepthwiseWeights(at: at.address(o.packed), filterShape: filterShape))
      }
    #endif
    // A build without the vector depthwise (TINYCNN_REFERENCE_DEPTHWISE_ADD) runs the reference.
    if o.kernel == KernelPath.vector,
      let run = kernels.vector.unsafelyUnwrapped.depthwiseConv2D?.run
    {
      return run(
        params, at.address(o.packed), at.address(o.scratch), inputShape, at.int8(o.input),
        filterShape, outputShape, at.int8(o.output))
    }
    depthwiseConv2DPerChannelInt8Reference(
      params, outputMultiplier: at.int32(o.outputMultiplier),
      outputShift: at.int32(o.outputShift), inputShape: inputShape, input: at.int8(o.input),
      filterShape: filterShape, filter: at.int8(o.filter), bias: at.optionalInt32(o.bias),
      outputShape: outputShape, output: at.int8(o.output))
  }
}

extension Interpreter {
  /// TFLM's DepthwiseConvPrepare + CalculateOpDataDepthwiseConv (depthwise_conv_common.cc).
  @inline(never)
  static func prepareDepthwiseConv2D(_ op: Operator, _ ctx: inout PrepareContext)
    throws(RuntimeError)
  {
    try ctx.requireInputs(op, 2...3)
    try ctx.requireOutputs(op, 1)
    let options = try op.depthwiseConv2DOptions()
    let input = try ctx.input(op, 0)
    let filter = try ctx.input(op, 1)
    let bias = try ctx.optionalInput(op, 2)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    try ctx.requireType(op, filter, .int8)
    if let bias { try ctx.requireType(op, bias, .int32) }
    try ctx.requireRank(op, input, 4...4)
    try ctx.requireRank(op, filter, 4...4)
    try ctx.requireRank(op, output, 4...4)
    // The reference kernel's DCHECKs: filter [1, kH, kW, outC], outC = inC * depth_multiplier.
    let inShape = input.shape4
    let filterShape = filter.shape4
    let outShape = output.shape4
    try ctx.requireShape(op, filter, filterShape.n == 1 && filterShape.c == outShape.c)
    try ctx.requireShape(
      op, output,
      outShape.n == inShape.n && options.depthMultiplier > 0
        && outShape.c == inShape.c * options.depthMultiplier)
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
    let filterQ = try checkConvFilterQuantization(ctx, op, filter: filter, channelDimension: 3)
    // Depthwise alone also asks for as many zero points as scales.
    guard filterQ.zeroPointCount == filterQ.scaleCount else {
      throw .unsupportedQuantization(operator: op.index, tensor: filter.index)
    }
    let outputScale = try ctx.outputScale(op, output)
    let outputZeroPoint = try ctx.quantization(op, output).zeroPoint
    let range = try ctx.kernelCheck(op) { () throws(KernelError) in
      try calculateActivationRangeQuantized(
        options.activation, outputScale: outputScale, outputZeroPoint: outputZeroPoint)
    }

    let params = DepthwiseParams(
      padding: options.padding, paddingValues: padding, strideWidth: options.strideWidth,
      strideHeight: options.strideHeight, dilationWidthFactor: options.dilationWidth,
      dilationHeightFactor: options.dilationHeight, depthMultiplier: options.depthMultiplier,
      inputOffset: -inputQ.zeroPoint, weightsOffset: -filterQ.zeroPoint,
      outputOffset: outputZeroPoint, quantizedActivationMin: range.min,
      quantizedActivationMax: range.max)
    let channels = outShape.c
    let multiplier = ctx.constants.allocate(Int32.self, count: channels)
    let shift = ctx.constants.allocate(Int32.self, count: channels)
    let dspSupported = depthwiseConv2DInt8DSPSupports(
      DepthwiseParams(depthMultiplier: options.depthMultiplier), filterShape: filterShape)
    let dsp = dspSupported ? ctx.reserveDepthwiseDSP(filterShape: filterShape) : nil
    // The DSP set runs the shapes its loops do not take with its vector kernel. The packed
    // weights, the scratch and the record are the set's on every build (the host prepares them
    // for the chip); a build without the vector depthwise (the Cortex-M0's, for flash: no `run`)
    // reserves them too and never reads them.
    let depthwise = dsp == nil ? ctx.kernels.vector?.depthwiseConv2D : nil
    let simd = depthwise.flatMap { depthwise in
      ctx.reservePackedKernel(
        packedBytes: depthwise.filterBytes(filterShape),
        scratchBytes: DepthwiseScratchLayout(
          DepthwiseGeometry(
            params, inputShape: inShape, filterShape: filterShape, outputShape: outShape)
        ).bytes)
    }
    guard let slot = try ctx.commitConstant(.depthwiseConv2D, DepthwiseConv2DOp.self),
      let multiplier, let shift
    else { return }
    ctx.populateMultipliers(
      inputScale: inputQ.scale, filter: filterQ, outputScale: outputScale,
      multiplier: multiplier, shift: shift, channels: channels)
    var operands = try ctx.filterOperands(
      multiplier: multiplier, shift: shift, input: input, inputShape: inShape, filter: filter,
      bias: bias, output: output, outputShape: outShape)
    if let simd, simd.writes, let memory = simd.memory, simd.scratch != nil,
      let pack = depthwise?.pack
    {
      _ = pack(
        params, filterShape, ctx.int8(filter), ctx.optionalInt32(bias), multiplier, shift, memory)
    }
    try ctx.route(&operands, KernelPath.vector, simd)
    if let dsp, let memory = dsp.memory {
      #if TINYCNN_DSP || !arch(arm)  // an Armv6-M build only reads the host's
        if dsp.writes {
          _ = DSPDepthwiseWeights(
            packing: ctx.int8(filter), filterShape: filterShape, bias: ctx.optionalInt32(bias),
            multiplier: multiplier, shift: shift, into: memory)
        }
      #endif
      operands.kernel = KernelPath.dsp
      operands.packed = try ctx.constantRef(memory)
    }
    try ctx.emit(DepthwiseConv2DOp(params: StoredConvParams(params), operands: operands), slot)
  }
}
