import Datasets
import Foundation
import Graph
import Imaging
import Quantization
import Runtime
import Testing

@testable import TinyCNN

@Test func evalHelpEndsWithExamples() {
  let help = TinyCNNCommand.helpMessage(for: Eval.self)
  #expect(help.contains("Examples:"))
  #expect(help.contains("tinycnn eval --float models/lenet5.safetensors"))
  #expect(help.contains("--report"))
}

@Test func evalValidatesItsFlags() {
  #expect(throws: (any Error).self) { _ = try Eval.parse(["--float", "a.safetensors"]) }
  #expect(throws: (any Error).self) { _ = try Eval.parse(["--int8", "a.tflite"]) }
  #expect(throws: (any Error).self) {
    _ = try Eval.parse(["--float", "a.safetensors", "--int8", "a.tflite", "--limit", "0"])
  }
  #expect(throws: Never.self) {
    _ = try Eval.parse(["--float", "a.safetensors", "--int8", "a.tflite", "--json"])
  }
}

/// quantize then eval on an untrained LeNet-5: the whole path, the charts, and the layer table
/// (the numbers themselves are checked on the trained model below).
@Test func evalComparesAFreshlyQuantizedModelAndDrawsTheCharts() throws {
  let folder = try ScratchFolder()
  let model = try untrainedLeNet(in: folder)
  let int8 = folder.file("lenet5-int8.tflite")
  _ = try Quantize.parse([model, "--samples", "100", "-o", int8, "--quiet"]).quantize()
  let command = try Eval.parse([
    "--float", model, "--int8", int8, "--limit", "200", "--layer-images", "40", "--report",
    folder.file("report"), "--quiet", "--json",
  ])
  try command.run()
  for name in ["float-confusion.png", "int8-confusion.png", "layer-sqnr.png"] {
    let path = folder.file("report/\(name)")
    let bytes = try #require(FileManager.default.contents(atPath: path), "\(name) written")
    let image = try PNG.decode([UInt8](bytes), as: .rgb, source: path)
    #expect(image.width > 300 && image.height > 200, "\(name): \(image.width)x\(image.height)")
  }

  let floatModel = try FloatModel.read(model)
  let test = try DatasetCatalog.load("fashion-mnist", split: .test).prefix(200)
  let result = try EvalResult.compute(
    floatModel: floatModel, folded: floatModel, floatPath: model, int8Path: int8, images: test,
    dataset: "fashion-mnist", layerImages: 40, showProgress: false)
  #expect(result.labels.count == 200 && result.layerImages == 40)
  #expect(
    result.layers.map(\.match.floatNode) == [
      "input", "relu1", "pool1", "relu2", "pool2", "flatten", "relu3", "relu4", "fc3",
    ])
  #expect(result.layers[0].agreement.sqnr == .infinity)  // pixel/255 is exact in int8
  for layer in result.layers.dropFirst() {
    #expect(layer.agreement.sqnr > 20, "\(layer.match.tensorName): \(layer.agreement.sqnr) dB")
    #expect(layer.agreement.cosine > 0.99, "\(layer.match.tensorName)")
  }
  #expect(result.agreement > 0.9)
  // The device figure is the reference kernels' arena; the SIMD kernels add re-packed filters.
  #expect(result.arenaBytes == (try Int8Runner(path: int8).arenaBytes))
  #expect(result.hostArenaBytes > result.arenaBytes)
  let matrix = result.json.int8.confusion
  #expect(matrix.count == 10 && matrix.joined().reduce(0, +) == 200)
  #expect(result.text().contains("conv1    CONV_2D+RELU"))
}

/// The repository's root, from this file's path (Tests/CLITests/<file>).
private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

/// Each bundled model against its float model on the whole Fashion-MNIST test split: the
/// figures the README and the issue quote.
@Test(arguments: ["lenet5", "cnn-small"])
func bundledInt8ModelIsAsAccurateAsTheFloatModel(name: String) throws {
  let floatPath = repository + "/models/\(name).safetensors"
  let int8Path = repository + "/models/\(name)-int8.tflite"
  let floatModel = try FloatModel.read(floatPath)
  let test = try DatasetCatalog.load("fashion-mnist", split: .test)
  #expect(test.count == 10_000)
  let result = try EvalResult.compute(
    floatModel: floatModel, folded: try foldBatchNorms(floatModel), floatPath: floatPath,
    int8Path: int8Path, images: test, dataset: "fashion-mnist", layerImages: 0,
    showProgress: false)
  #expect(
    result.int8Accuracy >= result.floatAccuracy - 0.005,
    "int8 \(result.int8Accuracy) vs float \(result.floatAccuracy)")
  #expect(result.agreement >= 0.98, "agreement \(result.agreement)")
}

/// The bundled .tflite is what `tinycnn quantize` makes of the bundled float model, so it is
/// never stale. Calibration runs the float model, whose last bits depend on the machine (FMA or
/// not), so activation scales may differ in the last place and biases (at input scale x weight
/// scale) by one step; weights and structure must be identical.
@Test func bundledInt8ModelIsTheQuantizersOutput() throws {
  let folder = try ScratchFolder()
  let out = folder.file("lenet5-int8.tflite")
  let command = try Quantize.parse([
    repository + "/models/lenet5.safetensors", "--samples", "500", "-o", out, "--quiet",
  ])
  _ = try command.quantize()
  let made = try Int8Runner(path: out).model
  let bundled = try Int8Runner(path: repository + "/" + BundledModel.relativePath).model
  let hint = "rerun: tinycnn quantize models/lenet5.safetensors --out models/lenet5-int8.tflite"
  #expect(made.tensorCount == bundled.tensorCount && made.operatorCount == bundled.operatorCount)
  for t in 0..<min(made.tensorCount, bundled.tensorCount) {
    let a = try made.tensor(at: t)
    let b = try bundled.tensor(at: t)
    let name = String(decoding: a.name, as: UTF8.self)
    #expect(a.name.elementsEqual(b.name) && a.type == b.type && a.elementCount == b.elementCount)
    if let qa = a.quantization, let qb = b.quantization {
      #expect(qa.scaleCount == qb.scaleCount, "\(name)")
      for c in 0..<min(qa.scaleCount, qb.scaleCount) {
        #expect(abs(qa.scales[c] / qb.scales[c] - 1) < 1e-5, "\(name) scale \(c): \(hint)")
        #expect(qa.zeroPoint(c) == qb.zeroPoint(c), "\(name) zero point: \(hint)")
      }
    }
    guard let da = a.data, let db = b.data else {
      #expect(a.data == nil && b.data == nil, "\(name)")
      continue
    }
    if a.type == .int32 {
      let va = da.bindMemory(to: Int32.self)
      let vb = db.bindMemory(to: Int32.self)
      #expect(zip(va, vb).allSatisfy { abs(Int64($0) - Int64($1)) <= 1 }, "\(name): \(hint)")
    } else {
      #expect(da.elementsEqual(db), "\(name): \(hint)")
    }
  }
}

@Test func bundledModelIsFoundFromTheRepositoryOrBesideTheExecutable() {
  #expect(
    BundledModel.path(currentDirectory: repository, executable: nil) == "models/lenet5-int8.tflite")
  let elsewhere = NSTemporaryDirectory()
  #expect(
    BundledModel.path(
      currentDirectory: elsewhere, executable: repository + "/.build/release/tinycnn")
      == repository + "/models/lenet5-int8.tflite")
  #expect(BundledModel.path(currentDirectory: elsewhere, executable: "/usr/bin/tinycnn") == nil)
}
