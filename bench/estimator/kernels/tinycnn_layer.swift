// One operator through TinyCNN's own int8 kernels (Sources/Runtime/Kernels), built with Embedded
// Swift into the same module as the Runtime, as the firmware would: build_tinycnn.sh.
import Harness

@_cdecl("library_prepare")
func libraryPrepare(_ l: UnsafePointer<layer_t>, _ d: UnsafeMutablePointer<layer_data_t>) {
  d.pointee.scratch_bytes = 0
}

@_cdecl("library_run")
func libraryRun(_ lp: UnsafePointer<layer_t>, _ dp: UnsafePointer<layer_data_t>) {
  let l = lp.pointee
  let d = dp.pointee
  let input = Shape4(n: 1, h: Int(l.in_h), w: Int(l.in_w), c: Int(l.in_c))
  let output = Shape4(n: 1, h: Int(l.out_h), w: Int(l.out_w), c: Int(l.out_c))
  let padding = PaddingValues(width: Int(l.pad_w), height: Int(l.pad_h))
  switch Int32(l.kind) {
  case Int32(L_CONV):
    let p = ConvParams(
      paddingValues: padding, strideWidth: Int(l.s_w), strideHeight: Int(l.s_h),
      inputOffset: d.input_offset, outputOffset: d.output_offset,
      quantizedActivationMin: d.act_min, quantizedActivationMax: d.act_max)
    conv2DPerChannelInt8Reference(
      p, outputMultiplier: d.multiplier, outputShift: d.shift, inputShape: input,
      input: d.input,
      filterShape: Shape4(n: Int(l.out_c), h: Int(l.k_h), w: Int(l.k_w), c: Int(l.in_c)),
      filter: d.filter, bias: d.bias, outputShape: output, output: d.output)
  case Int32(L_DWCONV):
    let p = DepthwiseParams(
      paddingValues: padding, strideWidth: Int(l.s_w), strideHeight: Int(l.s_h),
      depthMultiplier: Int(l.out_c / l.in_c), inputOffset: d.input_offset,
      outputOffset: d.output_offset, quantizedActivationMin: d.act_min,
      quantizedActivationMax: d.act_max)
    depthwiseConv2DPerChannelInt8Reference(
      p, outputMultiplier: d.multiplier, outputShift: d.shift, inputShape: input,
      input: d.input, filterShape: Shape4(n: 1, h: Int(l.k_h), w: Int(l.k_w), c: Int(l.out_c)),
      filter: d.filter, bias: d.bias, outputShape: output, output: d.output)
  case Int32(L_FC):
    let depth = Int(l.in_h) * Int(l.in_w) * Int(l.in_c)
    let p = FullyConnectedParams(
      inputOffset: d.input_offset, outputOffset: d.output_offset,
      outputMultiplier: d.multiplier[0], outputShift: d.shift[0],
      quantizedActivationMin: d.act_min, quantizedActivationMax: d.act_max)
    fullyConnectedInt8Reference(
      p, inputShape: Shape4(n: 1, h: 1, w: 1, c: depth), input: d.input,
      filterShape: Shape4(n: 1, h: 1, w: Int(l.out_c), c: depth), filter: d.filter,
      bias: d.bias, outputShape: Shape4(n: 1, h: 1, w: 1, c: Int(l.out_c)), output: d.output)
  case Int32(L_AVGPOOL), Int32(L_MAXPOOL):
    let p = PoolParams(
      paddingValues: padding, strideHeight: Int(l.s_h), strideWidth: Int(l.s_w),
      filterHeight: Int(l.k_h), filterWidth: Int(l.k_w),
      quantizedActivationMin: d.act_min, quantizedActivationMax: d.act_max)
    if Int32(l.kind) == Int32(L_AVGPOOL) {
      _ = averagePool2DInt8Reference(
        p, inputShape: input, input: d.input, outputShape: output, output: d.output)
    } else {
      maxPool2DInt8Reference(
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
    addInt8Reference(p, input1: d.input, input2: d.input2, output: d.output)
  default:
    let p = SoftmaxParams(
      inputMultiplier: 1_073_741_824, inputLeftShift: 23, diffMin: -248, outerSize: 1,
      depth: Int(l.out_c))
    softmaxInt8Reference(p, input: d.input, output: d.output)
  }
}
