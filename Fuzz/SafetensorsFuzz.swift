import Graph

/// .safetensors bytes through the whole float-model read: header, tensors, the graph in the
/// metadata, shape inference, parameter counts, MACs and the resource check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let file = try? SafetensorsFile.decode(bytes, source: "fuzz") else { return 0 }
  _ = file.encoded()
  guard let model = try? FloatModel.decode(file, source: "fuzz") else { return 0 }
  _ = try? model.graph.costs()
  _ = try? model.graph.checkResources(batchSize: 64, training: true)
  _ = model.firstNonFiniteValue()
  return 0
}
