import Estimator
import Graph

/// A target file (`estimate --target-file`) through the parser, then an estimate of LeNet-5 on
/// it with every kernel library and the lines the report prints.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  guard let target = try? Target(json: text, file: "fuzz") else { return 0 }
  for library in KernelLibrary.allCases {
    guard let work = try? ModelWork(graph: ModelZoo.lenet5, name: "lenet5"),
      let e = try? estimate(work, on: target, kernels: library)
    else { continue }
    _ = e.latencyLine
    _ = e.verdicts.map(\.line)
    _ = e.layers.map { formatNumber($0.cycles) + formatMilliseconds(e.milliseconds($0)) }
  }
  return 0
}
