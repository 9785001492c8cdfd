import Graph
import Testing

@testable import Estimator

@Test(arguments: KernelLibrary.allCases)
func alexnetFitsNoListedTarget(library: KernelLibrary) throws {
  let work = try ModelWork(graph: #require(try ModelZoo.named("alexnet")), name: "alexnet")
  for target in Target.builtIn {
    guard let e = try? estimate(work, on: target, kernels: library) else { continue }
    let flash = try #require(e.verdicts.first { $0.resource == "flash" })
    // 62.4 M int8 weights alone are 59.5 MB: more than any microcontroller's flash.
    #expect(!flash.fits, "\(target.name): \(flash.line)")
    #expect(flash.line.hasPrefix("flash: does not fit"))
    #expect(!e.fits)
  }
}

/// The cores with the DSP extension, which `KernelSet.dsp` runs on.
private let dspCores: Set = ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]

@Test(arguments: KernelLibrary.allCases)
func lenet5FitsEveryTarget(library: KernelLibrary) throws {
  let work = try ModelWork(graph: ModelZoo.lenet5, name: "lenet5")
  var estimated = 0
  for target in Target.builtIn {
    guard let e = try? estimate(work, on: target, kernels: library) else {
      // Only TinyCNN's own kernels are missing anywhere: Swift has no Xtensa backend, and the
      // DSP set needs the DSP extension.
      #expect(
        library.isTinyCNN && target.core.hasPrefix("xtensa")
          || library == .tinycnnDSP && !dspCores.contains(target.core), "\(target.name)")
      continue
    }
    estimated += 1
    if library == .tinycnnOptimized {
      // The optimized kernels' packed filters (61 KB) are prepared constants in flash, not SRAM.
      #expect(e.memory.preparedConstantBytes > 60_000, "\(target.name)")
    }
    #expect(e.fits, "\(target.name): \(e.verdicts.map(\.line))")
    // The slowest case, TFLM's reference kernels on the 48 MHz generic Cortex-M0+, is ~1.3 s
    // (their loop nests run ~120 cycles per MAC there, bench/estimator/kernels).
    #expect(e.milliseconds > 0 && e.milliseconds < 3000, "\(target.name): \(e.milliseconds) ms")
  }
  let xtensa = Target.builtIn.filter { $0.core.hasPrefix("xtensa") }.count
  let withoutDSP = Target.builtIn.filter { !dspCores.contains($0.core) }.count
  #expect(
    estimated
      >= Target.builtIn.count
      - (library == .tinycnnDSP ? withoutDSP : library.isTinyCNN ? xtensa : 0))
}

@Test func anEightKilobyteTargetRejectsALargerArena() throws {
  let target = try Target(json: validTarget, file: "my.json")  // 8 KB SRAM
  // cnn-small's first conv writes 28x28x32 int8 = 25,088 bytes: the arena alone exceeds 8 KB.
  let work = try ModelWork(graph: ModelZoo.cnnSmall, name: "cnn-small")
  let e = try estimate(work, on: target, kernels: .cmsisNN)
  #expect(e.memory.arenaBytes > 8 * 1024)
  let sram = try #require(e.verdicts.first { $0.resource == "sram" })
  #expect(!sram.fits)
  #expect(sram.line.hasPrefix("SRAM: does not fit"))
  #expect(sram.line.contains("> 8.0 KB SRAM on XYZ123"))
  // LeNet-5's 6.3 KB arena plus 2.8 KB kernel state and the 2 KB stack do not fit either, but a
  // 16 KB part takes it.
  var bigger = target
  bigger.sramBytes = 16 * 1024
  #expect(
    try estimate(ModelWork(graph: ModelZoo.lenet5, name: "l"), on: bigger, kernels: .cmsisNN).fits)
}

@Test func tinycnnKernelsAreRefusedOnXtensa() throws {
  let s3 = try #require(Target.named("esp32s3"))
  #expect(throws: EstimatorError.self) {
    _ = try estimate(ModelWork(graph: ModelZoo.lenet5, name: "l"), on: s3, kernels: .tinycnn)
  }
}
