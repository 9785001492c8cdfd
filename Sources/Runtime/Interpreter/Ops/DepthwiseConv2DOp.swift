/// A prepared DEPTHWISE_CONV_2D (TFLM's OpDataConv for depthwise).
struct DepthwiseConv2DOp {
  var params: DepthwiseParams
  var outputMultiplier: UnsafeMutablePointer<Int32>  // [outC]
  var outputShift: UnsafeMutablePointer<Int32>  // [outC]
  var inputShape: Shape4
  var input: UnsafePointer<Int8>
  var filterShape: Shape4
  var filter: UnsafePointer<Int8>
  var bias: UnsafePointer<Int32>?
  var outputShape: Shape4
  var output: UnsafeMutablePointer<Int8>
  /// A vector set's packed weights (`PackedDepthwiseWeights(header:scratch:)`), scratch and
  /// kernel (resolved at prepare); nil with the reference kernels.
  var packed: UnsafeRawPointer?
  var scratch: UnsafeMutableRawPointer?
  var vectorKernel: DepthwiseConv2DKernel?
  #if TINYCNN_DSP || !arch(arm)  // an Armv6-M build never has one: its records stay small
    /// The DSP set's prepared weights (`DSPDepthwiseWeights(at:filterShape:)`); nil for the
    /// other sets and the shapes it does not run.
    var dsp: UnsafeRawPointer? = nil
  #endif

  // Inlined in the interpreter's switch, the record (with closures) is not copied.
  @inline(__always)
  func eval() {
    #if TINYCNN_DSP || !arch(arm)
      if let dsp {
        return depthwiseConv2DInt8DSP(
          params, inputShape: inputShape, input: input, filterShape: filterShape,
          outputShape: outputShape, output: output,
          packed: DSPDepthwiseWeights(at: dsp, filterShape: filterShape))
      }
    #endif
    if let packed, let scratch, let vectorKernel {
      return vectorKernel(
        params, packed, scratch, inputShape, input, filterShape, outputShape, output)
    }
    depthwiseConv2DPerChannelInt8Reference(
      params, outputMultiplier: outputMultiplier, outputShift: outputShift,
      inputShape: inputShape, input: input, filterShape: filterShape, filter: filter, bias: bias,
      outputShape: outputShape, output: output)
  }
}

extension Interpreter {
  /// TFLM's DepthwiseConvPrepare + CalculateOpDataDepthwiseConv (depthwise_conv_common.cc).
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
    // weights are the set's constants on every build (the host prepares them for the chip); a
    // build without the vector depthwise (the Cortex-M0's, for flash: no `run`) reserves them
    // too, never reads them, and asks for no scratch.
    let depthwise = dsp == nil ? ctx.kernels.vector?.depthwiseConv2D : nil
    let simd = depthwise.flatMap { depthwise in
      ctx.reservePackedKernel(
        packedBytes: depthwise.filterBytes(filterShape),
        scratchBytes: depthwise.run == nil
          ? 0
          : DepthwiseScratchLayout(
            DepthwiseGeometry(
              params, inputShape: inShape, filterShape: filterShape, outputShape: outShape)
          ).bytes)
    }
    guard let payload = ctx.commit(.depthwiseConv2D, DepthwiseConv2DOp.self), let multiplier,
      let shift
    else { return }
    ctx.populateMultipliers(
      inputScale: inputQ.scale, filter: filterQ, outputScale: outputScale,
      multiplier: multiplier, shift: shift, channels: channels)
    payload.initialize(
      to: DepthwiseConv2DOp(
        params: params, outputMultiplier: multiplier, outputShift: shift, inputShape: inShape,
        input: ctx.int8(input), filterShape: filterShape, filter: ctx.int8(filter),
        bias: ctx.optionalInt32(bias), outputShape: outShape, output: ctx.int8(output),
        packed: simd.flatMap { reservation in
          guard depthwise?.run != nil, let pack = depthwise?.pack, let memory = reservation.memory
          else { return nil }
          guard reservation.writes else { return UnsafeRawPointer(memory) }  // the host's
          return pack(
            params, filterShape, ctx.int8(filter), ctx.optionalInt32(bias), multiplier, shift,
            memory)
        }, scratch: simd?.scratch, vectorKernel: simd == nil ? nil : depthwise?.run))
    #if TINYCNN_DSP || !arch(arm)
      payload.pointee.dsp = dsp?.weights { memory in
        _ = DSPDepthwiseWeights(
          packing: ctx.int8(filter), filterShape: filterShape, bias: ctx.optionalInt32(bias),
          multiplier: multiplier, shift: shift, into: memory)
      }
    #endif
  }
}
