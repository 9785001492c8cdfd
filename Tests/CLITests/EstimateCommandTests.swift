import Estimator
import Foundation
import Graph
import Pipeline
import Testing

@testable import TinyCNN

@Test func estimateHelpEndsWithExamples() {
  let help = TinyCNNCommand.helpMessage(for: Estimate.self)
  #expect(help.contains("Examples:"))
  #expect(help.contains("tinycnn estimate --model alexnet --target stm32f746"))
  #expect(help.contains("--list-targets"))
}

@Test func estimateValidatesItsFlags() {
  #expect(throws: (any Error).self) { _ = try Estimate.parse(["--target", "rp2040"]) }  // no model
  #expect(throws: (any Error).self) { _ = try Estimate.parse(["--model", "lenet5"]) }  // no target
  #expect(throws: (any Error).self) {
    _ = try Estimate.parse(["--model", "lenet5", "--target", "rp2040", "--kernels", "fast"])
  }
  #expect(throws: (any Error).self) {
    _ = try Estimate.parse(["--model", "lenet5", "--target", "rp2040", "--clock", "-1"])
  }
  #expect(throws: Never.self) { _ = try Estimate.parse(["--list-targets"]) }
  #expect(throws: Never.self) {
    _ = try Estimate.parse(["--model", "lenet5", "--target", "all", "--kernels", "reference"])
  }
}

@Test func estimateReportHasLayersTotalsAndVerdicts() throws {
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  let e = try estimate(work, on: #require(Target.named("stm32f746")), kernels: .cmsisNN)
  let text = EstimateReport.text(e)
  #expect(text.contains("conv1    CONV_2D+RELU"))
  #expect(text.contains("416,520"))  // total MACs
  #expect(text.contains("61,706"))  // total parameters
  #expect(text.contains("\nflash: fits,"))
  #expect(text.contains("\nSRAM: fits,"))
  let alexnet = try ModelWork(graph: #require(try ModelZoo.named("alexnet")), name: "alexnet")
  let big = try estimate(alexnet, on: #require(Target.named("stm32f746")), kernels: .cmsisNN)
  #expect(EstimateReport.text(big).contains("flash: does not fit, 59.6 MB"))
  #expect(EstimateReport.text(big).contains("> 1.0 MB flash on STM32F746NG"))
}

/// The --json keys bench/estimator/validate.py and users' scripts read, with a null (not a
/// missing key) for a layer without a fused activation.
@Test func estimateJSONKeepsItsKeys() throws {
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  let e = try estimate(work, on: #require(Target.named("rp2040")), kernels: .cmsisNN)
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  let data = try encoder.encode(EstimateJSON.Result(e))
  let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  #expect(
    Set(root.keys) == [
      "model", "target", "kernels", "layers", "total", "flash", "sram", "verdicts",
    ])
  let layers = try #require(root["layers"] as? [[String: Any]])
  #expect(layers.count == e.layers.count)
  #expect(layers[0]["operator"] as? String == "CONV_2D")
  #expect(layers[1]["fused_activation"] is NSNull)  // pool1
  #expect((root["total"] as? [String: Any])?["macs"] as? Int == 416_520)
  let target = try #require(root["target"] as? [String: Any])
  #expect(target["clock_mhz"] as? Double == 133 && target["name"] as? String == "rp2040")
}

/// `estimate` and `inspect` agree on the bundled .tflite: flash is the file, and the SRAM the
/// Runtime will allocate is the arena `inspect` reports (the same planner, not a second one).
@Test func estimateAccountsFlashAndSRAMAsInspectReportsThem() throws {
  let path =
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path + "/" + BundledModel.relativePath
  let info = try ModelInfo(ModelFile(path: path))
  let arena = try #require(info.arena)
  let work = try ModelWork(tfliteAt: path)
  let target = try #require(Target.named("stm32f746"))

  let ours = try estimate(work, on: target, kernels: .tinycnn).memory
  #expect(ours.arenaFromRuntime)
  #expect(ours.modelBytes == info.fileBytes)
  #expect(
    ours.arenaBytes + ours.persistentBytes + ours.preparedConstantBytes == info.arenaBytes)
  // The whole plan is constants, in flash: LeNet-5's operators all have constant records (no
  // RAM records, no kernel state), beside the header, the conv multipliers and shifts and the
  // operator and tensor tables.
  #expect(ours.persistentBytes == 0)
  #expect(ours.preparedConstantBytes == arena.planBytes)
  #expect(ours.preparedConstantBytes > 32 + 8 * (6 + 16))

  let tflm = try estimate(work, on: target, kernels: .cmsisNN).memory
  #expect(tflm.modelBytes == info.fileBytes)
  #expect(tflm.activationArenaBytes == arena.tensorBytes)
}
