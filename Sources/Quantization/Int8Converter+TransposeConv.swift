import Graph
import Runtime

// ConvTranspose2d → TFLite's TRANSPOSE_CONV. PyTorch scatters input (y, x) to output
// (y * s - p + kY, x * s - p + kX) and crops to `(i - 1)s - 2p + k + output_padding`; TFLM's
// reference kernel (reference_integer_ops::TransposeConv) scatters to (y * s - pad + kY) and
// crops to the output tensor's shape, with `pad` from ComputePaddingHeightWidth on the output
// size: 0 for VALID, half of SAME's total for SAME. So a layer converts when its padding is 0
// (VALID) or equals SAME's leading padding for its output size; the kernels are the same taps,
// not flipped.
extension Int8Converter {
  mutating func convertConvTranspose(
    _ node: Node, _ conv: ConvTranspose2DSpec, _ shape: FeatureShape
  ) throws(QuantizationError) {
    let x = input(of: node)
    let c = try spatial(node, x).c
    guard conv.groups == 1, conv.dilation == Size2(1) else {
      throw QuantizationError(
        layer: node.name,
        "TRANSPOSE_CONV has no groups or dilation (groups \(conv.groups), dilation "
          + "\(conv.dilation))")
    }
    let padding = try transposePadding(node, conv, output: shape)
    // TFLM's TRANSPOSE_CONV ignores a fused activation (its Prepare passes kTfLiteActNone), so
    // a following ReLU stays a node of its own (MAX_POOL_2D 1x1 with the clamp).
    let r = try range(of: node.name)
    let q = AffineQuantization.asymmetricInt8(min: r.min, max: r.max)

    let weight = model.parameters["\(node.name).weight"]!.values  // [inC, outC, kH, kW]
    let outC = conv.outChannels
    let (kH, kW) = (conv.kernel.height, conv.kernel.width)
    let bias = model.parameters["\(node.name).bias"]?.values ?? [Float](repeating: 0, count: outC)
    try checkFinite(node, weight, bias)
    // To TFLite's OHWI first, so each output channel's taps are contiguous for its scale.
    var ohwi = [Float](repeating: 0, count: weight.count)
    for i in 0..<c {
      for o in 0..<outC {
        for y in 0..<kH {
          for xk in 0..<kW {
            ohwi[((o * kH + y) * kW + xk) * c + i] = weight[((i * outC + o) * kH + y) * kW + xk]
          }
        }
      }
    }
    let quantized = SymmetricWeights.quantize(ohwi, channels: outC)
    let sqnr = signalToQuantizationNoise(ohwi, quantized.dequantized(channels: outC))
    let (filter, biasTensor) = addWeights(
      node.name, quantized.values, shape: [outC, kH, kW, c], scales: quantized.scales,
      quantizedDimension: 0, bias: bias, inputScale: x.quantization.scale)
    let outShape = [1, shape.height, shape.width, outC]
    let outputShape = int32Constant(
      "\(node.name).output_shape", outShape.map { Int32($0) }, shape: [4])
    let out = newActivation(node.name, shape: outShape, q)
    tflite.addOperator(
      .transposeConv, version: 2, inputs: [outputShape, filter, x.tensor, biasTensor],
      outputs: [out],
      options: .transposeConv(
        padding: padding, strideW: Int32(conv.stride.width), strideH: Int32(conv.stride.height)))
    record(
      Value(tensor: out, shape: outShape, quantization: q), for: [node.name], node: node.name,
      operators: ["TRANSPOSE_CONV"], weights: (weightRange(weight), quantized.scales.count, sqnr))
  }

  /// VALID when the layer pads nothing; SAME when SAME's leading padding for this output size
  /// (TFLM's TRANSPOSE_CONV runs ComputePaddingHeightWidth on the output size:
  /// `TFLitePadding.same(input: out, ...)`) is the layer's padding along both axes.
  func transposePadding(_ node: Node, _ conv: ConvTranspose2DSpec, output: FeatureShape)
    throws(QuantizationError) -> Padding
  {
    if conv.padding == Size2(0) { return .valid }
    func samePadding(_ out: Int, _ k: Int, _ s: Int) -> Int {
      TFLitePadding.same(input: out, kernel: k, stride: s).before
    }
    let sameH = samePadding(output.height, conv.kernel.height, conv.stride.height)
    let sameW = samePadding(output.width, conv.kernel.width, conv.stride.width)
    guard sameH == conv.padding.height, sameW == conv.padding.width else {
      throw QuantizationError(
        layer: node.name,
        "padding \(conv.padding) matches neither VALID (0) nor TFLite's SAME for a "
          + "\(output.height)x\(output.width) output (\(Size2(sameH, sameW)))")
    }
    return .same
  }
}
