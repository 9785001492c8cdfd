import Foundation
import KernelDispatch
import Pipeline
import Runtime
import Testing

@testable import TinyCNN

private let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("RuntimeTests/Golden")

@Test func benchCountsEveryLayersMACsAndTimesEveryOperator() throws {
  let path = golden.appendingPathComponent("lenet5_fixed/model.tflite").path
  let cpu = CPUPeak.parse(
    "model name\t: Test CPU\ncpu MHz\t\t: 2000.000\nflags\t\t: fpu sse2 avx avx2 fma\n")
  for kernels in [KernelSet.reference, .fastest] {
    let result = try BenchResult.measure(
      path: path, kernels: kernels, batch: 2, runs: 3, warmup: 1, threads: 2, cpu: cpu)
    // LeNet-5: conv 28x28x6 (5x5x1), conv 10x10x16 (5x5x6), fc 400-120-84-10.
    #expect(
      result.layers.map(\.macs) == [
        28 * 28 * 6 * 25, 0, 10 * 10 * 16 * 150, 0, 0, 48_000, 10_080, 840,
      ])
    #expect(result.macs == 416_520)
    #expect(result.layers.map(\.op).first == "CONV_2D")
    #expect(result.layers.allSatisfy { $0.microseconds > 0 })
    #expect(result.latencyMicroseconds.min <= result.latencyMicroseconds.median)
    #expect(result.latencyMicroseconds.median <= result.latencyMicroseconds.max)
    #expect(result.throughput.threads == 2 && result.throughput.imagesPerSecond > 0)
    #expect(result.text.contains("total (invoke)"))
    #expect(result.text.contains("32 MAC/cycle = 64.0 GMAC/s"))
  }
}

@Test func cpuPeakFollowsTheWidestVectorExtension() {
  func peak(_ flags: String) -> CPUPeak {
    CPUPeak.parse("model name\t: X\ncpu MHz\t\t: 3000.0\nflags\t\t: \(flags)\n")
  }
  #expect(peak("sse2").macsPerCycle == 16)
  #expect(peak("sse2 avx2 fma").macsPerCycle == 32)
  #expect(peak("avx2 avx512f avx512bw").macsPerCycle == 64)
  #expect(peak("avx2 avx512f avx512bw avx512_vnni").macsPerCycle == 128)
  #expect(peak("avx2").peakGMACs == 96)
  // AMD Zen 4 (family 25) runs 512-bit instructions at one per cycle, 256-bit ones at two.
  func amd(_ family: Int, _ flags: String) -> CPUPeak {
    CPUPeak.parse(
      "vendor_id\t: AuthenticAMD\ncpu family\t: \(family)\nmodel name\t: EPYC\n"
        + "cpu MHz\t\t: 3000.0\nflags\t\t: \(flags)\n")
  }
  #expect(amd(25, "avx2 avx512f avx512bw avx512_vnni").macsPerCycle == 64)
  #expect(amd(25, "avx2 fma").macsPerCycle == 32)
  #expect(amd(26, "avx2 avx512f avx512bw avx512_vnni").macsPerCycle == 128)
  #expect(CPUPeak.parse("").peakGMACs == 0)
}

@Test func benchValidatesItsFlags() {
  for bad in [["--batch", "0"], ["--batch", "65"], ["--runs", "0"], ["--threads", "0"]] {
    #expect(throws: (any Error).self, "\(bad)") { try Bench.parse(bad) }
  }
  #expect(TinyCNNCommand.helpMessage(for: Bench.self).contains("tinycnn bench --model"))
}
