import Foundation
import Imaging
import Pipeline
import TestSupport
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

/// quantize then eval on an untrained LeNet-5 through the commands: the charts, the JSON and the
/// layer table (PipelineTests checks the numbers).
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

  let result = try EvalResult.compute(
    floatPath: model, int8Path: int8, dataset: nil, limit: 200, layerImages: 40)
  let json = result.json
  #expect(json.images == 200 && json.layers.count == 9 && json.batchSize == 4)
  #expect(json.int8.confusion.count == 10 && json.int8.confusion.joined().reduce(0, +) == 200)
  // The keys a script reads: the class names under the models' metadata key.
  let text = try jsonText(json)
  for key in ["\"class_names\" : [", "\"batch_size\" : 4", "\"int8_arena_bytes\" : "] {
    #expect(text.contains(key), "--json lacks \(key)")
  }
  #expect(result.text().contains("conv1    CONV_2D+RELU"))
}

@Test func bundledModelIsFoundFromTheRepositoryOrBesideTheExecutable() {
  #expect(
    BundledModel.path(currentDirectory: repositoryRoot, executable: nil)
      == "models/lenet5-int8.tflite")
  let elsewhere = NSTemporaryDirectory()
  #expect(
    BundledModel.path(
      currentDirectory: elsewhere, executable: repositoryRoot + "/.build/release/tinycnn")
      == repositoryRoot + "/models/lenet5-int8.tflite")
  #expect(BundledModel.path(currentDirectory: elsewhere, executable: "/usr/bin/tinycnn") == nil)
}
