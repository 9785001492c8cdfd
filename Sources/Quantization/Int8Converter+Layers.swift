import Graph
import Runtime

// The layers with weights, and pooling: the parts of the conversion where layouts and padding
// conventions differ between PyTorch-style NCHW and TFLite's NHWC.
extension Int8Converter {
  mutating func convertConv(_ node: Node, _ conv: Conv2DSpec, _ shape: FeatureShape)
    throws(QuantizationError)
  {
    var x = input(of: node)
    let (h, w, c) = try spatial(node, x)
    let depthwise = conv.groups > 1 && conv.groups == c && conv.outChannels % c == 0
    guard conv.groups == 1 || depthwise else {
      throw QuantizationError(
        layer: node.name,
        "grouped convolution (\(conv.groups) groups of \(c / conv.groups) channels) has no int8 "
          + "kernel; only groups = 1 and depthwise (groups = input channels) convert")
    }
    let (activation, outName) = fusedActivation(after: node)
    let r = try range(of: outName)
    let q = AffineQuantization.asymmetricInt8(min: r.min, max: r.max)

    var operators: [String] = []
    var padding = TFLitePadding.choose(
      input: FeatureShape(channels: c, height: h, width: w), kernel: conv.kernel,
      stride: conv.stride, padding: conv.padding, dilation: conv.dilation)
    if case .explicit(let p) = padding {
      x = pad(x, p, name: node.name)
      operators.append("PAD")
      padding = .valid
    }

    let weight = model.parameters["\(node.name).weight"]!.values  // [outC, inC/groups, kH, kW]
    let outC = conv.outChannels
    let (kH, kW) = (conv.kernel.height, conv.kernel.width)
    let bias = model.parameters["\(node.name).bias"]?.values ?? [Float](repeating: 0, count: outC)
    try checkFinite(node, weight, bias)
    // Scales are per output channel, and each output channel's weights are contiguous in the
    // PyTorch layout, so quantise first and transpose the int8 values after.
    let quantized = SymmetricWeights.quantize(weight, channels: outC)
    let sqnr = signalToQuantizationNoise(weight, quantized.dequantized(channels: outC))
    var tfliteWeights = [Int8](repeating: 0, count: weight.count)
    let weightShape: [Int]
    if depthwise {
      // TFLite depthwise filter [1, kH, kW, outC]; output channel o reads input channel o / m,
      // the same pairing as PyTorch's groups = inC.
      weightShape = [1, kH, kW, outC]
      for o in 0..<outC {
        for y in 0..<kH {
          for xk in 0..<kW {
            tfliteWeights[(y * kW + xk) * outC + o] = quantized.values[(o * kH + y) * kW + xk]
          }
        }
      }
    } else {
      weightShape = [outC, kH, kW, c]  // OHWI
      for o in 0..<outC {
        for i in 0..<c {
          for y in 0..<kH {
            for xk in 0..<kW {
              tfliteWeights[((o * kH + y) * kW + xk) * c + i] =
                quantized.values[((o * c + i) * kH + y) * kW + xk]
            }
          }
        }
      }
    }
    let (filter, biasTensor) = addWeights(
      node.name, tfliteWeights, shape: weightShape, scales: quantized.scales,
      quantizedDimension: depthwise ? 3 : 0, bias: bias, inputScale: x.quantization.scale)
    let outShape = [1, shape.height, shape.width, outC]
    let out = newActivation(node.name, shape: outShape, q)
    let tflitePadding: Padding = padding == .same ? .same : .valid
    let (sW, sH) = (Int32(conv.stride.width), Int32(conv.stride.height))
    let (dW, dH) = (Int32(conv.dilation.width), Int32(conv.dilation.height))
    if depthwise {
      tflite.addOperator(
        .depthwiseConv2D, version: 3, inputs: [x.tensor, filter, biasTensor], outputs: [out],
        options: .depthwiseConv2D(
          padding: tflitePadding, strideW: sW, strideH: sH, depthMultiplier: Int32(outC / c),
          activation: activation, dilationW: dW, dilationH: dH))
      operators.append("DEPTHWISE_CONV_2D")
    } else {
      tflite.addOperator(
        .conv2D, version: 3, inputs: [x.tensor, filter, biasTensor], outputs: [out],
        options: .conv2D(
          padding: tflitePadding, strideW: sW, strideH: sH, activation: activation,
          dilationW: dW, dilationH: dH))
      operators.append("CONV_2D")
    }
    record(
      Value(tensor: out, shape: outShape, quantization: q), for: [node.name, outName],
      node: node.name, operators: operators,
      weights: (weightRange(weight), quantized.scales.count, sqnr))
  }

  mutating func convertLinear(_ node: Node, _ linear: LinearSpec) throws(QuantizationError) {
    let x = input(of: node)
    let inFeatures = x.shape.last!
    guard x.isFlat || x.shape.dropFirst().dropLast().allSatisfy({ $0 == 1 }) else {
      throw QuantizationError(layer: node.name, "linear needs a flat input")
    }
    let (activation, outName) = fusedActivation(after: node)
    let r = try range(of: outName)
    let q = AffineQuantization.asymmetricInt8(min: r.min, max: r.max)
    let outF = linear.outFeatures
    var weight = model.parameters["\(node.name).weight"]!.values  // [out, in]
    if let order = x.order {
      let original = weight
      for o in 0..<outF {
        for i in 0..<inFeatures { weight[o * inFeatures + i] = original[o * inFeatures + order[i]] }
      }
    }
    let bias = model.parameters["\(node.name).bias"]?.values ?? [Float](repeating: 0, count: outF)
    try checkFinite(node, weight, bias)
    let channels = options.perChannelDense ? outF : 1
    let quantized = SymmetricWeights.quantize(weight, channels: channels)
    let sqnr = signalToQuantizationNoise(weight, quantized.dequantized(channels: channels))
    let (filter, biasTensor) = addWeights(
      node.name, quantized.values, shape: [outF, inFeatures], scales: quantized.scales,
      quantizedDimension: 0, bias: bias, inputScale: x.quantization.scale)
    let out = newActivation(node.name, shape: [1, outF], q)
    tflite.addOperator(
      .fullyConnected, version: 4, inputs: [x.tensor, filter, biasTensor], outputs: [out],
      options: .fullyConnected(activation: activation, keepNumDims: false))
    record(
      Value(tensor: out, shape: [1, outF], quantization: q), for: [node.name, outName],
      node: node.name, operators: ["FULLY_CONNECTED"],
      weights: (weightRange(weight), quantized.scales.count, sqnr))
  }

  mutating func convertPool(_ node: Node, _ pool: PoolSpec, _ shape: FeatureShape)
    throws(QuantizationError)
  {
    var x = input(of: node)
    let (h, w, c) = try spatial(node, x)
    let isMax = if case .maxPool2d = node.layer { true } else { false }
    let (activation, outName) = fusedActivation(after: node)
    var operators: [String] = []
    var padding = TFLitePadding.choose(
      input: FeatureShape(channels: c, height: h, width: w), kernel: pool.kernel,
      stride: pool.stride, padding: pool.padding, dilation: Size2(1))
    if case .explicit(let p) = padding {
      // Zero padding is exact for a max pool only when no input is negative (e.g. after a ReLU):
      // then a padded 0 never wins over a real value that is at least 0.
      guard isMax, try range(of: node.inputs[0]).min >= 0 else {
        throw QuantizationError(
          layer: node.name,
          "pooling padding \(p) matches neither TFLite SAME nor VALID for input \(h)x\(w)")
      }
      x = pad(x, p, name: node.name)
      operators.append("PAD")
      padding = .valid
    }
    // TFLite's int8 pooling keeps the input's scale and zero point.
    let outShape = [1, shape.height, shape.width, c]
    let out = newActivation(node.name, shape: outShape, x.quantization)
    tflite.addOperator(
      isMax ? .maxPool2D : .averagePool2D, version: 2, inputs: [x.tensor], outputs: [out],
      options: .pool2D(
        padding: padding == .same ? .same : .valid, strideW: Int32(pool.stride.width),
        strideH: Int32(pool.stride.height), filterWidth: Int32(pool.kernel.width),
        filterHeight: Int32(pool.kernel.height), activation: activation))
    operators.append(isMax ? "MAX_POOL_2D" : "AVERAGE_POOL_2D")
    record(
      Value(tensor: out, shape: outShape, quantization: x.quantization),
      for: [node.name, outName], node: node.name, operators: operators)
  }

  /// The int8 filter and int32 bias tensors of a conv / depthwise / fully connected layer.
  mutating func addWeights(
    _ name: String, _ weights: [Int8], shape: [Int], scales: [Float], quantizedDimension: Int32,
    bias: [Float], inputScale: Float
  ) -> (filter: Int32, bias: Int32) {
    let zeros = [Int64](repeating: 0, count: scales.count)
    let filter = tflite.addTensor(
      "\(name).weight", shape: shape, type: .int8,
      quantization: .init(
        scales: scales, zeroPoints: zeros, quantizedDimension: quantizedDimension),
      data: weights.map { UInt8(bitPattern: $0) })
    var (values, biasScales) = quantizeBias(bias, inputScale: inputScale, weightScales: scales)
    if scales.count == 1 { biasScales = [biasScales[0]] }  // per-tensor weights: per-tensor bias
    let biasTensor = tflite.addTensor(
      "\(name).bias", shape: [bias.count], type: .int32,
      quantization: .init(
        scales: biasScales, zeroPoints: [Int64](repeating: 0, count: biasScales.count)),
      data: values.flatMap { littleEndianBytes($0) })
    return (filter, biasTensor)
  }

  /// A diverged training leaves NaN or infinite weights, which have no int8 value.
  func checkFinite(_ node: Node, _ weight: [Float], _ bias: [Float]) throws(QuantizationError) {
    guard weight.allSatisfy(\.isFinite) && bias.allSatisfy(\.isFinite) else {
      throw QuantizationError(
        layer: node.name, "weights or biases are NaN or infinite (did the training diverge?)")
    }
  }

  func weightRange(_ w: [Float]) -> ClosedRange<Float> {
    (w.min() ?? 0)...(w.max() ?? 0)
  }
}
