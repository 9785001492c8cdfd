import Foundation
import Testing

@testable import Graph

@Test func graphJSONRoundTrip() throws {
  for name in ModelZoo.names {
    let graph = try #require(try ModelZoo.named(name))
    #expect(try ModelGraph(json: graph.jsonString()) == graph, "\(name)")
  }
  let all = try ModelGraph(nodes: [
    Node("input", .input(FeatureShape(channels: 3, height: 9, width: 9)), inputs: []),
    Node(
      "c",
      .conv2d(
        Conv2DSpec(
          outChannels: 6, kernel: Size2(3, 2), stride: Size2(2, 1),
          padding: Size2(1, 0), dilation: Size2(1, 2), groups: 3, bias: false)), inputs: ["input"]),
    Node(
      "t",
      .convTranspose2d(
        ConvTranspose2DSpec(
          outChannels: 3, kernel: Size2(3), stride: Size2(2),
          padding: Size2(1), outputPadding: Size2(1))), inputs: ["c"]),
    Node("bn", .batchNorm2d(BatchNormSpec(epsilon: 1e-3, momentum: 0.01)), inputs: ["t"]),
    Node("r6", .relu6, inputs: ["bn"]),
    Node(
      "ap", .avgPool2d(PoolSpec(kernel: Size2(3), stride: Size2(1), padding: Size2(1))),
      inputs: ["r6"]),
    Node("sm", .softmax, inputs: ["ap"]),
    Node("d", .dropout(DropoutSpec(rate: 0.25)), inputs: ["sm"]),
  ])
  #expect(try ModelGraph(json: all.jsonString()) == all)
}

@Test func handWrittenDescriptionUsesDefaults() throws {
  let json = """
    {"nodes": [
      {"name": "input", "op": "input", "shape": [1, 28, 28]},
      {"name": "conv", "op": "conv2d", "inputs": ["input"], "out_channels": 4, "kernel": 3, "padding": 1},
      {"name": "pool", "op": "max_pool2d", "inputs": ["conv"], "kernel": 2},
      {"name": "flat", "op": "flatten", "inputs": ["pool"]},
      {"name": "fc", "op": "linear", "inputs": ["flat"], "out_features": 10}
    ]}
    """
  let graph = try ModelGraph(json: json)
  #expect(try graph.outputShape() == FeatureShape(features: 10))
  #expect(graph.nodes[2].layer == .maxPool2d(PoolSpec(kernel: Size2(2), stride: Size2(2))))
}

@Test func malformedDescriptionNamesTheField() {
  #expect(
    throws: GraphError(layer: "conv", "missing field 'kernel' (an integer or [height, width])")
  ) {
    try ModelGraph(
      json: """
        {"nodes": [{"name": "input", "op": "input", "shape": [1, 8, 8]},
                   {"name": "conv", "op": "conv2d", "inputs": ["input"], "out_channels": 4}]}
        """)
  }
  #expect(throws: GraphError(layer: "fc", "field 'out_features' must be an integer")) {
    try ModelGraph(
      json: """
        {"nodes": [{"name": "input", "op": "input", "shape": [4, 1, 1]},
                   {"name": "fc", "op": "linear", "inputs": ["input"], "out_features": "ten"}]}
        """)
  }
  #expect(throws: GraphError.self) { try ModelGraph(json: "[1, 2]") }
  #expect(throws: GraphError.self) {
    try ModelGraph(json: #"{"nodes": [{"name": "x", "op": "warp", "inputs": []}]}"#)
  }
}

private func temporaryPath(_ name: String) -> String {
  NSTemporaryDirectory() + "tinycnn-\(getpid())-\(name)"
}

@Test func safetensorsRoundTripAndLayout() throws {
  let file = SafetensorsFile(
    metadata: ["arch": "demo"],
    tensors: [
      ("b", FloatTensor(shape: [3], values: [1, -2, 0.5])),
      ("a", FloatTensor(shape: [2, 2], values: [0, 1, 2, 3])),
    ])
  let bytes = file.encoded()
  let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
  #expect(headerLength % 8 == 0)
  #expect(bytes.count == 8 + headerLength + 7 * 4)
  let back = try SafetensorsFile.decode(bytes, source: "mem")
  #expect(back.metadata == ["arch": "demo"])
  #expect(back.tensors.map(\.name) == ["b", "a"])  // data order is kept
  #expect(back["a"] == FloatTensor(shape: [2, 2], values: [0, 1, 2, 3]))
}

@Test func corruptSafetensorsAreClearErrors() throws {
  let good = SafetensorsFile(tensors: [("w", FloatTensor(shape: [4], values: [1, 2, 3, 4]))])
    .encoded()
  func cause(_ bytes: [UInt8]) -> String {
    do {
      _ = try SafetensorsFile.decode(bytes, source: "m.safetensors")
      return "decoded"
    } catch { return error.description }
  }
  #expect(cause([1, 2, 3]).hasPrefix("m.safetensors: not a .safetensors file"))
  #expect(cause(Array(good.dropLast(4))).contains("run past the end"))
  #expect(cause(Array(good.prefix(20))).contains("truncated"))
  #expect(cause(Array("PNG\u{1A}garbage-garbage".utf8)).contains("not a .safetensors file"))
  #expect(throws: SafetensorsFile.FormatError.self) {
    try SafetensorsFile.read(temporaryPath("does-not-exist"))
  }
}

@Test func floatModelChecksParametersAgainstTheGraph() throws {
  let graph = ModelZoo.lenet5
  var parameters: [String: FloatTensor] = [:]
  for p in try graph.parameterShapes() {
    parameters[p.name] = FloatTensor(shape: p.shape, values: (0..<p.count).map { Float($0 % 7) })
  }
  let model = try FloatModel(
    graph: graph, parameters: parameters, classNames: ["a", "b"], metadata: ["dataset": "x"])
  let path = temporaryPath("lenet.safetensors")
  defer { unlink(path) }
  try model.write(to: path)
  let back = try FloatModel.read(path)
  #expect(back.graph == graph)
  #expect(back.parameters == parameters)
  #expect(back.classNames == ["a", "b"])
  #expect(back.metadata["dataset"] == "x")

  var missing = parameters
  missing["fc3.bias"] = nil
  #expect(throws: GraphError.self) { try FloatModel(graph: graph, parameters: missing) }
  var wrong = parameters
  wrong["conv1.weight"] = FloatTensor(shape: [6, 25], values: Array(repeating: 0, count: 150))
  #expect(throws: GraphError.self) { try FloatModel(graph: graph, parameters: wrong) }
}
