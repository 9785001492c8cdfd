import Testing

@testable import Graph

private func parameters(_ g: ModelGraph) throws -> Int {
  try g.costs().reduce(0) { $0 + $1.parameters }
}

private func shape(_ g: ModelGraph, _ node: String) throws -> FeatureShape {
  try g.shapes()[#require(g.index(of: node))]
}

/// ResNet-8 as mlcommons/tiny image_classification/keras_model.py `resnet_v1_eembc` builds it:
/// Keras's model.count_params() is 78,666 (biases on every conv, BN's 4 values per channel).
@Test func resnet8HasTheMLPerfTinyShapesAndParameters() throws {
  let g = try #require(try ModelZoo.named("resnet8"))
  #expect(try shape(g, "stack1_add") == FeatureShape(channels: 16, height: 32, width: 32))
  #expect(try shape(g, "stack2_add") == FeatureShape(channels: 32, height: 16, width: 16))
  #expect(try shape(g, "stack3_add") == FeatureShape(channels: 64, height: 8, width: 8))
  #expect(try shape(g, "avgpool") == FeatureShape(channels: 64, height: 1, width: 1))
  #expect(try g.shapes().last == FeatureShape(features: 10))
  // conv1 448 + BN 64; stack 1: 2 x (2,320 + 64); stack 2: 4,640 + 9,248 + 2 x 128 + 544;
  // stack 3: 18,496 + 36,928 + 2 x 256 + 2,112; Dense 650.
  #expect(try parameters(g) == 78_666)
  #expect(g.nodes.filter { $0.layer == .add }.count == 3)
}

/// DS-CNN as mlcommons/tiny keyword_spotting/keras_model.py `ds_cnn`: 24,908 parameters
/// (23,756 trainable + 1,152 BN moving statistics).
@Test func dsCNNHasTheMLPerfTinyShapesAndParameters() throws {
  let g = try #require(try ModelZoo.named("ds-cnn"))
  #expect(try shape(g, "conv1") == FeatureShape(channels: 64, height: 25, width: 5))
  #expect(try shape(g, "pw4_relu") == FeatureShape(channels: 64, height: 25, width: 5))
  #expect(try shape(g, "avgpool") == FeatureShape(channels: 64, height: 1, width: 1))
  #expect(try g.shapes().last == FeatureShape(features: 12))
  #expect(try parameters(g) == 24_908)
  let batchNormValues = 9 * 64 * 4
  #expect(try parameters(g) - batchNormValues / 2 == 23_756)
  // Keras's "same" on a 28x28 input: ceil(28 / 2) = 14.
  let fashion = try ModelZoo.dsCNN(FeatureShape(channels: 1, height: 28, width: 28), classes: 10)
  #expect(try shape(fashion, "conv1") == FeatureShape(channels: 64, height: 14, width: 14))
  #expect(try fashion.shapes().last == FeatureShape(features: 10))
}

/// MobileNetV1 0.25 at 96x96, 2 classes, as mlcommons/tiny visual_wake_words/vww_model.py:
/// 221,794 parameters (the figure NXP's eiq-model-zoo gives for the MLPerf Tiny model).
@Test func mobilenetV1HasTheMLPerfTinyShapesAndParameters() throws {
  let g = try #require(try ModelZoo.named("mobilenet-v1"))
  #expect(try shape(g, "conv1") == FeatureShape(channels: 8, height: 48, width: 48))
  #expect(try shape(g, "pw13_relu") == FeatureShape(channels: 256, height: 3, width: 3))
  #expect(try g.shapes().last == FeatureShape(features: 2))
  #expect(try parameters(g) == 221_794)
  // The width multiplier and the input size as options (TensorFlow's mobilenet_v1_1.0_224).
  let full = try #require(try ModelZoo.named("mobilenet-v1-1.0-224"))
  #expect(try shape(full, "pw13_relu") == FeatureShape(channels: 1024, height: 7, width: 7))
  let half = try #require(try ModelZoo.named("mobilenet-v1-0.5"))
  #expect(try shape(half, "pw13_relu") == FeatureShape(channels: 512, height: 3, width: 3))
  #expect(try ModelZoo.named("mobilenet-v1-2") == nil)
  #expect(try ModelZoo.named("mobilenet-v1-0.5-x") == nil)
}

/// unet-mini: two stride-2 convolutions down, two transposed convolutions back to the encoder's
/// sizes, on even and odd inputs.
@Test(arguments: [(32, 32), (28, 28), (49, 10), (40, 40)])
func unetMiniUpsamplesToTheEncoderSizes(height: Int, width: Int) throws {
  let g = try ModelZoo.unetMini(
    FeatureShape(channels: 3, height: height, width: width), classes: 4)
  let half = try shape(g, "down1_relu")
  #expect(try shape(g, "up1").height == half.height && shape(g, "up1").width == half.width)
  #expect(try shape(g, "up2") == FeatureShape(channels: 8, height: height, width: width))
  #expect(try shape(g, "up2_concat").channels == 16)
  #expect(try g.shapes().last == FeatureShape(features: 4))
}

@Test func unetMiniHasItsParameters() throws {
  let g = try #require(try ModelZoo.named("unet-mini"))
  let enc = 3 * 8 * 9 + 8 + 4 * 8
  let down = (8 * 16 * 9 + 16) + (16 * 32 * 9 + 32) + (32 * 32 * 9 + 32)
  let up1 = (32 * 16 * 16 + 16) + (32 * 16 * 9 + 16)  // transposed 4x4, then the mix of 16 + 16
  let up2 = (16 * 8 * 16 + 8) + (16 * 8 * 9 + 8)
  let head = 8 * 10 + 10
  #expect(try parameters(g) == enc + down + up1 + up2 + head)
}

/// Every ingredient of a classic CNN course appears in some zoo model.
@Test func theZooCoversEveryIngredient() throws {
  var seen: Set<String> = []
  for name in ModelZoo.names {
    for node in try #require(try ModelZoo.named(name)).nodes {
      switch node.layer {
      case .conv2d(let c):
        if c.dilation != Size2(1) { seen.insert("dilated") }
        if c.groups > 1 { seen.insert("grouped") }
        if c.stride != Size2(1) { seen.insert("strided") }
      case .convTranspose2d: seen.insert("transposed")
      case .avgPool2d: seen.insert("avg_pool")
      case .maxPool2d: seen.insert("max_pool")
      case .dropout: seen.insert("dropout")
      case .batchNorm2d: seen.insert("batch_norm")
      case .add: seen.insert("residual")
      case .concat: seen.insert("concat")
      default: break
      }
    }
  }
  #expect(
    seen
      == [
        "dilated", "grouped", "strided", "transposed", "avg_pool", "max_pool", "dropout",
        "batch_norm", "residual", "concat",
      ])
}
