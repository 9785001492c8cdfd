import Foundation
import TestSupport
import Testing

@testable import TinyCNN

/// Every kernel set and thread count writes TFLM's bytes: the optimized kernels are bit-identical
/// and splitting the batch across workers puts every image's row back where it belongs.
@Test(arguments: [("reference", "1"), ("optimized", "1"), ("optimized", "2"), ("reference", "3")])
func runGivesTFLMsBytesWithEveryKernelSetAndThreadCount(kernels: String, threads: String) throws {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID())")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  for name in ["lenet5_fixed", "mixed_ops"] {
    let y = dir.appendingPathComponent("\(name).npy").path
    var run = try Run.parse([
      goldenPath(name, "model.tflite"), "--input", goldenPath(name, "input_0.npy"),
      "--output", y, "--kernels", kernels, "--threads", threads, "--quiet",
    ])
    try run.run()
    let want = try Data(contentsOf: URL(fileURLWithPath: goldenPath(name, "output_0.npy")))
    #expect(try Data(contentsOf: URL(fileURLWithPath: y)) == want, "\(name) \(kernels) \(threads)")
  }
}

/// Each set by name that this CPU runs (`--kernels portable`, `dsp`, `avx2`, `avx512-vnni`) is
/// accepted and writes TFLM's bytes; the help names exactly those.
@Test(arguments: KernelChoice.allCases.filter { $0.set != nil && $0 != .optimized })
func runTakesEachKernelSetByName(choice: KernelChoice) throws {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID())")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  let y = dir.appendingPathComponent("out.npy").path
  var run = try Run.parse([
    goldenPath("mixed_ops", "model.tflite"), "--input", goldenPath("mixed_ops", "input_0.npy"),
    "--output", y, "--kernels", choice.rawValue, "--quiet",
  ])
  #expect(run.kernels.set.id == choice.set?.id)
  try run.run()
  let want = try Data(contentsOf: URL(fileURLWithPath: goldenPath("mixed_ops", "output_0.npy")))
  #expect(try Data(contentsOf: URL(fileURLWithPath: y)) == want, "\(choice.rawValue)")
  #expect(KernelChoice.availableNames.contains(choice.rawValue))
}

@Test func runRefusesBadThreadAndKernelFlags() throws {
  #expect(throws: (any Error).self) {
    try Run.parse(["m.tflite", "-o", "y.npy", "--threads", "0"])
  }
  #expect(throws: (any Error).self) {
    try Run.parse(["m.tflite", "-o", "y.npy", "--kernels", "fast"])
  }
}
