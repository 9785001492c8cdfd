import Estimator
import Graph
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

@Test func groupedThousands() {
  #expect(EstimateReport.grouped(416_520) == "416,520")
  #expect(EstimateReport.grouped(999) == "999")
  #expect(EstimateReport.grouped(1_000_000) == "1,000,000")
}
