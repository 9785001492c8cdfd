import Datasets
import Foundation
import Graph
import Imaging
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
  var command = try Eval.parse([
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
  let matrix = result.json.int8.confusion
  #expect(matrix.count == 10 && matrix.joined().reduce(0, +) == 200)
  #expect(result.text().contains("conv1    CONV_2D+RELU"))
}
