import Foundation
import Graph
import Testing

@testable import Estimator

/// unet-mini's TRANSPOSE_CONV layers cost the same from the quantised file as from the graph:
/// MACs (input x kH x kW x outC, TFLM's scatter), weights, biases (not the output-shape
/// constant), kernel, stride, and no fused activation (TFLM ignores one; the ReLU after it is a
/// MAX_POOL_2D of its own in both). The files's other layers differ only by the QUANTIZE the
/// calibrated ranges put before a CONCATENATION, which shapes cannot predict.
@Test func transposeConvCostsAgreeBetweenFileAndGraph() throws {
  let graph = try #require(try ModelZoo.named("unet-mini"))
  let path = try quantizedFile(graph, name: "unet-mini")
  defer { try? FileManager.default.removeItem(atPath: path) }
  let fromFile = try ModelWork(tfliteAt: path).layers.filter { $0.op == .transposeConv }
  let fromGraph = try ModelWork(graph: graph, name: "unet-mini").layers.filter {
    $0.op == .transposeConv
  }
  try #require(fromFile.count == 2 && fromGraph.count == 2)
  for (a, b) in zip(fromFile, fromGraph) {
    #expect(a.outputShape == b.outputShape, "\(b.name)")
    #expect(a.macs == b.macs && a.macs > 0, "\(b.name)")
    #expect(a.weightCount == b.weightCount && a.biasCount == b.biasCount, "\(b.name)")
    #expect(a.fusedActivation == nil && b.fusedActivation == nil, "\(b.name)")
    #expect(a.kernel == b.kernel && a.stride == b.stride, "\(b.name)")
  }
  // up1: 8x8x32 in, 4x4 kernel, 16 out.
  #expect(fromGraph[0].macs == 8 * 8 * 32 * 16 * 16)
}
