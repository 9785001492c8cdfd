import Estimator
import Graph

/// A graph .json (as `train --model` and `estimate --model` read it) through shape inference,
/// costs, the resource check and the estimator's lowering and cost model on one target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  guard let graph = try? ModelGraph(json: text) else { return 0 }
  _ = try? graph.costs()
  _ = try? graph.checkResources(batchSize: 64, training: true)
  _ = graph.jsonString()
  guard let work = try? ModelWork(graph: graph, name: "fuzz"),
    let target = Target.named("stm32f746"),
    let e = try? estimate(work, on: target, kernels: .cmsisNN)
  else { return 0 }
  _ = e.latencyLine
  _ = e.verdicts.map(\.line)
  return 0
}
