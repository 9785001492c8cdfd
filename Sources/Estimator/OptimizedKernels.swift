import Graph
import Runtime

// What TinyCNN's optimized kernels (`KernelSet.portable`) cost in memory and how their work is
// counted. The sizes are the Runtime's own functions (the ones its prepare calls), so a
// shape-only model is sized as the Interpreter would size the .tflite; the term counts follow
// the SIMD kernels' loop structure and are mirrored by bench/estimator/kernels/fit.py
// (`kernel_terms` for "tinycnn-optimized"), which fitted the cost files with them.

/// The plan-region bytes and scratch of one optimized CONV_2D or FULLY_CONNECTED.
struct PackedKernelSize: Equatable {
  /// The packed filter, bias and requantisation (`PackedInt8Weights`), 16-aligned as
  /// `reservePackedKernel` allocates it; lives in the plan region for the model's lifetime.
  var packedBytes: Int
  /// The padded int16 image or im2col rows (CONV_2D), the int16 input rows (FULLY_CONNECTED);
  /// alive while the operator runs, planned with the activations.
  var scratchBytes: Int
}

enum OptimizedKernels {
  /// Output channels per packed group: one SIMD8<Int32> accumulator.
  static let groupLanes = 8

  /// The packed layout of a microcontroller build: the portable vector set's.
  private static var portable: VectorKernels { KernelSet.portable.vector! }

  /// The packed filter and scratch the optimized prepare reserves for `layer`; nil when it
  /// keeps the reference kernel (grouped convolution, other operators).
  static func packing(for layer: LayerWork) -> PackedKernelSize? {
    switch layer.op {
    case .conv2D:
      guard let (p, input, filter, output) = convShapes(layer) else { return nil }
      guard
        portable.conv2DMethod(p, inputShape: input, filterShape: filter, outputShape: output)
          != .reference
      else { return nil }
      return PackedKernelSize(
        packedBytes: aligned16(portable.conv2DFilterBytes(filter)),
        scratchBytes: portable.conv2DScratchBytes(
          p, inputShape: input, filterShape: filter, outputShape: output))
    case .fullyConnected:
      let filter = fullyConnectedFilter(layer)
      return PackedKernelSize(
        packedBytes: aligned16(portable.fullyConnectedFilterBytes(filter)),
        scratchBytes: fullyConnectedInt8SIMDScratchBytes(filterShape: filter))
    default:
      return nil
    }
  }

  /// The term counts of `layer` on `path` for the optimized kernels (fit.py's kernel_terms with
  /// library "tinycnn-optimized"). `insideTaps` is the window taps inside the input.
  static func counts(_ layer: LayerWork, path: KernelPath, insideTaps: Double)
    -> [KernelTerm: Double]
  {
    let pixels = Double(layer.outputPixels)
    let groups = (layer.outputChannels + groupLanes - 1) / groupLanes
    let lanes = Double(groupLanes * groups)
    let kh = Double(layer.kernel.height)
    let kw = Double(layer.kernel.width)
    switch path {
    case .fullyConnected:
      // One int16 input row, then 1-pixel tiles over the groups; pairs past an odd depth and
      // lanes past the channels are multiplied too.
      let depth = fullyConnectedFilter(layer).c
      return [
        .call: 1, .packedMAC: Double(2 * ((depth + 1) / 2)) * lanes, .lane: lanes,
        .image: Double(depth),
      ]
    case .conv, .conv1x1, .conv1x1Strided:
      // Every tap is multiplied (the padded image holds the zeros); each filter row is a run
      // of kW * inC values padded to pairs.
      let pairs = Double((layer.kernel.width * layer.inputChannels + 1) / 2)
      var image = pixels * kh * 2 * pairs
      if let (p, input, filter, output) = convShapes(layer),
        case .paddedImage(let height, let width) = portable.conv2DMethod(
          p, inputShape: input, filterShape: filter, outputShape: output)
      {
        image = Double(height * width * input.c)
      }
      return [
        .call: 1, .packedMAC: pixels * kh * 2 * pairs * lanes, .lane: pixels * lanes,
        .row: pixels * kh * Double(groups), .pixel: pixels, .image: image,
      ]
    case .depthwise, .depthwise3x3:
      // Eight channels per vector; taps outside the input are skipped.
      return [
        .call: 1, .packedMAC: insideTaps * lanes, .lane: pixels * lanes, .pixel: pixels,
      ]
    case .averagePool, .maxPool:
      // Channels in vectors of 16 (max) or 8 (average: int32 sums).
      let step = path == .maxPool ? 16 : 8
      let blocks = Double((layer.outputChannels + step - 1) / step)
      var positions = pixels * kh * kw
      var outPixels = pixels
      if layer.op == .mean {  // MEAN over H x W: one window covering the input
        positions = Double(layer.inputCount / max(1, layer.inputChannels))
        outPixels = 1
      }
      return [
        .call: 1, .windowStep: positions * blocks, .tap: positions,
        .lane: outPixels * blocks * Double(step), .output: Double(layer.outputCount),
      ]
    case .add, .softmax:
      return [.call: 1, .element: Double(layer.outputCount)]
    }
  }

  /// CONV_2D's parameters and shapes as the Runtime's prepare passes them (batch 1); nil when
  /// the layer's shapes are not an image (or it is grouped: the reference kernel runs).
  static func convShapes(_ layer: LayerWork) -> (ConvParams, Shape4, Shape4, Shape4)? {
    guard let inShape = layer.inputShapes.first, inShape.count == 3,
      layer.outputShape.count == 3
    else { return nil }
    let filterDepth =
      layer.weightCount > 0
      ? layer.weightCount / max(1, layer.outputChannels * layer.kernel.height * layer.kernel.width)
      : inShape[2]
    guard filterDepth == inShape[2] else { return nil }
    let pad = { (input: Int, output: Int, kernel: Int, stride: Int, dilation: Int) -> Int in
      max((output - 1) * stride + dilation * (kernel - 1) + 1 - input, 0) / 2
    }
    let p = ConvParams(
      paddingValues: PaddingValues(
        width: pad(
          inShape[1], layer.outputShape[1], layer.kernel.width, layer.stride.width,
          layer.dilation.width),
        height: pad(
          inShape[0], layer.outputShape[0], layer.kernel.height, layer.stride.height,
          layer.dilation.height)),
      strideWidth: layer.stride.width, strideHeight: layer.stride.height,
      dilationWidthFactor: layer.dilation.width, dilationHeightFactor: layer.dilation.height)
    return (
      p, Shape4(n: 1, h: inShape[0], w: inShape[1], c: inShape[2]),
      Shape4(n: layer.outputChannels, h: layer.kernel.height, w: layer.kernel.width, c: inShape[2]),
      Shape4(n: 1, h: layer.outputShape[0], w: layer.outputShape[1], c: layer.outputChannels)
    )
  }

  /// FULLY_CONNECTED's filter `[outDepth, accumDepth]` as the Runtime's prepare sees it.
  static func fullyConnectedFilter(_ layer: LayerWork) -> Shape4 {
    let outDepth = max(1, layer.outputChannels)
    let depth = layer.weightCount > 0 ? layer.weightCount / outDepth : layer.macs / outDepth
    return Shape4(n: 1, h: 1, w: outDepth, c: depth)
  }

  static func aligned16(_ n: Int) -> Int { (n + 15) / 16 * 16 }
}
