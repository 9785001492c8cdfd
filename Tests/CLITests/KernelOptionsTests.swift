import Foundation
import Testing

@testable import TinyCNN

private let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("RuntimeTests/Golden")

private func goldenPath(_ name: String, _ file: String) -> String {
  golden.appendingPathComponent(name).appendingPathComponent(file).path
}

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

@Test func parallelBatchSlicesCoverTheBatchOnce() throws {
  for count in [0, 1, 2, 7, 256] {
    for workers in 1...4 {
      let slices = (0..<workers).map { ParallelBatch.slice($0, of: workers, count: count) }
      #expect(slices.map(\.count).reduce(0, +) == count)
      for w in 1..<workers { #expect(slices[w].lowerBound == slices[w - 1].upperBound) }
    }
  }
  #expect(throws: (any Error).self) {
    try Run.parse(["m.tflite", "-o", "y.npy", "--threads", "0"])
  }
  #expect(throws: (any Error).self) {
    try Run.parse(["m.tflite", "-o", "y.npy", "--kernels", "fast"])
  }
}
