import Foundation
import Pipeline
import TestSupport
import Testing

@testable import TinyCNN

/// A CIFAR-10 binary folder of `train` + `test` seeded random 32x32 RGB images of 3 classes
/// (named in batches.meta.txt): data for a pipeline run, not for learning anything.
private func writeTinyCIFAR(in folder: ScratchFolder, train: Int, test: Int) throws -> String {
  let root = folder.file("cifar")
  try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  var state: UInt64 = 14
  func batch(_ records: Int) -> Data {
    var bytes: [UInt8] = []
    for record in 0..<records {
      bytes.append(UInt8(record % 3))
      for _ in 0..<(3 * 32 * 32) {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes.append(UInt8(truncatingIfNeeded: state >> 56))
      }
    }
    return Data(bytes)
  }
  try batch(train).write(to: URL(fileURLWithPath: root + "/data_batch_1.bin"))
  try batch(test).write(to: URL(fileURLWithPath: root + "/test_batch.bin"))
  try Data("circle\nsquare\ntriangle\n".utf8).write(
    to: URL(fileURLWithPath: root + "/batches.meta.txt"))
  return "cifar10:" + root
}

/// The zoo's deployable networks through the commands a user chains: train (one short epoch on
/// 32x32 RGB data, which each adapts to), quantize, eval and estimate. unet-mini's transposed
/// convolutions must come out as TRANSPOSE_CONV (the quantizer once refused them).
@Test(arguments: ["resnet8", "ds-cnn", "mobilenet-v1", "unet-mini"])
func zooModelGoesFromTrainToEstimateThroughTheCommands(model: String) throws {
  let folder = try ScratchFolder()
  let data = try writeTinyCIFAR(in: folder, train: 24, test: 12)
  let float = folder.file("\(model).safetensors")
  let int8 = folder.file("\(model)-int8.tflite")
  var train = try Train.parse([
    "--model", model, "--dataset", data, "--epochs", "1", "--batch-size", "8", "--threads", "1",
    "--quiet", "-o", float,
  ])
  try train.run()
  let report = try Quantize.parse([float, "--samples", "12", "-o", int8, "--quiet"]).quantize()
  let operators = Set(report.layers.flatMap(\.operators))
  #expect(operators.contains("CONV_2D"))
  if model == "unet-mini" { #expect(operators.contains("TRANSPOSE_CONV")) }
  #expect(try ModelSession(path: int8).file.classNames == ["circle", "square", "triangle"])

  let result = try EvalResult.compute(
    floatPath: float, int8Path: int8, dataset: nil, limit: 12, layerImages: 4)
  #expect(result.json.images == 12)
  try Eval.parse(["--float", float, "--int8", int8, "--limit", "12", "--quiet", "--json"]).run()
  try Estimate.parse(["--model", int8, "--target", "stm32f746", "--quiet", "--json"]).run()
}
