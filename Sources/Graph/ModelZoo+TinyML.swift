// The networks people deploy on microcontrollers: the MLPerf Tiny reference models (ResNet-8 for
// image classification, DS-CNN for keyword spotting, MobileNetV1 for visual wake words) and a
// small U-Net-style encoder-decoder that upsamples with transposed convolution. Each follows its
// Keras source layer for layer (biases on convolutions before batch norm included, as Keras's
// default `use_bias=True` has them), so the parameter counts are the published ones; where a
// Keras "same" padding is asymmetric, the symmetric padding here gives the same output size.
// Like the rest of the zoo they adapt to the input: pooling windows and upsampling kernels are
// computed from the shapes, as the Keras sources compute theirs.

extension GraphBuilder {
  /// The shape of the node added last.
  func shape() throws(GraphError) -> FeatureShape { try graph().shapes().last! }

  @discardableResult
  mutating func conv(
    _ name: String, _ spec: Conv2DSpec, batchNorm: Bool = true, relu: Layer? = .relu,
    after input: String? = nil
  ) -> String {
    add(name, .conv2d(spec), after: input.map { [$0] })
    if batchNorm { add(name + "_bn", .batchNorm2d(BatchNormSpec())) }
    if let relu { add(name + "_relu", relu) }
    return last
  }

  /// Keras's AveragePooling2D(pool_size=window) (VALID, stride = window), then Flatten and the
  /// classifier.
  mutating func averagePoolAndClassify(window: Size2, classes: Int) {
    add("avgpool", .avgPool2d(PoolSpec(kernel: window)))
    add("flatten", .flatten)
    add("fc", .linear(LinearSpec(outFeatures: classes)))
  }
}

/// Symmetric padding that gives Keras's `padding="same"` output size `ceil(input / stride)`:
/// half of SAME's total padding, rounded up (SAME puts the odd cell after; the int8 converter then
/// writes a PAD and VALID, the output size is the same).
func samePadding(input: Int, kernel: Int, stride: Int) -> Int {
  let same = TFLitePadding.same(input: input, kernel: kernel, stride: stride)
  return (same.before + same.after + 1) / 2
}

extension ModelZoo {
  /// MLPerf Tiny image classification ResNet-8: mlcommons/tiny
  /// benchmark/training/image_classification/keras_model.py, `resnet_v1_eembc`. Conv 16@3x3 +
  /// BN + ReLU; stack 1: conv-BN-ReLU, conv-BN, + identity, ReLU (16 filters); stacks 2 and 3
  /// (32, 64): 3x3 stride-2 conv-BN-ReLU, conv-BN, + a 1x1 stride-2 conv shortcut (no BN), ReLU;
  /// AveragePooling2D over the smaller side of the last map, Flatten, Dense. On 32x32x3 with 10
  /// classes: 78,666 parameters (BN's moving statistics included, 77,946 trainable).
  public static func resnet8(_ input: FeatureShape, classes: Int) throws(GraphError) -> ModelGraph {
    var g = GraphBuilder(input: input)
    func conv3(_ c: Int, stride: Int = 1) -> Conv2DSpec {
      Conv2DSpec(outChannels: c, kernel: Size2(3), stride: Size2(stride), padding: Size2(1))
    }
    var x = g.conv("conv1", conv3(16))
    for (stack, filters) in [16, 32, 64].enumerated() {
      let name = "stack\(stack + 1)"
      let stride = stack == 0 ? 1 : 2
      g.conv(name + "_a", conv3(filters, stride: stride), after: x)
      let y = g.conv(name + "_b", conv3(filters), relu: nil)
      if stride != 1 {
        x = g.conv(
          name + "_shortcut",
          Conv2DSpec(outChannels: filters, kernel: Size2(1), stride: Size2(stride)),
          batchNorm: false, relu: nil, after: x)
      }
      g.add(name + "_add", .add, after: [x, y])
      x = g.add(name + "_relu", .relu)
    }
    let s = try g.shape()
    g.averagePoolAndClassify(window: Size2(min(s.height, s.width)), classes: classes)
    return try g.graph()
  }

  /// MLPerf Tiny keyword spotting DS-CNN: mlcommons/tiny
  /// benchmark/training/keyword_spotting/keras_model.py, `ds_cnn`. Conv 64@10x4 stride 2 "same"
  /// + BN + ReLU, dropout 0.2; four depthwise-separable blocks (depthwise 3x3 + BN + ReLU,
  /// pointwise 64@1x1 + BN + ReLU); dropout 0.4; AveragePooling2D((H/2, W/2)) of the input's
  /// H and W, Flatten, Dense. On 49x10x1 with 12 classes: 24,908 parameters (23,756 trainable,
  /// the figure the MLPerf Tiny paper quotes as 24.9k with BN statistics).
  public static func dsCNN(_ input: FeatureShape, classes: Int) throws(GraphError) -> ModelGraph {
    var g = GraphBuilder(input: input)
    let kernel = Size2(10, 4)
    let padding = Size2(
      samePadding(input: input.height, kernel: 10, stride: 2),
      samePadding(input: input.width, kernel: 4, stride: 2))
    g.conv(
      "conv1", Conv2DSpec(outChannels: 64, kernel: kernel, stride: Size2(2), padding: padding))
    g.add("dropout1", .dropout(DropoutSpec(rate: 0.2)))
    for block in 1...4 {
      g.conv(
        "dw\(block)",
        Conv2DSpec(outChannels: 64, kernel: Size2(3), padding: Size2(1), groups: 64))
      g.conv("pw\(block)", Conv2DSpec(outChannels: 64, kernel: Size2(1)))
    }
    g.add("dropout2", .dropout(DropoutSpec(rate: 0.4)))
    let window = Size2(max(input.height / 2, 1), max(input.width / 2, 1))
    g.averagePoolAndClassify(window: window, classes: classes)
    return try g.graph()
  }

  /// MLPerf Tiny visual wake words MobileNetV1: mlcommons/tiny
  /// benchmark/training/visual_wake_words/vww_model.py, `mobilenet_v1` (32 * alpha stem
  /// filters). Conv 3x3 stride 2 + BN + ReLU; 13 depthwise-separable blocks (depthwise 3x3 +
  /// BN + ReLU, pointwise + BN + ReLU) with pointwise widths 64, 128, 128, 256, 256, 512 x6,
  /// 1024, 1024 times `widthMultiplier` and depthwise strides 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1,
  /// 2, 1; AveragePooling2D over the whole last map, Flatten, Dense. At alpha 0.25, 96x96x3,
  /// 2 classes: 221,794 parameters (NXP eiq-model-zoo's figure for the MLPerf model).
  public static func mobilenetV1(
    _ input: FeatureShape, classes: Int, widthMultiplier alpha: Double = 0.25
  ) throws(GraphError) -> ModelGraph {
    func width(_ c: Int) -> Int { max(Int(Double(c) * alpha), 1) }
    var g = GraphBuilder(input: input)
    g.conv(
      "conv1",
      Conv2DSpec(outChannels: width(32), kernel: Size2(3), stride: Size2(2), padding: Size2(1)))
    // (pointwise filters at alpha 1, depthwise stride)
    let blocks: [(Int, Int)] = [
      (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
      (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ]
    var channels = width(32)
    for (i, (filters, stride)) in blocks.enumerated() {
      g.conv(
        "dw\(i + 1)",
        Conv2DSpec(
          outChannels: channels, kernel: Size2(3), stride: Size2(stride), padding: Size2(1),
          groups: channels))
      channels = width(filters)
      g.conv("pw\(i + 1)", Conv2DSpec(outChannels: channels, kernel: Size2(1)))
    }
    let s = try g.shape()
    g.averagePoolAndClassify(window: Size2(s.height, s.width), classes: classes)
    return try g.graph()
  }

  /// An encoder-decoder in the shape of U-Net (Ronneberger et al. 2015), small enough for a
  /// microcontroller: conv 8 + BN + ReLU at full size; two stride-2 3x3 convolutions down to
  /// 16 and 32 channels; a dilated 3x3 convolution (dilation 2) at a quarter of the size; two
  /// stride-2 transposed convolutions back up (to 16, then 8 channels), each concatenated with
  /// the encoder map of its size and mixed by a 3x3 convolution; a 1x1 convolution to one score
  /// map per class, averaged over the image (global average pooling) into the logits, so it
  /// trains on image labels. An upsampling kernel is 4x4 (padding 1) where the target size is
  /// even, 3x3 (padding 1) where it is odd: exactly the size of the encoder map, and exactly
  /// TFLite's TRANSPOSE_CONV with SAME padding. On 32x32x3 with 10 classes: 31,450 parameters.
  public static func unetMini(_ input: FeatureShape, classes: Int) throws(GraphError)
    -> ModelGraph
  {
    var g = GraphBuilder(input: input)
    func conv3(_ c: Int, stride: Int = 1, dilation: Int = 1) -> Conv2DSpec {
      Conv2DSpec(
        outChannels: c, kernel: Size2(3), stride: Size2(stride), padding: Size2(dilation),
        dilation: Size2(dilation))
    }
    let enc1 = g.conv("enc1", conv3(8))
    let full = try g.shape()
    let enc2 = g.conv("down1", conv3(16, stride: 2), batchNorm: false)
    let half = try g.shape()
    g.conv("down2", conv3(32, stride: 2), batchNorm: false)
    g.conv("bottleneck", conv3(32, dilation: 2), batchNorm: false)
    func up(_ name: String, _ c: Int, to target: FeatureShape, skip: String) {
      let kernel = Size2(target.height % 2 == 0 ? 4 : 3, target.width % 2 == 0 ? 4 : 3)
      g.add(
        name,
        .convTranspose2d(
          ConvTranspose2DSpec(
            outChannels: c, kernel: kernel, stride: Size2(2), padding: Size2(1))))
      let upsampled = g.add(name + "_relu", .relu)
      g.add(name + "_concat", .concat, after: [upsampled, skip])
      g.conv(name + "_mix", conv3(c), batchNorm: false)
    }
    up("up1", 16, to: half, skip: enc2)
    up("up2", 8, to: full, skip: enc1)
    g.conv("head", Conv2DSpec(outChannels: classes, kernel: Size2(1)), batchNorm: false, relu: nil)
    g.add("gap", .globalAvgPool)
    return try g.graph()
  }
}
