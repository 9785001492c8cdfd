/// A prepared FULLY_CONNECTED (TFLM's OpDataFullyConnected). Per-channel when the weights have
/// one scale per output (the converter's default), per-tensor otherwise. A constant record
/// (`ConstantRecords.swift`).
struct FullyConnectedOp {
  var params: FullyConnectedParams
  /// No multipliers or shifts for per-tensor weights.
  var operands: FilterOperands

  // Inlined in the interpreter's switch: the record is read in place, never copied.
  @inline(__always)
  func eval(_ at: RegionBases, _ kernels: KernelSet) {
    let o = operands
    let inputShape = o.inputShape.shape
    let filterShape = o.filterShape.shape
    let outputShape = o.outputShape.shape
    #if TINYCNN_DSP || !arch(arm)
      if o.kernel == KernelPath.dsp {
        return fullyConnectedInt8DSP(
          params, input: at.int8(o.input), outputShape: outputShape, output: at.int8(o.output),
          packed: packedFullyConnectedFilterDSP(
            at: at.address(o.packed), filterShape: filterShape),
          scratch: at.address(o.scratch))
      }
    #endif
    if o.kernel == KernelPath.vector {
      // The packing holds the requantisation; the output's shape is [1, 1, batches, outDepth].
      return kernels.vector.unsafelyUnwrapped.fullyConnected(
        params, at.address(o.packed), filterShape, outputShape.w, at.int8(o.input),
        at.int8(o.output), at.address(o.scratch))
    }
    if !o.outputMultiplier.isNone {
      fullyConnectedPerChannelInt8Reference(
        params, outputMultiplier: at.int32(o.outputMultiplier),
        outputShift: at.int32(o.outputShift), inputShape: inputShape, input: at.int8(o.input),
        filterShape: filterShape, filter: at.int8(o.filter), bias: at.optionalInt32(o.bias),
        outputShape: outputShape, output: at.int8(o.output))
    } else {
      fullyConnectedInt8Reference(
        params, inputShape: inputShape, input: at.int8(o.input), filterShape: filterShape,
        filter: at.int8(o.filter), bias: at.optionalInt32(o.bias), outputShape: outputShape,
        output: at.int8(o.output))
    }
  }
}

extension Interpreter {
  /// TFLM's FullyConnectedPrepare + CalculateOpDataFullyConnected (fully_connected_common.cc).
  @inline(never)
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
    guard let slot = try ctx.commitConstant(.fullyConnected, FullyConnectedOp.self) else {
      return
    }
    if let multiplier, let shift {
      ctx.populateMultipliers(
        inputScale: inputQ.scale, filter: filterQ, outputScale: outputScale,
        multiplier: multiplier, shift: shift, channels: outDepth)
    }
    var inputShape = Shape4(n: 1, h: 1, w: 1, c: 1)
    inputShape.c = input.elementCount  // the kernel only indexes the flat input
    var operands = try ctx.filterOperands(
      multiplier: multiplier, shift: shift, input: input, inputShape: inputShape, filter: filter,
      bias: bias, output: output, outputShape: Shape4(n: 1, h: 1, w: batches, c: outDepth))
    // The packings take the per-tensor multiplier as a one-element array.
    withUnsafePointer(to: params.outputMultiplier) { perTensorMultiplier in
      withUnsafePointer(to: params.outputShift) { perTensorShift in
        let m = UnsafePointer(multiplier) ?? perTensorMultiplier
        let s = UnsafePointer(shift) ?? perTensorShift
        if let simd, simd.writes, let memory = simd.memory, simd.scratch != nil {
          ctx.kernels.vector.unsafelyUnwrapped.packFullyConnectedFilter(
            filter.shape4, ctx.int8(filter), ctx.optionalInt32(bias), m, s, multiplier != nil,
            memory)
        }
        #if TINYCNN_DSP || !arch(arm)  // an Armv6-M build only reads the host's
          if let dsp, dsp.writes, let memory = dsp.memory, dsp.scratch != nil {
            _ = packFullyConnectedFilterDSP(
              filterShape: filter.shape4, filter: ctx.int8(filter),
              bias: ctx.optionalInt32(bias), outputMultiplier: m, outputShift: s,
              perChannel: multiplier != nil, into: memory)
          }
        #endif
      }
    }
    try ctx.route(&operands, KernelPath.vector, simd)
    try ctx.route(&operands, KernelPath.dsp, dsp)
    try ctx.emit(FullyConnectedOp(params: params, operands: operands), slot)
  }
}
