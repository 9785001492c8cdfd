import Datasets
import Graph
import Runtime
import Testing
import Training

@testable import Quantization

/// A float model converted to int8 and run through the Runtime interpreter must classify like
/// the float model and produce logits close to it. A lowering bug (an NCHW weight read as NHWC,
/// the flatten permutation, a padding that shifts the window) scrambles the logits, so these
/// catch it even on untrained, randomly initialised networks.
struct ConvertedModel {
  let float: [[Float]]  // logits per image
  let int8: [[Float]]  // dequantised int8 logits per image

  var agreement: Double {
    let same = zip(float, int8).filter { argmax($0) == argmax($1) }.count
    return Double(same) / Double(float.count)
  }

  /// Cosine similarity of all float and all int8 logits.
  var cosine: Double {
    var dot = 0.0
    var xx = 0.0
    var yy = 0.0
    for (x, y) in zip(float.joined(), int8.joined()) {
      dot += Double(x) * Double(y)
      xx += Double(x) * Double(x)
      yy += Double(y) * Double(y)
    }
    return dot / (xx * yy).squareRoot()
  }

  func argmax(_ v: [Float]) -> Int {
    v.indices.max { v[$0] < v[$1] || (v[$0] == v[$1] && $0 > $1) }!
  }

  /// Calibrates `model` on `calibration` (min/max), converts it and runs `test` through both.
  static func run(_ model: FloatModel, calibration: LabeledImages, test: LabeledImages) throws
    -> ConvertedModel
  {
    let folded = try foldBatchNorms(model)
    let network = try Network(model: folded)
    var calibrator = ActivationCalibrator(
      graph: folded.graph, fixedInput: PixelNormalization.unitRange.inputRange)
    for start in stride(from: 0, to: calibration.count, by: 50) {
      let range = start..<min(start + 50, calibration.count)
      let outputs = try network.outputs(images: calibration, range: range)
      calibrator.observe(outputs.map(\.values), images: range.count)
    }
    let conversion = try convertToInt8(folded, ranges: calibrator.ranges(.minMax))
    let (file, owner) = try openModel(conversion.model.serialized())
    defer { withExtendedLifetime(owner) {} }
    let scratch = UnsafeMutableRawBufferPointer.allocate(
      byteCount: try Interpreter.planningBytes(for: file), alignment: 16)
    defer { scratch.deallocate() }
    let needed = try Interpreter.requirements(for: file, scratch: scratch).totalBytes
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: needed, alignment: 16)
    defer { arena.deallocate() }
    let interpreter = try Interpreter(model: file, arena: arena)
    let input = try interpreter.input(0)
    let output = try interpreter.output(0)
    let inQ = try #require(input.tensor.quantization)
    let outQ = try #require(output.tensor.quantization)
    #expect(inQ.scale == Float(1.0 / 255) && inQ.zeroPoint == -128)

    let floatLogits = try network.predictions(images: test, range: 0..<test.count)
    var result = ConvertedModel(float: [], int8: [])
    for i in 0..<test.count {
      let pixels = test.pixels[i * test.imageSize..<(i + 1) * test.imageSize]
      for (k, p) in pixels.enumerated() { input.bytes[k] = UInt8(bitPattern: Int8(Int(p) - 128)) }
      try interpreter.invoke()
      let q = output.bytes.map { Float(Int32(Int8(bitPattern: $0)) - outQ.zeroPoint) * outQ.scale }
      result = ConvertedModel(
        float: result.float + [Array(floatLogits.sample(i))], int8: result.int8 + [q])
    }
    return result
  }
}

let fashion = Result { try DatasetCatalog.load("fashion-mnist", split: .test) }

@Test(arguments: ["lenet5", "cnn-small", "resnet-mini"])
func convertedZooModelMatchesTheFloatModel(name: String) throws {
  let test = try fashion.get()
  let graph = try #require(try ModelZoo.named(name))
  let model = try randomModel(graph, seed: 5)
  let r = try ConvertedModel.run(
    model, calibration: test.selecting(1000..<1200), test: test.prefix(300))
  #expect(r.cosine > 0.999, "\(name): cosine of the logits \(r.cosine)")
  #expect(r.agreement >= 0.95, "\(name): top-1 agreement \(r.agreement)")
}

/// The branching zoo nets after a short training run (random weights leave inception-mini's
/// logits nearly tied, so top-1 agreement would measure ties, not quantisation): residual ADDs
/// with folded batch norms, a four-way CONCATENATION, global average pooling.
@Test(arguments: ["resnet-mini", "inception-mini"])
func convertedBranchingZooModelMatchesTheFloatModel(name: String) throws {
  let test = try fashion.get()
  let train = try DatasetCatalog.load("fashion-mnist", split: .train).prefix(3000)
  let network = try Network(graph: #require(try ModelZoo.named(name)), seed: 2)
  var options = TrainingOptions()
  options.batchSize = 32
  options.learningRate = 2e-3
  _ = try Trainer(network: network, options: options).trainEpoch(train, epoch: 0)
  let model = try network.floatModel(classNames: [])
  let r = try ConvertedModel.run(
    model, calibration: test.selecting(1000..<1200), test: test.prefix(300))
  #expect(r.cosine > 0.999, "\(name): cosine of the logits \(r.cosine)")
  #expect(r.agreement >= 0.95, "\(name): top-1 agreement \(r.agreement)")
}

/// Strides, SAME and VALID padding, a 1x1 convolution, average pooling, batch norms to fold and
/// a fused ReLU6: the other lowering paths of a chain.
@Test func convertedStridedNetMatchesTheFloatModel() throws {
  let test = try fashion.get()
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 1, height: 28, width: 28),
    [
      ("conv1", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(3), padding: Size2(1)))),
      ("bn1", .batchNorm2d(BatchNormSpec())), ("relu1", .relu6),
      ("pool1", .maxPool2d(PoolSpec(kernel: Size2(3), stride: Size2(2)))),  // 28 -> 13
      (
        "conv2",  // SAME with stride 2 on an odd size
        .conv2d(Conv2DSpec(outChannels: 12, kernel: Size2(3), stride: Size2(2), padding: Size2(1)))
      ),
      ("relu2", .relu), ("conv3", .conv2d(Conv2DSpec(outChannels: 16, kernel: Size2(1)))),
      ("bn3", .batchNorm2d(BatchNormSpec())), ("relu3", .relu),
      ("pool3", .avgPool2d(PoolSpec(kernel: Size2(2)))),  // 7 -> 3
      ("flatten", .flatten), ("fc", .linear(LinearSpec(outFeatures: 10))),
    ])
  let r = try ConvertedModel.run(
    try randomModel(graph, seed: 8), calibration: test.selecting(1000..<1200),
    test: test.prefix(300))
  #expect(r.cosine > 0.999, "cosine of the logits \(r.cosine)")
  #expect(r.agreement >= 0.95, "top-1 agreement \(r.agreement)")
}
