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
