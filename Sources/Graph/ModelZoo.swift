/// Ready-made architectures by name. Each is a function of the input shape and the class count, so
/// the same `lenet5` trains on 28x28 gray Fashion-MNIST and on 32x32 RGB CIFAR-10.
public enum ModelZoo {
  public struct Entry: Sendable {
    public var name: String
    public var summary: String
    /// The input it was designed for; shape-only entries are for the estimator, not for training.
    public var defaultInput: FeatureShape
    public var defaultClasses: Int
    public var build: @Sendable (FeatureShape, Int) throws(GraphError) -> ModelGraph
  }

  public static let entries: [Entry] = [
    Entry(
      name: "lenet5", summary: "LeNet-5: 2 conv + 3 fully connected, ~62k parameters",
      defaultInput: FeatureShape(channels: 1, height: 28, width: 28), defaultClasses: 10,
      build: lenet5),
    Entry(
      name: "cnn-small",
      summary: "2 conv (32, 64) + 2 fully connected with dropout, ~420k parameters",
      defaultInput: FeatureShape(channels: 1, height: 28, width: 28), defaultClasses: 10,
      build: cnnSmall),
    Entry(
      name: "resnet-mini",
      summary:
        "ResNet in miniature: 2 residual blocks with batch norm, global pooling, ~28k parameters",
      defaultInput: FeatureShape(channels: 1, height: 28, width: 28), defaultClasses: 10,
      build: resnetMini),
    Entry(
      name: "inception-mini",
      summary:
        "one Inception block (1x1, 3x3, 5x5, pool branches), global pooling, ~11k parameters",
      defaultInput: FeatureShape(channels: 1, height: 28, width: 28), defaultClasses: 10,
      build: inceptionMini),
    Entry(
      name: "resnet8",
      summary:
        "MLPerf Tiny ResNet-8: residual stacks of 16, 32, 64 with batch norm, ~79k parameters",
      defaultInput: FeatureShape(channels: 3, height: 32, width: 32), defaultClasses: 10,
      build: resnet8),
    Entry(
      name: "ds-cnn",
      summary: "MLPerf Tiny keyword spotting DS-CNN: 4 depthwise-separable blocks, ~25k parameters",
      defaultInput: FeatureShape(channels: 1, height: 49, width: 10), defaultClasses: 12,
      build: dsCNN),
    Entry(
      name: "mobilenet-v1",
      summary:
        "MobileNetV1 0.25 (MLPerf Tiny visual wake words), ~222k parameters; also mobilenet-v1-A[-SIZE]",
      defaultInput: FeatureShape(channels: 3, height: 96, width: 96), defaultClasses: 2,
      build: { input, classes throws(GraphError) in try mobilenetV1(input, classes: classes) }),
    Entry(
      name: "unet-mini",
      summary:
        "encoder-decoder: 2 strided convs down, a dilated conv, 2 transposed convs up, skip concats",
      defaultInput: FeatureShape(channels: 3, height: 32, width: 32), defaultClasses: 10,
      build: unetMini),
    Entry(
      name: "alexnet", summary: "AlexNet (shape-only): 5 conv + 3 fully connected, ~61M parameters",
      defaultInput: FeatureShape(channels: 3, height: 227, width: 227), defaultClasses: 1000,
      build: alexnet),
    Entry(
      name: "vgg16", summary: "VGG-16 (shape-only): 13 conv + 3 fully connected, ~138M parameters",
      defaultInput: FeatureShape(channels: 3, height: 224, width: 224), defaultClasses: 1000,
      build: vgg16),
  ]

  public static var names: [String] { entries.map(\.name) }

  /// The named model for `input` and `classes` (defaults: the input it was designed for).
  public static func named(_ name: String, input: FeatureShape? = nil, classes: Int? = nil)
    throws(GraphError) -> ModelGraph?
  {
    if let entry = entries.first(where: { $0.name == name }) {
      return try entry.build(input ?? entry.defaultInput, classes ?? entry.defaultClasses)
    }
    guard let (alpha, size) = mobilenetVariant(name) else { return nil }
    return try mobilenetV1(
      input ?? FeatureShape(channels: 3, height: size, width: size), classes: classes ?? 2,
      widthMultiplier: alpha)
  }

  /// `mobilenet-v1-ALPHA` or `mobilenet-v1-ALPHA-SIZE` (TensorFlow's naming, e.g.
  /// `mobilenet-v1-0.5-128`): the width multiplier in (0, 1] and the input size (default 96).
  static func mobilenetVariant(_ name: String) -> (alpha: Double, size: Int)? {
    let prefix = "mobilenet-v1-"
    guard name.hasPrefix(prefix) else { return nil }
    let parts = name.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let alpha = Double(parts[0]), alpha > 0, alpha <= 1
    else { return nil }
    let size = parts.count == 2 ? Int(parts[1]) : 96
    guard let size, size >= 32 else { return nil }
    return (alpha, size)
  }

  public static var lenet5: ModelGraph {
    builtIn { () throws(GraphError) in
      try lenet5(FeatureShape(channels: 1, height: 28, width: 28), classes: 10)
    }
  }

  public static var cnnSmall: ModelGraph {
    builtIn { () throws(GraphError) in
      try cnnSmall(FeatureShape(channels: 1, height: 28, width: 28), classes: 10)
    }
  }

  // The zoo's literal shapes are valid; a throw here is a bug in this file.
  private static func builtIn(_ make: () throws(GraphError) -> ModelGraph) -> ModelGraph {
    do { return try make() } catch { preconditionFailure("model zoo: \(error)") }
  }

  /// The seed's LeNet-5: conv 6@5x5 pad 2, ReLU, max pool 2, conv 16@5x5, ReLU, max pool 2,
  /// fc 120, ReLU, fc 84, ReLU, fc 10. On 28x28: 416,520 MACs, 61,706 parameters.
  public static func lenet5(_ input: FeatureShape, classes: Int) throws(GraphError) -> ModelGraph {
    try .sequential(
      input: input,
      [
        ("conv1", .conv2d(Conv2DSpec(outChannels: 6, kernel: Size2(5), padding: Size2(2)))),
        ("relu1", .relu),
        ("pool1", .maxPool2d(PoolSpec(kernel: Size2(2)))),
        ("conv2", .conv2d(Conv2DSpec(outChannels: 16, kernel: Size2(5)))),
        ("relu2", .relu),
        ("pool2", .maxPool2d(PoolSpec(kernel: Size2(2)))),
        ("flatten", .flatten),
        ("fc1", .linear(LinearSpec(outFeatures: 120))),
        ("relu3", .relu),
        ("fc2", .linear(LinearSpec(outFeatures: 84))),
        ("relu4", .relu),
        ("fc3", .linear(LinearSpec(outFeatures: classes))),
      ])
  }

  /// conv 32@3x3 pad 1, ReLU, max pool 2, conv 64@3x3 pad 1, ReLU, max pool 2, fc 128, ReLU,
  /// dropout 0.5, fc 10.
  public static func cnnSmall(_ input: FeatureShape, classes: Int) throws(GraphError) -> ModelGraph
  {
    try .sequential(
      input: input,
      [
        ("conv1", .conv2d(Conv2DSpec(outChannels: 32, kernel: Size2(3), padding: Size2(1)))),
        ("relu1", .relu),
        ("pool1", .maxPool2d(PoolSpec(kernel: Size2(2)))),
        ("conv2", .conv2d(Conv2DSpec(outChannels: 64, kernel: Size2(3), padding: Size2(1)))),
        ("relu2", .relu),
        ("pool2", .maxPool2d(PoolSpec(kernel: Size2(2)))),
        ("flatten", .flatten),
        ("fc1", .linear(LinearSpec(outFeatures: 128))),
        ("relu3", .relu),
        ("dropout", .dropout(DropoutSpec(rate: 0.5))),
        ("fc2", .linear(LinearSpec(outFeatures: classes))),
      ])
  }

  /// AlexNet as in Krizhevsky et al. 2012 on a 227x227x3 input (the seed's layer list, single
  /// tower): conv 96@11x11/4, pool 3/2, conv 256@5x5 pad 2, pool 3/2, conv 384, 384, 256 @3x3
  /// pad 1, pool 3/2, fc 4096, fc 4096, fc 1000.
  public static func alexnet(_ input: FeatureShape, classes: Int) throws(GraphError) -> ModelGraph {
    func conv(_ c: Int, _ k: Int, _ s: Int = 1, _ p: Int = 0) -> Layer {
      .conv2d(Conv2DSpec(outChannels: c, kernel: Size2(k), stride: Size2(s), padding: Size2(p)))
    }
    let pool = Layer.maxPool2d(PoolSpec(kernel: Size2(3), stride: Size2(2)))
    return try .sequential(
      input: input,
      [
        ("conv1", conv(96, 11, 4)), ("relu1", .relu), ("pool1", pool),
        ("conv2", conv(256, 5, 1, 2)), ("relu2", .relu), ("pool2", pool),
        ("conv3", conv(384, 3, 1, 1)), ("relu3", .relu),
        ("conv4", conv(384, 3, 1, 1)), ("relu4", .relu),
        ("conv5", conv(256, 3, 1, 1)), ("relu5", .relu), ("pool5", pool),
        ("flatten", .flatten),
        ("fc6", .linear(LinearSpec(outFeatures: 4096))), ("relu6", .relu),
        ("dropout6", .dropout(DropoutSpec(rate: 0.5))),
        ("fc7", .linear(LinearSpec(outFeatures: 4096))), ("relu7", .relu),
        ("dropout7", .dropout(DropoutSpec(rate: 0.5))),
        ("fc8", .linear(LinearSpec(outFeatures: classes))),
      ])
  }

  /// VGG-16 (Simonyan & Zisserman, configuration D) on 224x224x3: 13 conv 3x3 pad 1 in five
  /// blocks of 64, 128, 256, 512, 512 channels, each block closed by a 2x2 max pool, then
  /// fc 4096, fc 4096, fc 1000.
  public static func vgg16(_ input: FeatureShape, classes: Int) throws(GraphError) -> ModelGraph {
    var layers: [(name: String, layer: Layer)] = []
    for (block, (channels, convs)) in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
      .enumerated()
    {
      for i in 1...convs {
        let name = "conv\(block + 1)_\(i)"
        layers.append(
          (name, .conv2d(Conv2DSpec(outChannels: channels, kernel: Size2(3), padding: Size2(1)))))
        layers.append(("relu\(block + 1)_\(i)", .relu))
      }
      layers.append(("pool\(block + 1)", .maxPool2d(PoolSpec(kernel: Size2(2)))))
    }
    layers += [
      ("flatten", .flatten),
      ("fc6", .linear(LinearSpec(outFeatures: 4096))), ("relu6", .relu),
      ("dropout6", .dropout(DropoutSpec(rate: 0.5))),
      ("fc7", .linear(LinearSpec(outFeatures: 4096))), ("relu7", .relu),
      ("dropout7", .dropout(DropoutSpec(rate: 0.5))),
      ("fc8", .linear(LinearSpec(outFeatures: classes))),
    ]
    return try .sequential(input: input, layers)
  }
}
