import Foundation
import Runtime
import Testing

@testable import Estimator

// The "tinycnn-dsp" costs are fitted (bench/estimator/firmware/fit_dsp.py) on the DSP set's own
// firmware measurements (dsp_suite.sh: `tinycnn firmware --kernels dsp --count` per operator of
// the MLPerf Tiny suite models). These tests tie the cost files to those measurements and the
// measurements to the kernels' sources.

private let root = URL(fileURLWithPath: #filePath)  // Tests/EstimatorTests/DSPCostTests.swift
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let measurements = root.appendingPathComponent("bench/estimator/firmware/dsp")

/// bench/estimator/firmware/kernel_sources.py's fingerprint: FNV-1a (64-bit) over each file's
/// path from the root, a NUL byte and its bytes, in path order.
private func kernelSourcesFingerprint() throws -> String {
  let folders = ["Sources/Runtime/Kernels/CortexM", "firmware/dsp"]
  var paths: [String] = []
  for folder in folders {
    let names = try FileManager.default.contentsOfDirectory(
      atPath: root.appendingPathComponent(folder).path)
    paths += names.filter { folder.hasPrefix("firmware") || $0.hasSuffix(".swift") }
      .map { "\(folder)/\($0)" }
  }
  paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for path in paths {
    let bytes =
      Array(path.utf8) + [0] + Array(try Data(contentsOf: root.appendingPathComponent(path)))
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
  }
  let hex = String(hash, radix: 16)
  return "FNV-1a 0x\(String(repeating: "0", count: 16 - hex.count))\(hex) over \(paths.count) files"
}

@Test func dspCostsWereMeasuredOnTheseKernels() throws {
  let fingerprint = try kernelSourcesFingerprint()
  let recorded = try String(
    contentsOf: measurements.appendingPathComponent("kernel-sources.txt"), encoding: .utf8)
  #expect(
    recorded.trimmingCharacters(in: .whitespacesAndNewlines) == fingerprint,
    """
    the DSP kernels changed after bench/estimator/firmware/dsp was measured: run \
    bench/estimator/firmware/dsp_suite.sh, fit_dsp.py and scripts/generate-estimator-data.sh
    """)
  for core in ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"] {
    let costs = try #require(CoreCosts.named(core)?.kernels[.tinycnnDSP], "\(core)")
    #expect(
      costs.measured.hasSuffix("kernel sources \(fingerprint)"),
      "\(core): the tinycnn-dsp costs were fitted on other measurements: run fit_dsp.py")
  }
}

/// The cost files predict each measured CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD of
/// the suite models within the fit's error (8 %), and each model's sum of them within 3 %.
@Test(arguments: [("cortex-m4", "an386"), ("cortex-m7", "an500")])
func dspCostsReproduceTheFirmwareMeasurements(core: String, board: String) throws {
  let model = try CostModel(target: #require(Target.named(core)), library: .tinycnnDSP)
  let fitted: [String: BuiltinOperator] = [
    "CONV_2D": .conv2D, "DEPTHWISE_CONV_2D": .depthwiseConv2D,
    "FULLY_CONNECTED": .fullyConnected, "ADD": .add,
  ]
  for name in [
    "suite_resnet8", "suite_ds_cnn", "suite_mobilenet_v1_025", "suite_dense_autoencoder",
  ] {
    let file = measurements.appendingPathComponent("\(name)-\(board).json")
    let report = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
    let operators = try #require(report?["operators"] as? [[String: Any]], "\(file.path)")
    let measured = operators.compactMap { op -> Double? in
      guard let kind = op["op"] as? String, fitted[kind] != nil else { return nil }
      return (op["cycles"] as? NSNumber)?.doubleValue
    }
    let work = try ModelWork(
      tfliteAt: root.appendingPathComponent("Tests/RuntimeTests/Golden/\(name)/model.tflite").path)
    let layers = work.layers.filter { layer in layer.op.map { fitted.values.contains($0) } ?? false
    }
    try #require(layers.count == measured.count, "\(name): \(layers.count) layers")
    var predictedSum = 0.0
    for (layer, cycles) in zip(layers, measured) {
      let predicted = model.kernelCycles(layer)
      predictedSum += predicted
      #expect(
        abs(predicted / cycles - 1) < 0.08,
        "\(core) \(name) \(layer.name): \(predicted) vs \(cycles)")
    }
    let total = measured.reduce(0, +)
    #expect(abs(predictedSum / total - 1) < 0.03, "\(core) \(name): \(predictedSum) vs \(total)")
  }
}
