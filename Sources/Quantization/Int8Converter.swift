import Graph
import Runtime

/// The float range one node's output took during calibration.
public struct ActivationRange: Hashable, Sendable {
  public var min: Float
  public var max: Float

  public init(min: Float, max: Float) {
    self.min = min
    self.max = max
  }
}

/// What the conversion made of one graph node, for the quantize command's table and for eval's
/// per-layer comparison (the node's output lives in `tensor` of the .tflite subgraph).
public struct QuantizedLayer: Sendable {
  public var node: String
  public var operators: [String]  // the TFLite operators emitted for it, e.g. ["PAD", "CONV_2D"]
  /// The ReLU or ReLU6 folded into the last operator's clamp ("RELU", "RELU6"), if any.
  public var fusedActivation: String?
  /// The graph node whose float output `tensor` holds: `node`, or the ReLU folded into it.
  public var outputNode: String
  public var tensor: Int32
  public var output: AffineQuantization
  /// For layers with weights: the float weight range, the number of weight scales and the SQNR
  /// of the quantised weights against the float ones.
  public var weightRange: ClosedRange<Float>?
  public var weightScales: Int = 0
  public var weightSQNR: Double?
}

public struct Int8Conversion: Sendable {
  public var model: TFLiteModel
  public var layers: [QuantizedLayer]
}

/// Options of the float → int8 conversion.
public struct ConversionOptions: Sendable {
  /// One weight scale per output neuron for fully connected layers (TensorFlow's converter's
  /// default since 2.18); off by default, as TFLite's int8 spec started: per tensor.
  public var perChannelDense = false
  public var description = "TinyCNN int8 model"

  public init(perChannelDense: Bool = false, description: String = "TinyCNN int8 model") {
    self.perChannelDense = perChannelDense
    self.description = description
  }
}

/// Converts a float model (batch norms already folded, see `foldBatchNorms`) and the calibrated
/// output range of every node into an int8 TFLite model with int8 input and output, following
/// TFLite's int8 quantisation spec: per-channel symmetric conv weights, int32 biases at
/// input_scale * weight_scale, asymmetric per-tensor activations. NCHW becomes NHWC: weights are
/// transposed, and the columns of a fully connected layer after a flatten are permuted so that it
/// reads the NHWC flatten order.
public func convertToInt8(
  _ model: FloatModel, ranges: [String: ActivationRange], options: ConversionOptions = .init()
) throws(QuantizationError) -> Int8Conversion {
  var converter = try Int8Converter(model: model, ranges: ranges, options: options)
  try converter.run()
  return Int8Conversion(model: converter.tflite, layers: converter.layers)
}

/// One int8 tensor of the model being built, as a graph node's output.
struct Value {
  var tensor: Int32
  var shape: [Int]  // NHWC [1, H, W, C], or [1, N] for flat values
  var quantization: AffineQuantization
  /// For a flat value made by flattening an NHWC tensor: `order[i]` is the PyTorch (CHW)
  /// feature index of NHWC feature i. nil when both orders agree.
  var order: [Int]? = nil

  var isFlat: Bool { shape.count == 2 }
}

struct Int8Converter {
  let model: FloatModel
  let graph: ModelGraph
  let shapes: [FeatureShape]
  let ranges: [String: ActivationRange]
  let options: ConversionOptions
  var readers: [String: [Int]] = [:]
  var tflite: TFLiteModel
  var values: [String: Value] = [:]
  var layers: [QuantizedLayer] = []
  var fused: Set<String> = []

  init(model: FloatModel, ranges: [String: ActivationRange], options: ConversionOptions)
    throws(QuantizationError)
  {
    self.model = model
    self.graph = model.graph
    do { self.shapes = try model.graph.shapes() } catch {
      throw QuantizationError(layer: error.layer, error.message)
    }
    self.ranges = ranges
    self.options = options
    self.tflite = TFLiteModel(description: options.description)
    for (i, node) in graph.nodes.enumerated() {
      for input in node.inputs { readers[input, default: []].append(i) }
    }
  }

  mutating func run() throws(QuantizationError) {
    for (index, node) in graph.nodes.enumerated() where !fused.contains(node.name) {
      try convert(node, index: index)
    }
    let output = values[graph.output.name]!
    guard output.order == nil else {
      throw QuantizationError(
        layer: graph.output.name, "a flattened multi-channel map cannot be the model output")
    }
    tflite.inputs = [values[graph.input.name]!.tensor]
    tflite.outputs = [output.tensor]
  }

  // MARK: - Helpers

  func range(of name: String) throws(QuantizationError) -> ActivationRange {
    guard let r = ranges[name], r.min.isFinite, r.max.isFinite, r.min <= r.max else {
      throw QuantizationError(layer: name, "no calibrated range for this layer's output")
    }
    return r
  }

  /// A ReLU / ReLU6 that is the only reader of `node` folds into its output clamp: the int8
  /// output then takes the ReLU's range, and the ReLU node becomes an alias of it.
  mutating func fusedActivation(after node: Node) -> (FusedActivation, String) {
    guard let r = readers[node.name], r.count == 1 else { return (.none, node.name) }
    let reader = graph.nodes[r[0]]
    switch reader.layer {
    case .relu:
      fused.insert(reader.name)
      return (.relu, reader.name)
    case .relu6:
      fused.insert(reader.name)
      return (.relu6, reader.name)
    default: return (.none, node.name)
    }
  }

  mutating func newActivation(_ name: String, shape: [Int], _ q: AffineQuantization) -> Int32 {
    tflite.addTensor(
      name, shape: shape, type: .int8,
      quantization: .perTensor(scale: q.scale, zeroPoint: Int64(q.zeroPoint)))
  }

  mutating func int32Constant(_ name: String, _ values: [Int32], shape: [Int]) -> Int32 {
    tflite.addTensor(
      name, shape: shape, type: .int32, data: values.flatMap { littleEndianBytes($0) })
  }

  /// Records `value` as the output of `names` (a node and the ReLU fused into it).
  mutating func record(
    _ value: Value, for names: [String], node: String, operators: [String],
    weights: (range: ClosedRange<Float>, scales: Int, sqnr: Double)? = nil
  ) {
    for name in names { values[name] = value }
    let outputNode = names.last ?? node
    var activation: String? = nil
    if outputNode != node, let i = graph.index(of: outputNode) {
      switch graph.nodes[i].layer {
      case .relu: activation = "RELU"
      case .relu6: activation = "RELU6"
      default: break
      }
    }
    layers.append(
      QuantizedLayer(
        node: node, operators: operators, fusedActivation: activation, outputNode: outputNode,
        tensor: value.tensor, output: value.quantization, weightRange: weights?.range,
        weightScales: weights?.scales ?? 0, weightSQNR: weights?.sqnr))
  }

  func input(of node: Node, _ i: Int = 0) -> Value { values[node.inputs[i]]! }

  func spatial(_ node: Node, _ v: Value) throws(QuantizationError) -> (h: Int, w: Int, c: Int) {
    guard v.shape.count == 4 else {
      throw QuantizationError(layer: node.name, "\(node.layer.kindName) needs a 4-D input")
    }
    return (v.shape[1], v.shape[2], v.shape[3])
  }

  /// A PAD operator adding `p` zeros (the input's zero point: real 0) around H and W.
  mutating func pad(_ v: Value, _ p: Size2, name: String) -> Value {
    let paddings = int32Constant(
      "\(name).paddings",
      [0, 0, Int32(p.height), Int32(p.height), Int32(p.width), Int32(p.width), 0, 0],
      shape: [4, 2])
    let shape = [1, v.shape[1] + 2 * p.height, v.shape[2] + 2 * p.width, v.shape[3]]
    let out = newActivation("\(name).padded", shape: shape, v.quantization)
    tflite.addOperator(
      .pad, version: 2, inputs: [v.tensor, paddings], outputs: [out], options: .pad)
    return Value(tensor: out, shape: shape, quantization: v.quantization)
  }

  /// Re-expresses `v` at `q` with a QUANTIZE (int8 → int8 requantise) operator if it differs.
  mutating func requantized(_ v: Value, to q: AffineQuantization, name: String) -> Value {
    guard v.quantization != q else { return v }
    let out = newActivation(name, shape: v.shape, q)
    tflite.addOperator(.quantize, version: 2, inputs: [v.tensor], outputs: [out])
    return Value(tensor: out, shape: v.shape, quantization: q, order: v.order)
  }

  // MARK: - One node

  mutating func convert(_ node: Node, index: Int) throws(QuantizationError) {
    let shape = shapes[index]
    switch node.layer {
    case .input:
      let q = AffineQuantization.asymmetricInt8(
        min: try range(of: node.name).min, max: try range(of: node.name).max)
      let nhwc =
        shape.isFlat ? [1, shape.channels] : [1, shape.height, shape.width, shape.channels]
      let t = newActivation(node.name, shape: nhwc, q)
      record(
        Value(tensor: t, shape: nhwc, quantization: q), for: [node.name], node: node.name,
        operators: [])
    case .conv2d(let conv):
      try convertConv(node, conv, shape)
    case .linear(let linear):
      try convertLinear(node, linear)
    case .maxPool2d(let pool), .avgPool2d(let pool):
      try convertPool(node, pool, shape)
    case .globalAvgPool:
      let x = input(of: node)
      _ = try spatial(node, x)
      let r = try range(of: node.name)
      let q = AffineQuantization.asymmetricInt8(min: r.min, max: r.max)
      let axes = int32Constant("\(node.name).axes", [1, 2], shape: [2])
      let out = newActivation(node.name, shape: [1, shape.channels], q)
      tflite.addOperator(
        .mean, version: 2, inputs: [x.tensor, axes], outputs: [out],
        options: .reducer(keepDims: false))
      record(
        Value(tensor: out, shape: [1, shape.channels], quantization: q), for: [node.name],
        node: node.name, operators: ["MEAN"])
    case .flatten:
      let x = input(of: node)
      guard !x.isFlat else {
        record(x, for: [node.name], node: node.name, operators: [])
        return
      }
      let (h, w, c) = try spatial(node, x)
      let newShape = int32Constant("\(node.name).shape", [1, Int32(h * w * c)], shape: [2])
      let out = newActivation(node.name, shape: [1, h * w * c], x.quantization)
      tflite.addOperator(
        .reshape, inputs: [x.tensor, newShape], outputs: [out],
        options: .reshape(newShape: [1, Int32(h * w * c)]))
      // NHWC feature (y, x, ch) sits at (y*W + x)*C + ch; PyTorch's flatten put it at
      // ch*H*W + y*W + x.
      var order: [Int]? = nil
      if h * w > 1 && c > 1 {
        order = (0..<h * w * c).map { i in (i % c) * h * w + i / c }
      }
      record(
        Value(tensor: out, shape: [1, h * w * c], quantization: x.quantization, order: order),
        for: [node.name], node: node.name, operators: ["RESHAPE"])
    case .dropout:
      record(input(of: node), for: [node.name], node: node.name, operators: [])
    case .relu, .relu6:
      // A ReLU that could not fold into its producer: MAX_POOL_2D 1x1 with a fused clamp is an
      // exact int8 ReLU that keeps the input's quantisation.
      let x = input(of: node)
      guard x.shape.count == 4 else {
        throw QuantizationError(
          layer: node.name, "a ReLU on a flat vector must follow a linear or add layer")
      }
      let activation: FusedActivation = node.layer == .relu ? .relu : .relu6
      let out = newActivation(node.name, shape: x.shape, x.quantization)
      tflite.addOperator(
        .maxPool2D, version: 2, inputs: [x.tensor], outputs: [out],
        options: .pool2D(
          padding: .valid, strideW: 1, strideH: 1, filterWidth: 1, filterHeight: 1,
          activation: activation))
      record(
        Value(tensor: out, shape: x.shape, quantization: x.quantization), for: [node.name],
        node: node.name, operators: ["MAX_POOL_2D"])
    case .add:
      let (activation, outName) = fusedActivation(after: node)
      let r = try range(of: outName)
      let q = AffineQuantization.asymmetricInt8(min: r.min, max: r.max)
      var acc = input(of: node, 0)
      for i in 1..<node.inputs.count {
        let b = input(of: node, i)
        guard b.shape == acc.shape, b.order == acc.order else {
          throw QuantizationError(layer: node.name, "add inputs have different shapes")
        }
        let last = i == node.inputs.count - 1
        let out = newActivation(last ? node.name : "\(node.name).partial\(i)", shape: acc.shape, q)
        tflite.addOperator(
          .add, version: 2, inputs: [acc.tensor, b.tensor], outputs: [out],
          options: .add(activation: last ? activation : .none))
        acc = Value(tensor: out, shape: acc.shape, quantization: q, order: acc.order)
      }
      record(acc, for: [node.name, outName], node: node.name, operators: ["ADD"])
    case .concat:
      let r = try range(of: node.name)
      let q = AffineQuantization.asymmetricInt8(min: r.min, max: r.max)
      var inputs: [Int32] = []
      for i in node.inputs.indices {
        let x = input(of: node, i)
        guard x.order == nil else {
          throw QuantizationError(layer: node.name, "cannot concatenate flattened feature maps")
        }
        inputs.append(requantized(x, to: q, name: "\(node.name).input\(i)").tensor)
      }
      let nhwc =
        shape.isFlat ? [1, shape.channels] : [1, shape.height, shape.width, shape.channels]
      let out = newActivation(node.name, shape: nhwc, q)
      tflite.addOperator(
        .concatenation, version: 2, inputs: inputs, outputs: [out],
        options: .concatenation(axis: Int32(nhwc.count - 1), activation: .none))
      record(
        Value(tensor: out, shape: nhwc, quantization: q), for: [node.name], node: node.name,
        operators: ["CONCATENATION"])
    case .softmax:
      let x = input(of: node)
      guard x.order == nil else {
        throw QuantizationError(layer: node.name, "softmax over a flattened feature map")
      }
      // TFLite's int8 softmax output is fixed: scale 1/256, zero point -128.
      let q = AffineQuantization(scale: 1.0 / 256, zeroPoint: -128)
      let out = newActivation(node.name, shape: x.shape, q)
      tflite.addOperator(
        .softmax, version: 2, inputs: [x.tensor], outputs: [out], options: .softmax(beta: 1))
      record(
        Value(tensor: out, shape: x.shape, quantization: q), for: [node.name], node: node.name,
        operators: ["SOFTMAX"])
    case .batchNorm2d:
      throw QuantizationError(
        layer: node.name, "batch norm not directly after a convolution cannot be folded")
    case .convTranspose2d(let conv):
      try convertConvTranspose(node, conv, shape)
    }
  }
}
