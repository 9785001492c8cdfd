/// A 2-D convolution (cross-correlation, as every framework computes it).
public struct Conv2DSpec: Hashable, Sendable {
  public var outChannels: Int
  public var kernel: Size2
  public var stride: Size2
  public var padding: Size2  // zeros added on each side: top and bottom get `height`
  public var dilation: Size2
  public var groups: Int  // inChannels and outChannels both split into `groups` independent parts
  public var bias: Bool

  public init(
    outChannels: Int, kernel: Size2, stride: Size2 = Size2(1), padding: Size2 = Size2(0),
    dilation: Size2 = Size2(1), groups: Int = 1, bias: Bool = true
  ) {
    self.outChannels = outChannels
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    self.groups = groups
    self.bias = bias
  }
}

/// A transposed convolution: the adjoint of `Conv2DSpec` with the same parameters, which maps the
/// convolution's output size back to its input size (`outputPadding` resolves the ambiguity).
public struct ConvTranspose2DSpec: Hashable, Sendable {
  public var outChannels: Int
  public var kernel: Size2
  public var stride: Size2
  public var padding: Size2
  public var outputPadding: Size2
  public var dilation: Size2
  public var groups: Int
  public var bias: Bool

  public init(
    outChannels: Int, kernel: Size2, stride: Size2 = Size2(1), padding: Size2 = Size2(0),
    outputPadding: Size2 = Size2(0), dilation: Size2 = Size2(1), groups: Int = 1,
    bias: Bool = true
  ) {
    self.outChannels = outChannels
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
    self.outputPadding = outputPadding
    self.dilation = dilation
    self.groups = groups
    self.bias = bias
  }
}

/// Max or average pooling. Max pooling pads with -infinity; average pooling leaves padded cells
/// out of the divisor, as TFLite's AVERAGE_POOL_2D does, so the int8 model computes the same thing.
public struct PoolSpec: Hashable, Sendable {
  public var kernel: Size2
  public var stride: Size2
  public var padding: Size2

  /// `stride` defaults to the kernel size (non-overlapping windows), as in PyTorch and Keras.
  public init(kernel: Size2, stride: Size2? = nil, padding: Size2 = Size2(0)) {
    self.kernel = kernel
    self.stride = stride ?? kernel
    self.padding = padding
  }
}

/// A fully connected layer on the flattened input.
public struct LinearSpec: Hashable, Sendable {
  public var outFeatures: Int
  public var bias: Bool

  public init(outFeatures: Int, bias: Bool = true) {
    self.outFeatures = outFeatures
    self.bias = bias
  }
}

/// Inverted dropout: in training each value is zeroed with probability `rate` and the survivors
/// scaled by 1/(1-rate); at inference it is the identity.
public struct DropoutSpec: Hashable, Sendable {
  public var rate: Float

  public init(rate: Float) { self.rate = rate }
}

/// Batch normalisation over the channels of an NCHW batch. `momentum` has PyTorch's meaning:
/// `running = (1 - momentum) * running + momentum * batchStatistic`.
public struct BatchNormSpec: Hashable, Sendable {
  public var epsilon: Float
  public var momentum: Float

  public init(epsilon: Float = 1e-5, momentum: Float = 0.1) {
    self.epsilon = epsilon
    self.momentum = momentum
  }
}

/// What a node computes. Every kind a classic CNN course uses, plus the two joins (`add`,
/// `concat`) that residual and Inception blocks need.
public enum Layer: Hashable, Sendable {
  case input(FeatureShape)
  case conv2d(Conv2DSpec)
  case convTranspose2d(ConvTranspose2DSpec)
  case relu
  case relu6
  case maxPool2d(PoolSpec)
  case avgPool2d(PoolSpec)
  case globalAvgPool
  case linear(LinearSpec)
  /// NCHW flatten: feature index `c*H*W + y*W + x` (PyTorch's order).
  case flatten
  case dropout(DropoutSpec)
  case batchNorm2d(BatchNormSpec)
  /// Elementwise sum of two or more inputs of equal shape (residual connections).
  case add
  /// Concatenation along channels of inputs with equal height and width (Inception blocks).
  case concat
  case softmax

  /// The name used in the model file and in tables (`conv2d`, `max_pool2d`, ...).
  public var kindName: String {
    switch self {
    case .input: "input"
    case .conv2d: "conv2d"
    case .convTranspose2d: "conv_transpose2d"
    case .relu: "relu"
    case .relu6: "relu6"
    case .maxPool2d: "max_pool2d"
    case .avgPool2d: "avg_pool2d"
    case .globalAvgPool: "global_avg_pool"
    case .linear: "linear"
    case .flatten: "flatten"
    case .dropout: "dropout"
    case .batchNorm2d: "batch_norm2d"
    case .add: "add"
    case .concat: "concat"
    case .softmax: "softmax"
    }
  }

  /// Every size the layer's description gives, by field name, so shape inference can bound them
  /// before doing arithmetic with them.
  var dimensions: [(String, Int)] {
    func pairs(_ name: String, _ s: Size2) -> [(String, Int)] {
      [("\(name) height", s.height), ("\(name) width", s.width)]
    }
    switch self {
    case .input(let shape):
      return [
        ("input channels", shape.channels), ("input height", shape.height),
        ("input width", shape.width),
      ]
    case .conv2d(let c):
      return [("out_channels", c.outChannels), ("groups", c.groups)] + pairs("kernel", c.kernel)
        + pairs("stride", c.stride) + pairs("padding", c.padding) + pairs("dilation", c.dilation)
    case .convTranspose2d(let c):
      return [("out_channels", c.outChannels), ("groups", c.groups)] + pairs("kernel", c.kernel)
        + pairs("stride", c.stride) + pairs("padding", c.padding) + pairs("dilation", c.dilation)
        + pairs("output_padding", c.outputPadding)
    case .maxPool2d(let p), .avgPool2d(let p):
      return pairs("kernel", p.kernel) + pairs("stride", p.stride) + pairs("padding", p.padding)
    case .linear(let l):
      return [("out_features", l.outFeatures)]
    default:
      return []
    }
  }

  /// How many inputs the node takes: nil means "two or more".
  var arity: Int? {
    switch self {
    case .input: 0
    case .add, .concat: nil
    default: 1
    }
  }
}
