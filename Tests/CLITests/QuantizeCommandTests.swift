import Foundation
import Pipeline
import TestSupport
import Testing

@testable import TinyCNN

@Test func quantizeHelpEndsWithExamples() {
  let help = TinyCNNCommand.helpMessage(for: Quantize.self)
  #expect(help.contains("Examples:"))
  #expect(help.contains("tinycnn quantize models/lenet5.safetensors --samples 500"))
  #expect(help.contains("--calibration-method"))
}

@Test func quantizeValidatesItsFlags() {
  #expect(throws: (any Error).self) { _ = try Quantize.parse([]) }
  #expect(throws: (any Error).self) { _ = try Quantize.parse(["m.safetensors", "--samples", "0"]) }
  #expect(throws: (any Error).self) {
    _ = try Quantize.parse(["m.safetensors", "--calibration-method", "kl"])
  }
  #expect(throws: (any Error).self) {
    _ = try Quantize.parse(["m.safetensors", "--calibration-method", "percentile:20"])
  }
  #expect(throws: Never.self) {
    _ = try Quantize.parse(["m.safetensors", "--calibration-method", "percentile:99.9", "--json"])
  }
  let defaults = try? Quantize.parse(["models/net.safetensors"])
  #expect(defaults?.outputPath == "models/net-int8.tflite")
  #expect(defaults?.samples == 500)
}

@Test func quantizeWritesTheModelThroughATemporaryFile() throws {
  let folder = try ScratchFolder()
  let model = try untrainedLeNet(in: folder)
  let out = folder.file("lenet5-int8.tflite")
  let command = try Quantize.parse([model, "--samples", "60", "-o", out, "--quiet", "--json"])
  try command.run()
  // Only the model and the result: the temporary file was renamed.
  #expect(folder.contents == ["lenet5-int8.tflite", "lenet5.safetensors"])
  #expect(try ModelSession(path: out).file.classNames?.first == "class 0")
}

@Test func quantizeNamesTheFileItCannotRead() throws {
  let folder = try ScratchFolder()
  let missing = folder.file("nothing.safetensors")
  let command = try Quantize.parse([missing, "--quiet"])
  let error = #expect(throws: InputError.self) { try command.run() }
  #expect(error?.file == missing)
}

@Test func quantizeReportShowsEveryLayerFusedReLUsAndSizes() throws {
  let folder = try ScratchFolder()
  let model = try untrainedLeNet(in: folder)
  let out = folder.file("q.tflite")
  let command = try Quantize.parse([model, "--samples", "20", "-o", out, "--quiet"])
  let report = try command.quantize()
  #expect(report.layers.count == 9 && report.layers[1].weightScales == 6)
  #expect(
    report.fileBytes == (try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int))
  #expect(report.arenaBytes == (try ModelSession(path: out).arenaBytes))
  let text = report.text()
  #expect(text.contains("conv1    CONV_2D+RELU"))
  #expect(text.contains("fc3      FULLY_CONNECTED "))
  #expect(text.contains("calibrated on 20 fashion-mnist training images (minmax)"))
  #expect(text.contains("\narena: \(Format.grouped(report.arenaBytes!)) B"))
  #expect(QuantizeReport.scientific(0.003921568) == "0.003922")
  #expect(QuantizeReport.scientific(1.2346e-5) == "1.235e-05")
  #expect(QuantizeReport.scientific(0.99996e-4) == "1.000e-04")
}
