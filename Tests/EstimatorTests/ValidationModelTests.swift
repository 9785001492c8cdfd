import Foundation
import Graph
import Testing

@testable import Estimator

/// The description files bench/estimator/validation.md estimates must describe the same int8
/// models as the MLPerf Tiny .tflite files: these MACs and parameter counts were read from those
/// files (mlcommons/tiny benchmark/training/*/trained_models) with `tinycnn estimate`.
@Test(arguments: [
  ("mlperf-tiny-ic-resnet8.json", 12_501_632, 77_706),
  ("mlperf-tiny-kws-dscnn.json", 2_656_768, 22_604),
  ("mlperf-tiny-vww-mobilenetv1-025.json", 7_489_664, 210_850),
  ("mlperf-tiny-ad-autoencoder.json", 264_192, 265_864),
])
func validationModelsMatchThePublishedFiles(file: String, macs: Int, parameters: Int) throws {
  let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../bench/estimator/models/\(file)").standardized.path
  let work = try ModelWork.load(path)
  #expect(work.totalMACs == macs)
  #expect(work.totalParameters == parameters)
}

/// The zoo's MLPerf Tiny nets, costed from their graphs (batch norm folded), are the published
/// int8 files above: the same multiply-accumulates and parameters.
@Test(arguments: [
  ("resnet8", 12_501_632, 77_706),
  ("ds-cnn", 2_656_768, 22_604),
  ("mobilenet-v1", 7_489_664, 210_850),
])
func zooModelsMatchThePublishedMLPerfTinyFiles(zoo: String, macs: Int, parameters: Int) throws {
  let graph = try #require(try ModelZoo.named(zoo))
  let work = try ModelWork(graph: graph, name: zoo)
  #expect(work.totalMACs == macs)
  #expect(work.totalParameters == parameters)
}
