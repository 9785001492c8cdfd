// One operator through TinyCNN's optimized int8 kernels (`KernelSet.portable`: the `*Int8SIMD`
// kernels of Sources/Runtime/Kernels), built with Embedded Swift into the same module as the
// Runtime, as the firmware would: build_tinycnn.sh CPU OUT ROOT -Osize optimized.
//
// library_prepare does what the Interpreter's prepare does for the optimized kernels
// (Interpreter/KernelSet.swift, Ops/Conv2DOp.swift, Ops/FullyConnectedOp.swift,
// Ops/DepthwiseConv2DOp.swift): it packs the CONV_2D, FULLY_CONNECTED and DEPTHWISE_CONV_2D
// filters, with bias and multipliers, into RAM (the arena's plan region on a board; here the
// harness's scratch buffer) and reserves the kernel's scratch after them. The packing is outside the measured region, as it is outside Invoke. The kernels
// then read their weights from RAM, not from the "flash" region: the profile's flash bytes are
// zero for them, as on the board.
import Harness

/// The packed filter and scratch of the layer being run (one layer at a time).
nonisolated(unsafe) var packedWeights: PackedInt8Weights? = nil
nonisolated(unsafe) var packedScratch: UnsafeMutableRawPointer? = nil
/// FULLY_CONNECTED's packing (this set's layout).
nonisolated(unsafe) var packedFullyConnected: UnsafeRawPointer? = nil
/// DEPTHWISE_CONV_2D's packing (its header) and scratch.
nonisolated(unsafe) var packedDepthwise: UnsafeRawPointer? = nil

private func aligned16(_ n: Int) -> Int { (n + 15) / 16 * 16 }

private func shapes(_ l: layer_t) -> (input: Shape4, output: Shape4, padding: PaddingValues) {
  (
    Shape4(n: 1, h: Int(l.in_h), w: Int(l.in_w), c: Int(l.in_c)),
    Shape4(n: 1, h: Int(l.out_h), w: Int(l.out_w), c: Int(l.out_c)),
    PaddingValues(width: Int(l.pad_w), height: Int(l.pad_h))
  )
}

private func convParams(_ l: layer_t, _ d: layer_data_t) -> ConvParams {
  ConvParams(
    paddingValues: shapes(l).padding, strideWidth: Int(l.s_w), strideHeight: Int(l.s_h),
    inputOffset: d.input_offset, outputOffset: d.output_offset,
    quantizedActivationMin: d.act_min, quantizedActivationMax: d.act_max)
}

private func fullyConnectedParams(_ d: layer_data_t) -> FullyConnectedParams {
  FullyConnectedParams(
    inputOffset: d.input_offset, outputOffset: d.output_offset,
    outputMultiplier: d.multiplier[0], outputShift: d.shift[0],
    quantizedActivationMin: d.act_min, quantizedActivationMax: d.act_max)
}

private func convFilterShape(_ l: layer_t) -> Shape4 {
  Shape4(n: Int(l.out_c), h: Int(l.k_h), w: Int(l.k_w), c: Int(l.in_c))
}

/// FULLY_CONNECTED's filter as the Interpreter passes it (`[outDepth, accumDepth]`).
private func fullyConnectedFilterShape(_ l: layer_t) -> Shape4 {
  Shape4(n: 1, h: 1, w: Int(l.out_c), c: Int(l.in_h) * Int(l.in_w) * Int(l.in_c))
}

@_cdecl("library_prepare")
func libraryPrepare(_ lp: UnsafePointer<layer_t>, _ dp: UnsafeMutablePointer<layer_data_t>) {
  let l = lp.pointee
  let d = dp.pointee
  packedWeights = nil
  packedScratch = nil
  packedFullyConnected = nil
  packedDepthwise = nil
  dp.pointee.scratch_bytes = 0
  let memory = d.scratch!
  switch Int32(l.kind) {
  case Int32(L_CONV):
    let (input, output, _) = shapes(l)
    let p = convParams(l, d)
    let filterShape = convFilterShape(l)
    let method = conv2DInt8SIMDMethod(
      p, inputShape: input, filterShape: filterShape, outputShape: output)
    guard method != .reference else { return }
    let packedBytes = aligned16(packedConv2DFilterBytes(filterShape: filterShape))
    let scratchBytes = conv2DInt8SIMDScratchBytes(
      p, inputShape: input, filterShape: filterShape, outputShape: output)
    dp.pointee.scratch_bytes = Int32(packedBytes + scratchBytes)
    packedWeights = packConv2DFilter(
      filterShape: filterShape, filter: d.filter, bias: d.bias, outputMultiplier: d.multiplier,
      outputShift: d.shift, into: memory)
    packedScratch = memory + packedBytes
  case Int32(L_FC):
    let filterShape = fullyConnectedFilterShape(l)
    let packedBytes = aligned16(packedFullyConnectedFilterBytes(filterShape: filterShape))
    let scratchBytes = fullyConnectedInt8SIMDScratchBytes(filterShape: filterShape)
    dp.pointee.scratch_bytes = Int32(packedBytes + scratchBytes)
    // Per-tensor weights, as the C libraries' runs and models/lenet5-int8.tflite have them.
    packFullyConnectedFilter(
      filterShape: filterShape, filter: d.filter, bias: d.bias, outputMultiplier: d.multiplier,
      outputShift: d.shift, perChannel: false, into: memory)
    packedFullyConnected = UnsafeRawPointer(memory)
    packedScratch = memory + packedBytes
  case Int32(L_DWCONV):
    let (input, output, _) = shapes(l)
    let filterShape = depthwiseFilterShape(l)
    let p = depthwiseParams(l, d)
    let packedBytes = aligned16(
      PackedDepthwiseWeights.bytes(
        filterShape: filterShape, accumulators: depthwiseAccumulators,
        foldedVectors: depthwiseFoldedVectors))
    let scratchBytes = DepthwiseScratchLayout(
      DepthwiseGeometry(p, inputShape: input, filterShape: filterShape, outputShape: output)
    ).bytes
    dp.pointee.scratch_bytes = Int32(packedBytes + scratchBytes)
    packedDepthwise = packDepthwiseWeights(
      p, filterShape: filterShape, filter: d.filter, bias: d.bias,
      outputMultiplier: d.multiplier, outputShift: d.shift, into: memory)
    packedScratch = memory + packedBytes
  default:
    break
  }
}

private func depthwiseFilterShape(_ l: layer_t) -> Shape4 {
  Shape4(n: 1, h: Int(l.k_h), w: Int(l.k_w), c: Int(l.out_c))
}

private func depthwiseParams(_ l: layer_t, _ d: layer_data_t) -> DepthwiseParams {
  DepthwiseParams(
    paddingValues: shapes(l).padding, strideWidth: Int(l.s_w), strideHeight: Int(l.s_h),
    depthMultiplier: Int(l.out_c / l.in_c), inputOffset: d.input_offset,
    outputOffset: d.output_offset, quantizedActivationMin: d.act_min,
    quantizedActivationMax: d.act_max)
}

@_cdecl("library_run")
func libraryRun(_ lp: UnsafePointer<layer_t>, _ dp: UnsafePointer<layer_data_t>) {
  let l = lp.pointee
  let d = dp.pointee
  let (input, output, padding) = shapes(l)
  switch Int32(l.kind) {
  case Int32(L_CONV):
    conv2DPerChannelInt8SIMD(
      convParams(l, d), outputMultiplier: d.multiplier, outputShift: d.shift,
      inputShape: input, input: d.input, filterShape: convFilterShape(l), filter: d.filter,
      bias: d.bias, outputShape: output, output: d.output, packed: packedWeights,
      scratch: packedScratch)
  case Int32(L_DWCONV):
    guard let packedDepthwise, let packedScratch else { return }
    runDepthwiseConv2DSIMD(
      depthwiseParams(l, d), packed: packedDepthwise, scratch: packedScratch,
      inputShape: input, input: d.input, filterShape: depthwiseFilterShape(l),
      outputShape: output, output: d.output)
  case Int32(L_FC):
    guard let packedFullyConnected, let packedScratch else { return }
    fullyConnectedInt8SIMD(
      fullyConnectedParams(d), packed: packedFullyConnected,
      filterShape: fullyConnectedFilterShape(l), batches: 1, input: d.input, output: d.output,
      scratch: packedScratch)
  case Int32(L_AVGPOOL), Int32(L_MAXPOOL):
    let p = PoolParams(
      paddingValues: padding, strideHeight: Int(l.s_h), strideWidth: Int(l.s_w),
      filterHeight: Int(l.k_h), filterWidth: Int(l.k_w),
      quantizedActivationMin: d.act_min, quantizedActivationMax: d.act_max)
    if Int32(l.kind) == Int32(L_AVGPOOL) {
      _ = averagePool2DInt8SIMD(
        p, inputShape: input, input: d.input, outputShape: output, output: d.output)
    } else {
      maxPool2DInt8SIMD(
        p, inputShape: input, input: d.input, outputShape: output, output: d.output)
    }
  case Int32(L_ADD):
    // The same constants as the C libraries' runs (TFLM's Prepare for equal input scales).
    let p = AddParams(
      leftShift: 20, input1Offset: 128, input2Offset: 128, input1Multiplier: 1_518_500_250,
      input1Shift: -1, input2Multiplier: 1_518_500_250, input2Shift: -1,
      outputOffset: d.output_offset, outputMultiplier: 1_073_741_824, outputShift: -19,
      quantizedActivationMin: d.act_min, quantizedActivationMax: d.act_max,
      input1Shape: output, input2Shape: output, outputShape: output, requiresBroadcast: false)
    addInt8SIMD(p, input1: d.input, input2: d.input2, output: d.output)
  default:
    // SOFTMAX has no optimized kernel: every vector KernelSet runs the reference one.
    let p = SoftmaxParams(
      inputMultiplier: 1_073_741_824, inputLeftShift: 23, diffMin: -248, outerSize: 1,
      depth: Int(l.out_c))
    softmaxInt8Reference(p, input: d.input, output: d.output)
  }
}
