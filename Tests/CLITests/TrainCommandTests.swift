import Datasets
import Foundation
import Graph
import Imaging
import Testing
import Training

@testable import TinyCNN

private func temporaryFolder(_ name: String) throws -> String {
  let path =
    NSTemporaryDirectory() + "tinycnn-\(name)-\(getpid())-\(UInt32.random(in: 0...999_999))"
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

@Test func trainHelpEndsWithExamples() {
  let help = TinyCNNCommand.helpMessage(for: Train.self)
  #expect(help.contains("Examples:"))
  #expect(help.contains("tinycnn train --model lenet5 --epochs 10 -o models/lenet5.safetensors"))
  #expect(help.contains("--batch-size"))
  #expect(help.contains("--schedule"))
}

@Test func trainValidatesItsFlags() {
  for bad in [
    ["--epochs", "0"], ["--batch-size", "0"], ["--lr", "-1"], ["--optimizer", "rmsprop"],
    ["--schedule", "linear"], ["--schedule", "step:0:0.5"], ["--augment", "rotate"],
    ["--augment", "shift:0"], ["--limit", "0"], ["--threads", "0"], ["--momentum", "1"],
  ] {
    #expect(throws: (any Error).self, "\(bad)") { _ = try Train.parse(bad) }
  }
  #expect(throws: Never.self) {
    _ = try Train.parse([
      "--optimizer", "sgd", "--schedule", "step:3:0.5", "--augment", "flip,shift:2",
    ])
  }
}

/// A real (tiny) run end to end: the file it writes opens as a model with the training record.
@Test func trainWritesAModelFileWithItsTrainingRecord() throws {
  let folder = try temporaryFolder("train")
  defer { try? FileManager.default.removeItem(atPath: folder) }
  let out = folder + "/nested/lenet5.safetensors"
  var command = try Train.parse([
    "--model", "lenet5", "--epochs", "2", "--limit", "600", "--batch-size", "32", "--seed", "5",
    "--out", out, "--quiet",
  ])
  try command.run()
  let model = try FloatModel.read(out)
  #expect(model.graph == ModelZoo.lenet5)
  #expect(model.classNames == FashionMNIST.classNames)
  #expect(model.metadata["dataset"] == "fashion-mnist")
  let record = try TrainingRecord(json: #require(model.metadata["training"]))
  #expect(record.epochs == 2)
  #expect(record.seed == 5)
  #expect(record.trainImages == 600)
  #expect(record.history.count == 2)
  #expect(record.testAccuracy == record.history[1].testAccuracy)
  #expect(record.testAccuracy > 0.3)  // 600 images, 2 epochs: well above chance (0.1)
  #expect(record.inputNormalization == "pixel/255")
  // The accuracy in the record is what the saved weights give.
  let network = try Network(model: model)
  let test = try FashionMNIST.load(.test).prefix(600)
  #expect(abs(try network.evaluate(test).accuracy - record.testAccuracy) < 1e-9)
  #expect(!FileManager.default.fileExists(atPath: out + ".tmp-\(getpid())"))
}

@Test func trainNamesAMissingDatasetAndAnUnknownModel() throws {
  var missing = try Train.parse(["--dataset", "/nonexistent/data", "--quiet"])
  #expect {
    try missing.run()
  } throws: { error in
    "\(error)".contains("/nonexistent/data")
  }
  var unknown = try Train.parse(["--model", "resnet1000", "--limit", "10", "--quiet"])
  #expect {
    try unknown.run()
  } throws: { error in
    "\(error)".contains("resnet1000") && "\(error)".contains("lenet5")
  }
}

@Test func classNamesBecomeFileNames() {
  #expect(ExportImages.slug("Ankle boot") == "ankle-boot")
  #expect(ExportImages.slug("T-shirt/top") == "t-shirt-top")
  #expect(ExportImages.slug("  Bag ") == "bag")
  #expect(ExportImages.slug("7") == "7")
  #expect(ExportImages.slug("???") == "class")
}

@Test func exportImagesWritesTheFirstTestImagesOfEachClass() throws {
  let folder = try temporaryFolder("images")
  defer { try? FileManager.default.removeItem(atPath: folder) }
  var command = try ExportImages.parse(["--per-class", "2", "--out", folder, "--quiet"])
  try command.run()
  let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
  #expect(files.count == 20)
  #expect(files.contains("ankle-boot-0.png") && files.contains("t-shirt-top-1.png"))
  // ankle-boot-0 is the first test image labelled 9, pixel for pixel.
  let test = try FashionMNIST.load(.test)
  let first = try #require(test.labels.firstIndex(of: 9))
  let decoded = try PNG.read(folder + "/ankle-boot-0.png", as: .gray)
  #expect(decoded == test.image(first))
}
