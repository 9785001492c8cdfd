import Graph

// A float graph lowered to the int8 operators TinyCNN's quantizer would emit for it, without
// weights: the same fusions (ReLU into its producer, batch norm into its convolution, dropout
// gone), the same PAD for paddings TFLite cannot express as SAME or VALID, RESHAPE for
// flatten, MEAN for global average pooling. Shape-only zoo models (alexnet, vgg16) go through
// here too, so their footprint is the one a real int8 file would have.

extension ModelWork {
  /// Lowers `graph` (named `name` in reports). Weight scales are per output channel for
  /// convolutions (the int8 spec) and per tensor for fully connected layers, as `tinycnn quantize`
  /// writes them by default.
  public init(graph: ModelGraph, name: String) throws(GraphError) {
    let shapes = try graph.shapes()
    let costs = try graph.costs()
    let inputs = graph.inputIndices()
    var readers = [[Int]](repeating: [], count: graph.nodes.count)
    for (i, ins) in inputs.enumerated() { for j in ins { readers[j].append(i) } }

    var lowering = Lowering()
    // The tensor that holds each node's value (aliases for fused or vanishing nodes).
    var valueOf = [Int](repeating: -1, count: graph.nodes.count)
    var folded = Set<Int>()

    func nhwc(_ s: FeatureShape) -> [Int] {
      s.isFlat ? [s.channels] : [s.height, s.width, s.channels]
    }

    for (index, node) in graph.nodes.enumerated() where !folded.contains(index) {
      let out = shapes[index]
      let ins = inputs[index].map { valueOf[$0] }
      let inShapes = inputs[index].map { nhwc(shapes[$0]) }
      // A ReLU / ReLU6 (after an optional batch norm) that is the only reader folds into the
      // producer's clamp; the last node of the fused chain names the output value.
      func fuseFollowers(allowBatchNorm: Bool) -> (activation: String?, last: Int) {
        var last = index
        if allowBatchNorm, readers[last].count == 1,
          case .batchNorm2d = graph.nodes[readers[last][0]].layer
        {
          last = readers[last][0]
          folded.insert(last)
        }
        guard readers[last].count == 1 else { return (nil, last) }
        let next = readers[last][0]
        switch graph.nodes[next].layer {
        case .relu:
          folded.insert(next)
          return ("RELU", next)
        case .relu6:
          folded.insert(next)
          return ("RELU6", next)
        default: return (nil, last)
        }
      }
      func alias(_ last: Int, _ tensor: Int) {
        for i in index...last where i == index || folded.contains(i) { valueOf[i] = tensor }
      }

      switch node.layer {
      case .input(let shape):
        valueOf[index] = lowering.addTensor(node.name, bytes: shape.count, producer: -1)

      case .conv2d(let conv):
        let x = shapes[inputs[index][0]]
        var source = ins[0]
        var inShape = inShapes[0]
        if case .explicit(let p) = TFLitePadding.choose(
          input: x, kernel: conv.kernel, stride: conv.stride, padding: conv.padding,
          dilation: conv.dilation)
        {
          inShape = [x.height + 2 * p.height, x.width + 2 * p.width, x.channels]
          var pad = LayerWork(
            name: "\(node.name).pad", op: .pad, inputShapes: [inShapes[0]], outputShape: inShape)
          pad.kernel = Size2(1)
          source = lowering.add(pad, inputs: [source])
        }
        let depthwise = conv.groups > 1 && conv.groups == x.channels
        var layer = LayerWork(
          name: node.name, op: depthwise ? .depthwiseConv2D : .conv2D, inputShapes: [inShape],
          outputShape: nhwc(out))
        layer.kernel = conv.kernel
        layer.stride = conv.stride
        layer.dilation = conv.dilation
        layer.macs = costs[index].macs
        layer.weightCount =
          conv.outChannels * (x.channels / conv.groups) * conv.kernel.height
          * conv.kernel.width
        // TFLite convolutions always carry an int32 bias; a bias-free layer gets zeros.
        layer.biasCount = conv.outChannels
        layer.weightScales = conv.outChannels
        let (activation, last) = fuseFollowers(allowBatchNorm: true)
        layer.fusedActivation = activation
        alias(last, lowering.add(layer, inputs: [source]))

      case .convTranspose2d(let conv):
        let x = shapes[inputs[index][0]]
        var layer = LayerWork(
          name: node.name, op: .transposeConv, inputShapes: inShapes, outputShape: nhwc(out))
        layer.kernel = conv.kernel
        layer.stride = conv.stride
        layer.macs = costs[index].macs
        layer.weightCount =
          x.channels * (conv.outChannels / conv.groups) * conv.kernel.height
          * conv.kernel.width
        layer.biasCount = conv.outChannels
        layer.weightScales = conv.outChannels
        // As the quantizer writes it: TFLM's TRANSPOSE_CONV takes no fused activation, and no
        // batch norm folds into it, so a following ReLU is a layer of its own.
        valueOf[index] = lowering.add(layer, inputs: ins)

      case .linear(let linear):
        var layer = LayerWork(
          name: node.name, op: .fullyConnected, inputShapes: [[shapes[inputs[index][0]].count]],
          outputShape: [linear.outFeatures])
        layer.macs = costs[index].macs
        layer.weightCount = shapes[inputs[index][0]].count * linear.outFeatures
        layer.biasCount = linear.outFeatures
        layer.weightScales = 1
        let (activation, last) = fuseFollowers(allowBatchNorm: false)
        layer.fusedActivation = activation
        alias(last, lowering.add(layer, inputs: ins))

      case .maxPool2d(let pool), .avgPool2d(let pool):
        let x = shapes[inputs[index][0]]
        var source = ins[0]
        var inShape = inShapes[0]
        if case .explicit(let p) = TFLitePadding.choose(
          input: x, kernel: pool.kernel, stride: pool.stride, padding: pool.padding,
          dilation: Size2(1))
        {
          inShape = [x.height + 2 * p.height, x.width + 2 * p.width, x.channels]
          let pad = LayerWork(
            name: "\(node.name).pad", op: .pad, inputShapes: [inShapes[0]], outputShape: inShape)
          source = lowering.add(pad, inputs: [source])
        }
        let isMax = if case .maxPool2d = node.layer { true } else { false }
        var layer = LayerWork(
          name: node.name, op: isMax ? .maxPool2D : .averagePool2D, inputShapes: [inShape],
          outputShape: nhwc(out))
        layer.kernel = pool.kernel
        layer.stride = pool.stride
        let (activation, last) = fuseFollowers(allowBatchNorm: false)
        layer.fusedActivation = activation
        alias(last, lowering.add(layer, inputs: [source]))

      case .globalAvgPool:
        var layer = LayerWork(
          name: node.name, op: .mean, inputShapes: inShapes, outputShape: nhwc(out))
        let x = shapes[inputs[index][0]]
        layer.kernel = Size2(x.height, x.width)
        valueOf[index] = lowering.add(layer, inputs: ins)

      case .flatten:
        if shapes[inputs[index][0]].isFlat {
          valueOf[index] = ins[0]
        } else {
          // RESHAPE shares its input's buffer, as the Runtime's planner aliases it
          // (markTensorLifetimes, which a .tflite's lowering uses directly; a graph has no file
          // to give it, so this is the one other place that knows).
          let layer = LayerWork(
            name: node.name, op: .reshape, inputShapes: inShapes, outputShape: nhwc(out))
          valueOf[index] = lowering.add(layer, inputs: ins, inPlace: true)
        }

      case .dropout:
        valueOf[index] = ins[0]

      case .batchNorm2d:
        // Not after a convolution: no int8 kernel folds it; cost it as one elementwise pass, the
        // MUL (schema code 18) TFLite would run (the Runtime has none, so no enum case).
        let layer = LayerWork(
          name: node.name, code: 18, inputShapes: inShapes, outputShape: nhwc(out))
        valueOf[index] = lowering.add(layer, inputs: ins)

      case .relu, .relu6:
        // A ReLU that could not fold: the quantizer emits a 1x1 MAX_POOL_2D with the clamp.
        var layer = LayerWork(
          name: node.name, op: .maxPool2D, inputShapes: inShapes, outputShape: nhwc(out))
        layer.fusedActivation = node.layer == .relu ? "RELU" : "RELU6"
        valueOf[index] = lowering.add(layer, inputs: ins)

      case .add:
        // n inputs become n-1 chained two-input ADDs.
        var acc = ins[0]
        for i in 1..<ins.count {
          var layer = LayerWork(
            name: ins.count > 2 && i < ins.count - 1 ? "\(node.name).partial\(i)" : node.name,
            op: .add, inputShapes: [inShapes[0], inShapes[i]], outputShape: nhwc(out))
          if i == ins.count - 1 {
            let (activation, last) = fuseFollowers(allowBatchNorm: false)
            layer.fusedActivation = activation
            acc = lowering.add(layer, inputs: [acc, ins[i]])
            alias(last, acc)
          } else {
            acc = lowering.add(layer, inputs: [acc, ins[i]])
          }
        }

      case .concat:
        let layer = LayerWork(
          name: node.name, op: .concatenation, inputShapes: inShapes, outputShape: nhwc(out))
        valueOf[index] = lowering.add(layer, inputs: ins)

      case .softmax:
        let layer = LayerWork(
          name: node.name, op: .softmax, inputShapes: inShapes, outputShape: nhwc(out))
        valueOf[index] = lowering.add(layer, inputs: ins)
      }
    }
    let output = valueOf[graph.nodes.count - 1]
    lowering.extend(output, to: lowering.layers.count)  // read after the last operator
    self.init(
      name: name, layers: lowering.layers, tensors: lowering.tensors,
      inputBytes: graph.inputShape.count, outputBytes: lowering.tensors[output].bytes)
  }
}

/// The operator list and tensor lifetimes being built.
private struct Lowering {
  var layers: [LayerWork] = []
  var tensors: [TensorLifetime] = []
  /// For an in-place tensor, the tensor whose buffer it shares.
  var sharedWith: [Int: Int] = [:]

  mutating func addTensor(_ name: String, bytes: Int, producer: Int) -> Int {
    tensors.append(TensorLifetime(name: name, bytes: bytes, firstOp: producer, lastOp: producer))
    return tensors.count - 1
  }

  /// Appends `layer` reading `inputs` (tensor indices); returns its output tensor.
  mutating func add(_ layer: LayerWork, inputs: [Int], inPlace: Bool = false) -> Int {
    let op = layers.count
    layers.append(layer)
    for t in inputs { extend(t, to: op) }
    if inPlace, let source = inputs.first {
      // The output is the input's buffer under a new shape: one tensor, a longer life.
      sharedWith[tensors.count] = root(source)
      tensors.append(TensorLifetime(name: layer.name, bytes: 0, firstOp: op, lastOp: op))
      return tensors.count - 1
    }
    return addTensor(layer.name, bytes: layer.outputCount, producer: op)
  }

  func root(_ t: Int) -> Int {
    var t = t
    while let s = sharedWith[t] { t = s }
    return t
  }

  mutating func extend(_ t: Int, to op: Int) {
    tensors[t].lastOp = max(tensors[t].lastOp, op)
    let r = root(t)
    tensors[r].lastOp = max(tensors[r].lastOp, op)
  }
}
