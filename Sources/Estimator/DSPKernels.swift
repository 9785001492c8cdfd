import Runtime

// How the work of TinyCNN's DSP kernels (`KernelSet.dsp`, Sources/Runtime/Kernels/CortexM) is
// counted, following their loop structure; bench/estimator/firmware/fit_dsp.py mirrors it
// (`terms`) and fitted the cost files' "tinycnn-dsp" paths with it on `tinycnn firmware --count`
// measurements. The pooling, MEAN and SOFTMAX paths run the optimized set's kernels and are
// counted as `OptimizedKernels` counts them.
enum DSPKernels {
  /// The term counts of `layer` on `path`; `insideTaps` is the window taps inside the input.
  static func counts(_ layer: LayerWork, path: KernelPath, insideTaps: Double)
    -> [KernelTerm: Double]
  {
    let pixels = Double(layer.outputPixels)
    switch path {
    case .conv, .conv1x1, .conv1x1Strided:
      // Blocks of 4 output pixels (the last one padded), each block's 4 im2col columns widened
      // four values at a time in quad order (`im2col`), else one at a time (`image`), then
      // 2 channels x 4 pixels per SMLAD pair over the padded depth.
      let filter = Shape4(
        n: layer.outputChannels, h: layer.kernel.height, w: layer.kernel.width,
        c: layer.inputChannels)
      let depth = filter.h * filter.w * conv2DInt8DSPTapLength(filterShape: filter)
      let columns = Double((layer.outputPixels + 3) / 4 * 4)
      let lanes = Double((layer.outputChannels + 1) / 2 * 2)
      let widened = columns * Double(depth)
      let quad = conv2DInt8DSPQuadOrder(filterShape: filter)
      return [
        .call: 1, .packedMAC: columns * lanes * Double(2 * DSPPackedWeights.pairs(depth: depth)),
        .im2col: quad ? widened : 0, .image: quad ? 0 : widened,
        .lane: pixels * Double(layer.outputChannels), .pixel: pixels,
      ]
    case .fullyConnected:
      // The input row widened once, then 4 channels x 1 row over the padded depth.
      let depth = layer.outputChannels > 0 ? layer.macs / layer.outputChannels : 0
      let lanes = Double((layer.outputChannels + 3) / 4 * 4)
      return [
        .call: 1, .packedMAC: lanes * Double(2 * DSPPackedWeights.pairs(depth: depth)),
        .image: Double(depth), .lane: Double(layer.outputChannels),
      ]
    case .depthwise, .depthwise3x3:
      // 4 channels per input word over the taps inside the input (the other shapes run the
      // optimized kernel: counted alike, the fit saw none of them).
      return [
        .call: 1, .mac: insideTaps * Double(layer.outputChannels),
        .output: Double(layer.outputCount), .pixel: pixels,
      ]
    case .add:
      return [.call: 1, .element: Double(layer.outputCount)]
    case .averagePool, .maxPool, .softmax:
      return OptimizedKernels.counts(layer, path: path, insideTaps: insideTaps)
    }
  }
}
