import Graph
import Testing

@testable import Estimator

func layer(
  _ op: OperatorKind, input: [Int], output: [Int], kernel: Int = 1, macs: Int, weights: Int
)
  -> LayerWork
{
  var l = LayerWork(name: "l", op: op, inputShapes: [input], outputShape: output)
  l.kernel = Size2(kernel)
  l.macs = macs
  l.weightCount = weights
  l.biasCount = output.last!
  l.weightScales = output.last!
  return l
}

@Test func aOneByOneConvolutionSkipsIm2col() throws {
  let m4 = try CostModel(target: #require(Target.named("stm32l4r5")), library: .cmsisNN)
  let pointwise = m4.estimate(
    layer(.conv2D, input: [10, 10, 64], output: [10, 10, 64], macs: 409_600, weights: 4096))
  let threeByThree = m4.estimate(
    layer(
      .conv2D, input: [10, 10, 64], output: [8, 8, 64], kernel: 3, macs: 64 * 64 * 576,
      weights: 64 * 576))
  #expect(pointwise.scratchBytes == 0)
  // CMSIS-NN's im2col for 2 columns of 3*3*64 int16 values (arm_convolve_s8_get_buffer_size).
  #expect(threeByThree.scratchBytes == 2 * 576 * 2)
  let c = m4.costs
  #expect(
    pointwise.computeCycles == c["call_overhead"] + 409_600 * c["mac_conv_1x1"] + 6400
      * c["per_output"])
}

@Test func weightsThatFitTheDataCacheAreReadFromFlashOnce() throws {
  let h7 = try #require(Target.named("stm32h7a3"))  // 16 KB D-cache
  let model = try CostModel(target: h7, library: .cmsisNN)
  let small = model.estimate(
    layer(.conv2D, input: [16, 16, 16], output: [16, 16, 16], macs: 65_536, weights: 256))
  #expect(small.weightTrafficBytes == 256 + 4 * 16)
  let large = model.estimate(
    layer(.conv2D, input: [16, 16, 64], output: [16, 16, 256], macs: 4_194_304, weights: 16_384))
  // 16 KB of weights > half the cache: streamed once per 2 output pixels (the 2x2 tile).
  #expect(large.weightTrafficBytes == 16_384 * 128 + 4 * 256)
  #expect(large.flashStallCycles == Double(large.weightTrafficBytes) * h7.flashRead.stallPerByte)
}

@Test func heliumIsFasterThanDSPWhichIsFasterThanNoSIMD() throws {
  let work = try ModelWork(graph: ModelZoo.cnnSmall, name: "cnn-small")
  func cyclesPerMAC(_ name: String) throws -> Double {
    var t = try #require(Target.named(name))
    t.flashRead.stallCycles = 0  // compare the cores, not their flash
    let e = try estimate(work, on: t, kernels: .cmsisNN)
    return e.totalCycles / Double(e.totalMACs)
  }
  let m55 = try cyclesPerMAC("cortex-m55")
  let m7 = try cyclesPerMAC("cortex-m7")
  let m4 = try cyclesPerMAC("cortex-m4")
  let m0 = try cyclesPerMAC("cortex-m0plus")
  #expect(m55 < m7 && m7 < m4 && m4 < m0, "\(m55) \(m7) \(m4) \(m0)")
  #expect(m0 / m4 > 3)  // no SMLAD: one MAC per multiply, 2-cycle loads
}

@Test func clockOverrideScalesLatencyOnly() throws {
  let t = try #require(Target.named("stm32f746"))
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  let fast = try estimate(work, on: t, kernels: .cmsisNN)
  let slow = try estimate(work, on: t.clocked(at: 108), kernels: .cmsisNN)
  #expect(abs(slow.milliseconds - 2 * fast.milliseconds) < 1e-9)
  #expect(slow.totalCycles == fast.totalCycles)
}
