import Graph

/// The kernel a library runs an operator with: CMSIS-NN's wrappers pick a 1x1, a 3x3-depthwise
/// or a general (im2col + mat-mult) path from the layer's shape; TFLM's reference kernels and
/// TinyCNN's have one loop nest per operator kind. Each path has its own measured cost per
/// `KernelTerm` (Data/cores/*.json, fitted by bench/estimator/kernels/fit.py, which picks paths
/// and computes terms exactly as this file does).
public enum KernelPath: String, CaseIterable, Sendable {
  /// im2col of two output pixels, then a 2x2 mat-mult tile (arm_convolve_s8).
  case conv
  /// 1x1, stride 1: the input is already the im2col matrix (arm_convolve_1x1_s8_fast).
  case conv1x1 = "conv_1x1"
  /// 1x1 with a stride: one mat-mult per output row (arm_convolve_1x1_s8).
  case conv1x1Strided = "conv_1x1_strided"
  /// 3x3 depthwise, padding <= 1, read in place (arm_depthwise_conv_3x3_s8; not on Helium).
  case depthwise3x3 = "depthwise_3x3"
  /// Any other depthwise convolution (arm_depthwise_conv_s8_opt / the reference loop nest).
  case depthwise
  case fullyConnected = "fully_connected"
  case averagePool = "average_pool"
  case maxPool = "max_pool"
  case add
  case softmax

  /// The path to use when a library has no kernel of this path's own (TFLM's reference
  /// kernels run a 1x1 convolution with the general loop nest).
  var fallback: KernelPath? {
    switch self {
    case .conv1x1Strided: .conv1x1
    case .conv1x1: .conv
    case .depthwise3x3: .depthwise
    default: nil
    }
  }

  /// The most specific path for a layer, before falling back to what a library has. `nil` for
  /// operators costed as a copy (concatenation, pad, quantize...) or free (reshape).
  static func preferred(for layer: LayerWork) -> KernelPath? {
    switch layer.op {
    case .conv2D, .transposeConv:
      // TFLite gives a 1x1 convolution zero padding at any stride (SAME and VALID agree).
      guard layer.op == .conv2D, layer.kernel == Size2(1), layer.dilation == Size2(1) else {
        return .conv
      }
      return layer.stride == Size2(1) ? .conv1x1 : .conv1x1Strided
    case .depthwiseConv2D:
      // A 3x3 window under SAME or VALID padding never pads more than 1 on a side.
      let sameDepth = layer.outputChannels == layer.inputChannels
      return layer.kernel == Size2(3) && layer.dilation == Size2(1) && sameDepth
        ? .depthwise3x3 : .depthwise
    case .fullyConnected: return .fullyConnected
    case .averagePool2D, .mean: return .averagePool
    case .maxPool2D: return .maxPool
    case .add: return .add
    case .softmax, .logistic: return .softmax
    default: return nil  // RESHAPE, CONCATENATION, PAD, QUANTIZE, DEQUANTIZE, any other
    }
  }
}

/// What a kernel's cost is counted in. Every term is a count of one inference.
public enum KernelTerm: String, CaseIterable, Sendable {
  /// One kernel call (setup, loop entry).
  case call
  /// Multiply-accumulates of window taps inside the input.
  case mac
  /// Multiply-accumulates of taps on the padding: the reference loop nests skip them (after a
  /// bounds check), CMSIS-NN's im2col multiplies its zeros.
  case paddedMAC = "padded_mac"
  /// MACs left over when the reduction depth is not a multiple of the SIMD step (4 values with
  /// the DSP extension's SMLAD, 16 with Helium).
  case tailMAC = "tail_mac"
  /// Requantised outputs (bias, multiplier, shift, clamp, store).
  case output
  /// Output pixels (per-pixel address and padding work).
  case pixel
  /// Values copied into an im2col buffer (and widened to int16 on DSP cores).
  case im2col
  /// Patch rows copied into an im2col buffer (one copy call each).
  case row
  /// Values a pooling window reads.
  case window
  /// Full SIMD steps over the channels at each window position of a pooling layer (4 channels
  /// per step with the DSP extension, 16 with Helium).
  case windowStep = "window_step"
  /// Channels left over past the full steps, at each window position.
  case windowTail = "window_tail"
  /// Window positions: per output pixel and filter tap.
  case tap
  /// Elements of an element-wise operator (ADD, SOFTMAX, LOGISTIC).
  case element
  /// TinyCNN's optimized kernels: multiply-accumulates in 8-channel vectors, lanes past the
  /// channels and pair padding included (the packed GEMM also multiplies padded taps).
  case packedMAC = "packed_mac"
  /// TinyCNN's optimized kernels: output vector lanes (requantised, or a pooling block's).
  case lane
  /// TinyCNN's optimized kernels: activations converted to int16 (the padded image, im2col
  /// rows, a fully connected input row).
  case image

  /// Window taps inside the input along one axis, summed over the outputs, with TFLite's
  /// padding (total = max((out - 1) * stride + kernel - in, 0), the smaller half before; 0 for
  /// VALID). fit.py's `inside`.
  static func insideTaps(input: Int, output: Int, kernel: Int, stride: Int, dilation: Int)
    -> Int
  {
    let span = dilation * (kernel - 1) + 1
    let pad = max((output - 1) * stride + span - input, 0) / 2
    var taps = 0
    for o in 0..<output {
      for t in 0..<kernel where (0..<input).contains(o * stride - pad + t * dilation) {
        taps += 1
      }
    }
    return taps
  }

  /// The terms of one layer on one path: the same definitions as fit.py's kernel_terms (which
  /// the cost files were fitted with). A path's cost file gives coefficients for the terms its
  /// library's loop structure pays; the others count nothing.
  static func counts(
    _ layer: LayerWork, path: KernelPath, simdStep: Int = 4, library: KernelLibrary = .tinycnn
  ) -> [KernelTerm: Double] {
    let pixels = Double(layer.outputPixels)
    let outputs = Double(layer.outputCount)
    let kh = Double(layer.kernel.height)
    let kw = Double(layer.kernel.width)
    // Taps inside the input, out of the pixels x kH x kW the window visits.
    var taps = pixels * kh * kw
    if layer.op == .conv2D || layer.op == .depthwiseConv2D, layer.inputShapes.first?.count == 3,
      layer.outputShape.count == 3
    {
      let input = layer.inputShapes[0]
      taps = Double(
        insideTaps(
          input: input[0], output: layer.outputShape[0], kernel: layer.kernel.height,
          stride: layer.stride.height, dilation: layer.dilation.height)
          * insideTaps(
            input: input[1], output: layer.outputShape[1], kernel: layer.kernel.width,
            stride: layer.stride.width, dilation: layer.dilation.width))
    }
    let padded = pixels * kh * kw - taps
    if library == .tinycnnOptimized {
      return OptimizedKernels.counts(layer, path: path, insideTaps: taps)
    }
    if library == .tinycnnDSP {
      return DSPKernels.counts(layer, path: path, insideTaps: taps)
    }
    switch path {
    case .fullyConnected:
      let depth = layer.outputChannels > 0 ? layer.macs / max(1, layer.outputChannels) : 0
      return [
        .call: 1, .mac: Double(layer.macs), .output: Double(layer.outputChannels),
        .tailMAC: Double(layer.outputChannels * (depth % simdStep)),
      ]
    case .conv, .conv1x1, .conv1x1Strided:
      let depth = layer.kernel.height * layer.kernel.width * layer.inputChannels
      let perTap = Double(layer.inputChannels * layer.outputChannels)
      return [
        .call: 1, .mac: taps * perTap, .paddedMAC: padded * perTap, .output: outputs,
        .pixel: pixels, .tailMAC: outputs * Double(depth % simdStep),
        .im2col: pixels * Double(depth),
        .row: pixels * kh, .tap: outputs * kh * kw,
      ]
    case .depthwise, .depthwise3x3:
      let perTap = Double(layer.outputChannels)
      return [
        .call: 1, .mac: taps * perTap, .paddedMAC: padded * perTap, .output: outputs,
        .pixel: pixels,
      ]
    case .averagePool, .maxPool:
      let steps = Double(layer.outputChannels / simdStep)
      let tail = Double(layer.outputChannels % simdStep)
      if layer.op == .mean {  // MEAN over H x W: one window covering the input
        let input = Double(layer.inputCount)
        let positions = input / Double(max(1, layer.inputChannels))
        return [
          .call: 1, .window: input, .windowStep: positions * steps, .windowTail: positions * tail,
          .tap: positions, .output: outputs,
        ]
      }
      let positions = pixels * kh * kw
      return [
        .call: 1, .window: outputs * kh * kw, .windowStep: positions * steps,
        .windowTail: positions * tail, .tap: positions, .output: outputs,
      ]
    case .add, .softmax:
      return [.call: 1, .element: outputs]
    }
  }

  /// The terms a path's coefficients may name.
  static func allowed(for path: KernelPath) -> Set<KernelTerm> {
    switch path {
    case .fullyConnected: [.call, .mac, .output, .tailMAC, .packedMAC, .lane, .image]
    case .conv, .conv1x1, .conv1x1Strided:
      [
        .call, .mac, .paddedMAC, .tailMAC, .output, .pixel, .im2col, .row, .tap, .packedMAC,
        .lane, .image,
      ]
    case .depthwise, .depthwise3x3: [.call, .mac, .paddedMAC, .output, .pixel, .packedMAC, .lane]
    case .averagePool, .maxPool:
      [.call, .window, .windowStep, .windowTail, .tap, .output, .lane]
    case .add, .softmax: [.call, .element]
    }
  }
}
