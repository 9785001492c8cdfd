/// A prepared FULLY_CONNECTED (TFLM's OpDataFullyConnected). Per-channel when the weights have
/// one scale per output (the converter's default), per-tensor otherwise.
struct FullyConnectedOp {
  var params: FullyConnectedParams
  /// Per-channel multipliers and shifts `[outDepth]`; nil for per-tensor weights.
  var outputMultiplier: UnsafeMutablePointer<Int32>?
  var outputShift: UnsafeMutablePointer<Int32>?
  var inputShape: Shape4
  var input: UnsafePointer<Int8>
  var filterShape: Shape4
  var filter: UnsafePointer<Int8>
  var bias: UnsafePointer<Int32>?
  var outputShape: Shape4
  var output: UnsafeMutablePointer<Int8>
  /// The packed filter and scratch of a vector set's kernel, and that kernel for per-channel or
  /// per-tensor weights (resolved at prepare, so that a call reads no table); nil for the
  /// reference one.
  var packed: PackedKernel? = nil
  var perChannelKernel: FullyConnectedPerChannelKernel? = nil
  var perTensorKernel: FullyConnectedPerTensorKernel? = nil
  #if TINYCNN_DSP || !arch(arm)  // an Armv6-M build never has one: its records stay small
    /// The DSP set's packed filter (per-tensor multipliers repeated per channel) and scratch.
    var dsp: DSPKernel? = nil
  #endif

  // Inlined in the interpreter's switch, the record (with closures) is not copied.
  @inline(__always)
  func eval() {
    #if TINYCNN_DSP || !arch(arm)
      if let dsp {
        return fullyConnectedInt8DSP(
          params, input: input, outputShape: outputShape, output: output,
          packed: packedFullyConnectedFilterDSP(at: dsp.weights, filterShape: filterShape),
          scratch: dsp.scratch)
      }
    #endif
    if let packed, let perChannelKernel, let outputMultiplier, let outputShift {
      return perChannelKernel(
        params, outputMultiplier, outputShift, inputShape, input, filterShape, filter, bias,
        outputShape, output, packed.weights, packed.scratch)
    }
    if let packed, let perTensorKernel {
      return perTensorKernel(
        params, inputShape, input, filterShape, filter, bias, outputShape, output,
        packed.weights, packed.scratch)
    }
    if let outputMultiplier, let outputShift {
      fullyConnectedPerChannelInt8Reference(
        params, outputMultiplier: outputMultiplier, outputShift: outputShift,
        inputShape: inputShape, input: input, filterShape: filterShape, filter: filter,
        bias: bias, outputShape: outputShape, output: output)
    } else {
      fullyConnectedInt8Reference(
        params, inputShape: inputShape, input: input, filterShape: filterShape, filter: filter,
        bias: bias, outputShape: outputShape, output: output)
    }
  }
}

extension Interpreter {
  /// TFLM's FullyConnectedPrepare + CalculateOpDataFullyConnected (fully_connected_common.cc).
  static func prepareFullyConnected(_ op: Operator, _ ctx: inout PrepareContext)
    throws(RuntimeError)
  {
    try ctx.requireInputs(op, 2...3)
    try ctx.requireOutputs(op, 1)
    let options = try op.fullyConnectedOptions()
    let input = try ctx.input(op, 0)
    let filter = try ctx.input(op, 1)
    let bias = try ctx.optionalInput(op, 2)
    let output = try ctx.output(op, 0)
    try ctx.requireType(op, input, .int8)
    try ctx.requireType(op, output, .int8)
    try ctx.requireType(op, filter, .int8)
    if let bias { try ctx.requireType(op, bias, .int32) }
    // The kernel's shapes: weights [outDepth, accumDepth]; output [..., outDepth] with the flat
    // size over outDepth as the batch count; the input is read as batches * accumDepth values.
    try ctx.requireRank(op, filter, 2...2)
    try ctx.requireRank(op, input, 1...4)
    try ctx.requireRank(op, output, 1...4)
    let outDepth = filter.dim(0)
    let accumDepth = filter.dim(1)
    try ctx.requireShape(op, output, output.dim(output.rank - 1) == outDepth && outDepth > 0)
    let batches = output.elementCount / outDepth
    try ctx.requireShape(op, input, input.elementCount == batches * accumDepth)
    if let bias { try ctx.requireShape(op, bias, bias.elementCount == outDepth) }

    let inputQ = try ctx.quantization(op, input)
    let filterQ = try ctx.quantization(op, filter)
    let outputScale = try ctx.outputScale(op, output)
    let outputZeroPoint = try ctx.quantization(op, output).zeroPoint
    let range = try ctx.kernelCheck(op) { () throws(KernelError) in
      try calculateActivationRangeQuantized(
        options.activation, outputScale: outputScale, outputZeroPoint: outputZeroPoint)
    }
    var params = FullyConnectedParams(
      inputOffset: -inputQ.zeroPoint, weightsOffset: -filterQ.zeroPoint,
      outputOffset: outputZeroPoint, quantizedActivationMin: range.min,
      quantizedActivationMax: range.max)

    var multiplier: UnsafeMutablePointer<Int32>? = nil
    var shift: UnsafeMutablePointer<Int32>? = nil
    if filterQ.isPerChannel {
      // TFLM: scale->size == filter->dims->data[quantized_dimension]; the kernel then reads one
      // multiplier per output, so the scales must run along the outputs.
      guard filterQ.scaleCount == outDepth, filter.dim(filterQ.quantizedDimension) == outDepth
      else { throw .unsupportedQuantization(operator: op.index, tensor: filter.index) }
      multiplier = ctx.constants.allocate(Int32.self, count: outDepth)
      shift = ctx.constants.allocate(Int32.self, count: outDepth)
    } else {
      // GetQuantizedConvolutionMultipler: the bias scale must be close to input * filter scale
      // (|diff| / output_scale <= 0.02); a bias without quantisation has scale 0 there.
      let productScale = Double(inputQ.scale) * Double(filterQ.scale)
      if let bias {
        let biasScale = Double(bias.quantization?.scale ?? 0)
        let difference =
          productScale > biasScale ? productScale - biasScale : biasScale - productScale
        guard difference / Double(outputScale) <= 0.02 else {
          throw .unsupportedQuantization(operator: op.index, tensor: bias.index)
        }
      }
      let (m, s) = convolutionChannelMultiplier(
        inputScale: inputQ.scale, filterScale: filterQ.scale, outputScale: outputScale)
      params.outputMultiplier = m
      params.outputShift = s
    }
    let simd = ctx.reserveFullyConnectedSIMD(
      params, filterShape: filter.shape4, batches: batches)
    let dsp = ctx.reserveFullyConnectedDSP(params, filterShape: filter.shape4)
    guard let payload = ctx.commit(.fullyConnected, FullyConnectedOp.self) else { return }
    if let multiplier, let shift {
      ctx.populateMultipliers(
        inputScale: inputQ.scale, filter: filterQ, outputScale: outputScale,
        multiplier: multiplier, shift: shift, channels: outDepth)
    }
    var inputShape = Shape4(n: 1, h: 1, w: 1, c: 1)
    inputShape.c = input.elementCount  // the kernel only indexes the flat input
    payload.initialize(
      to: FullyConnectedOp(
        params: params, outputMultiplier: multiplier, outputShift: shift, inputShape: inputShape,
        input: ctx.int8(input), filterShape: filter.shape4, filter: ctx.int8(filter),
        bias: ctx.optionalInt32(bias), outputShape: Shape4(n: 1, h: 1, w: batches, c: outDepth),
        output: ctx.int8(output),
        packed: simd?.pack(
          { memory in
            withUnsafePointer(to: params.outputMultiplier) { perTensorMultiplier in
              withUnsafePointer(to: params.outputShift) { perTensorShift in
                ctx.kernels.vector!.packFullyConnectedFilter(
                  filter.shape4, ctx.int8(filter), ctx.optionalInt32(bias),
                  UnsafePointer(multiplier) ?? perTensorMultiplier,
                  UnsafePointer(shift) ?? perTensorShift, multiplier != nil, memory)
              }
            }
          }, packed: { packedFullyConnectedFilter(at: $0, filterShape: filter.shape4) }),
        perChannelKernel: simd == nil ? nil : ctx.kernels.vector?.fullyConnectedPerChannel,
        perTensorKernel: simd == nil ? nil : ctx.kernels.vector?.fullyConnectedPerTensor))
    #if TINYCNN_DSP || !arch(arm)
      payload.pointee.dsp = dsp?.pack { memory in
        _ = withUnsafePointer(to: params.outputMultiplier) { perTensorMultiplier in
          withUnsafePointer(to: params.outputShift) { perTensorShift in
            packFullyConnectedFilterDSP(
              filterShape: filter.shape4, filter: ctx.int8(filter),
              bias: ctx.optionalInt32(bias),
              outputMultiplier: UnsafePointer(multiplier) ?? perTensorMultiplier,
              outputShift: UnsafePointer(shift) ?? perTensorShift,
              perChannel: multiplier != nil, into: memory)
          }
        }
      }
    #endif
  }
}
