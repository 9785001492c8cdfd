import Graph
import Runtime
import Testing

@testable import Estimator

func layer(
  _ op: BuiltinOperator, input: [Int], output: [Int], kernel: Int = 1, stride: Int = 1, macs: Int,
  weights: Int
) -> LayerWork {
  var l = LayerWork(name: "l", op: op, inputShapes: [input], outputShape: output)
  l.kernel = Size2(kernel)
  l.stride = Size2(stride)
  l.macs = macs
  l.weightCount = weights
  l.biasCount = output.last!
  l.weightScales = output.last!
  return l
}

@Test func cmsisNNPicksItsKernelPathFromTheShape() throws {
  let m4 = try CostModel(target: #require(Target.named("stm32l4r5")), library: .cmsisNN)
  let pointwise = layer(
    .conv2D, input: [10, 10, 64], output: [10, 10, 64], macs: 409_600, weights: 4096)
  let strided = layer(
    .conv2D, input: [10, 10, 64], output: [5, 5, 64], stride: 2, macs: 102_400, weights: 4096)
  let threeByThree = layer(
    .conv2D, input: [10, 10, 64], output: [8, 8, 64], kernel: 3, macs: 64 * 64 * 576,
    weights: 64 * 576)
  let dw3 = layer(
    .depthwiseConv2D, input: [8, 8, 32], output: [8, 8, 32], kernel: 3, macs: 64 * 32 * 9,
    weights: 288)
  let dw5 = layer(
    .depthwiseConv2D, input: [8, 8, 32], output: [8, 8, 32], kernel: 5, macs: 64 * 32 * 25,
    weights: 800)
  #expect(m4.path(for: pointwise) == .conv1x1)
  #expect(m4.path(for: strided) == .conv1x1Strided)
  #expect(m4.path(for: threeByThree) == .conv)
  #expect(m4.path(for: dw3) == .depthwise3x3)
  #expect(m4.path(for: dw5) == .depthwise)
  // TFLM's reference kernels have one loop nest per operator: everything falls back.
  let ref = try CostModel(target: #require(Target.named("stm32l4r5")), library: .reference)
  #expect(ref.path(for: pointwise) == .conv && ref.path(for: dw3) == .depthwise)

  // Only the im2col path asks for a buffer: 2 columns of 3*3*64 int16 values
  // (arm_convolve_s8_get_buffer_size); 1x1 reads the input in place.
  #expect(m4.estimate(pointwise).scratchBytes == 0)
  #expect(m4.estimate(threeByThree).scratchBytes == 2 * 576 * 2)
  // The cost is the path's coefficients times the layer's counts, plus TFLM's per-operator work.
  let c = try #require(m4.costs.paths[.conv1x1]).cycles
  let kernel =
    try #require(c[.call]) + 409_600 * c[.mac]! + 6400 * c[.output]! + 100 * c[.pixel]!
  #expect(abs(m4.kernelCycles(pointwise) - kernel) < 1e-6)
  #expect(
    m4.estimate(pointwise).computeCycles == m4.costs.operatorOverhead.value
      + m4.kernelCycles(pointwise))
}

@Test func theIm2colPathPaysForTheCopyAndTheDepthTail() throws {
  let m4 = try CostModel(target: #require(Target.named("cortex-m4")), library: .cmsisNN)
  // Same MACs, same outputs: 3 input channels (depth 27, a tail of 3 past the 4-wide SMLAD
  // step, one im2col value per MAC per output channel) cost more per MAC than 4 channels x 16.
  let rgb = layer(
    .conv2D, input: [32, 32, 3], output: [32, 32, 16], kernel: 3, macs: 1024 * 16 * 27, weights: 432
  )
  let deep = layer(
    .conv2D, input: [32, 32, 12], output: [32, 32, 4], kernel: 3, macs: 1024 * 4 * 108, weights: 432
  )
  let perMAC = { (l: LayerWork) in m4.kernelCycles(l) / Double(l.macs) }
  #expect(perMAC(rgb) > perMAC(deep))
  #expect(KernelTerm.counts(rgb, path: .conv)[.tailMAC] == Double(1024 * 16 * 3))
  #expect(KernelTerm.counts(deep, path: .conv)[.tailMAC] == 0)
}

/// SAME padding: on a 32x32 map a 3x3 window has 30 rows and columns of full windows and one of
/// two taps on each border: 32 * 3 - 2 = 94 taps per axis lie inside.
@Test func paddedTapsAreCountedApart() throws {
  #expect(KernelTerm.insideTaps(input: 32, output: 32, kernel: 3, stride: 1, dilation: 1) == 94)
  // Stride 2 SAME on an even size pads only after the input (TFLite: the smaller half first).
  #expect(KernelTerm.insideTaps(input: 32, output: 16, kernel: 3, stride: 2, dilation: 1) == 47)
  #expect(KernelTerm.insideTaps(input: 30, output: 28, kernel: 3, stride: 1, dilation: 1) == 84)
  let l = layer(
    .conv2D, input: [32, 32, 16], output: [32, 32, 16], kernel: 3, macs: 1024 * 16 * 144,
    weights: 2304)
  let t = KernelTerm.counts(l, path: .conv)
  #expect(t[.mac] == Double(94 * 94 * 16 * 16))
  #expect(t[.mac]! + t[.paddedMAC]! == Double(l.macs))
  // TFLM's reference loop nest skips a padded tap; CMSIS-NN multiplies the zeros of im2col.
  let t4 = try #require(Target.named("cortex-m4"))
  let ref = try #require(CostModel(target: t4, library: .reference).costs.paths[.conv]).cycles
  let cmsis = try #require(CostModel(target: t4, library: .cmsisNN).costs.paths[.conv]).cycles
  #expect((ref[.paddedMAC] ?? 0) < 0.2 * ref[.mac]!)
  #expect((cmsis[.paddedMAC] ?? 0) > 0.5 * cmsis[.mac]!)
}

@Test func weightsThatFitTheDataCacheAreReadFromFlashOnce() throws {
  let h7 = try #require(Target.named("stm32h7a3"))  // 16 KB D-cache
  let model = try CostModel(target: h7, library: .cmsisNN)
  let small = model.estimate(
    layer(.conv2D, input: [16, 16, 16], output: [16, 16, 16], macs: 65_536, weights: 256))
  #expect(small.weightTrafficBytes == 256 + 4 * 16)
  let large = model.estimate(
    layer(
      .conv2D, input: [16, 16, 64], output: [16, 16, 256], kernel: 3, macs: 256 * 256 * 576,
      weights: 147_456))
  // 144 KB of weights > half the cache: streamed once per pass of the mat-mult tile (2 output
  // pixels on the im2col path, as the harness measured).
  let columns = try #require(model.costs.paths[.conv]).columnsPerWeightPass
  #expect(columns == 2)
  #expect(large.weightTrafficBytes == 147_456 * 128 + 4 * 256)
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

/// CMSIS-NN is the fastest everywhere. TinyCNN's Swift loops beat TFLM's reference kernels
/// (whose index checks stay compiled in) on Armv7E-M, but not on Armv6-M, where the measured
/// Swift code is slower for LeNet-5's one-channel first convolution and its dense layers.
@Test func cmsisNNIsFastestAndTinyCNNBeatsTheReferenceOnArmv7EM() throws {
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  for name in ["cortex-m4", "cortex-m7", "cortex-m0plus"] {
    let t = try #require(Target.named(name))
    let cmsis = try estimate(work, on: t, kernels: .cmsisNN).totalCycles
    let tiny = try estimate(work, on: t, kernels: .tinycnn).totalCycles
    let reference = try estimate(work, on: t, kernels: .reference).totalCycles
    #expect(cmsis < tiny && cmsis < reference, "\(name): \(cmsis) \(tiny) \(reference)")
    if name != "cortex-m0plus" { #expect(tiny < reference, "\(name): \(tiny) \(reference)") }
  }
}

@Test func clockOverrideScalesLatencyOnly() throws {
  let t = try #require(Target.named("stm32f746"))
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  let fast = try estimate(work, on: t, kernels: .cmsisNN)
  let slow = try estimate(work, on: t.clocked(at: 108), kernels: .cmsisNN)
  #expect(abs(slow.milliseconds - 2 * fast.milliseconds) < 1e-9)
  // Equal up to rounding: the cycle terms that involve the clock (flash wait states priced in
  // time) round differently in the last bit in some builds (AddressSanitizer's: 1437241.2135 vs
  // 1437241.2134999998).
  #expect(abs(slow.totalCycles - fast.totalCycles) <= 1e-12 * fast.totalCycles)
}
