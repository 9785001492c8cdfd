import Foundation

// The graph as JSON, for the `__metadata__` of a .safetensors file and for model description
// files a user writes by hand. Flat and readable, one object per node:
//   {"name": "conv1", "op": "conv2d", "inputs": ["input"], "out_channels": 6, "kernel": [5, 5],
//    "stride": [1, 1], "padding": [2, 2], "dilation": [1, 1], "groups": 1, "bias": true}
// Sizes are [height, width]; the input shape is [channels, height, width]. Optional fields take
// the defaults of the Swift initialisers (stride 1, padding 0, ...), so hand-written files are short.

extension ModelGraph {
  public static let jsonFormat = "tinycnn-graph"

  /// The graph as a JSON object (`{"format": ..., "version": 1, "nodes": [...]}`).
  public func jsonObject() -> [String: Any] {
    ["format": Self.jsonFormat, "version": 1, "nodes": nodes.map(Self.jsonObject(of:))]
  }

  /// Compact JSON text with sorted keys, so the same graph always gives the same bytes.
  public func jsonString() -> String {
    String(decoding: jsonBytes(jsonObject()), as: UTF8.self)
  }

  /// Parses a graph from JSON text; a missing or malformed field names the node and the field.
  public init(json: String) throws(GraphError) {
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: Data(json.utf8)) } catch {
      let ns = error as NSError
      let problem = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
      throw GraphError(layer: "-", "the model description is not valid JSON (\(problem))")
    }
    guard let root = object as? [String: Any] else {
      throw GraphError(layer: "-", "the model description is not a JSON object")
    }
    try self.init(jsonObject: root)
  }

  public init(jsonObject root: [String: Any]) throws(GraphError) {
    if let format = root["format"] as? String, format != Self.jsonFormat {
      throw GraphError(layer: "-", "format is '\(format)', expected '\(Self.jsonFormat)'")
    }
    guard let list = root["nodes"] as? [[String: Any]] else {
      throw GraphError(layer: "-", "missing the 'nodes' list")
    }
    var nodes: [Node] = []
    for (i, object) in list.enumerated() {
      nodes.append(try Self.node(from: JSONFields(object, fallbackName: "#\(i)")))
    }
    try self.init(nodes: nodes)
  }

  private static func jsonObject(of node: Node) -> [String: Any] {
    var o: [String: Any] = ["name": node.name, "op": node.layer.kindName]
    if !node.inputs.isEmpty { o["inputs"] = node.inputs }
    func size(_ s: Size2) -> [Int] { [s.height, s.width] }
    switch node.layer {
    case .input(let shape):
      o["shape"] = [shape.channels, shape.height, shape.width]
    case .conv2d(let c):
      o["out_channels"] = c.outChannels
      o["kernel"] = size(c.kernel)
      o["stride"] = size(c.stride)
      o["padding"] = size(c.padding)
      o["dilation"] = size(c.dilation)
      o["groups"] = c.groups
      o["bias"] = c.bias
    case .convTranspose2d(let c):
      o["out_channels"] = c.outChannels
      o["kernel"] = size(c.kernel)
      o["stride"] = size(c.stride)
      o["padding"] = size(c.padding)
      o["output_padding"] = size(c.outputPadding)
      o["dilation"] = size(c.dilation)
      o["groups"] = c.groups
      o["bias"] = c.bias
    case .maxPool2d(let p), .avgPool2d(let p):
      o["kernel"] = size(p.kernel)
      o["stride"] = size(p.stride)
      o["padding"] = size(p.padding)
    case .linear(let l):
      o["out_features"] = l.outFeatures
      o["bias"] = l.bias
    case .dropout(let d):
      o["rate"] = Double(d.rate)
    case .batchNorm2d(let b):
      o["epsilon"] = Double(b.epsilon)
      o["momentum"] = Double(b.momentum)
    case .relu, .relu6, .globalAvgPool, .flatten, .add, .concat, .softmax:
      break
    }
    return o
  }

  private static func node(from f: JSONFields) throws(GraphError) -> Node {
    let name = try f.string("name")
    let op = try f.string("op")
    let inputs = try f.strings("inputs", default: [])
    let layer: Layer
    switch op {
    case "input":
      let s = try f.ints("shape", count: 3)
      layer = .input(FeatureShape(channels: s[0], height: s[1], width: s[2]))
    case "conv2d":
      layer = .conv2d(
        Conv2DSpec(
          outChannels: try f.int("out_channels"), kernel: try f.size("kernel"),
          stride: try f.size("stride", default: 1), padding: try f.size("padding", default: 0),
          dilation: try f.size("dilation", default: 1), groups: try f.int("groups", default: 1),
          bias: try f.bool("bias", default: true)))
    case "conv_transpose2d":
      layer = .convTranspose2d(
        ConvTranspose2DSpec(
          outChannels: try f.int("out_channels"), kernel: try f.size("kernel"),
          stride: try f.size("stride", default: 1), padding: try f.size("padding", default: 0),
          outputPadding: try f.size("output_padding", default: 0),
          dilation: try f.size("dilation", default: 1), groups: try f.int("groups", default: 1),
          bias: try f.bool("bias", default: true)))
    case "max_pool2d", "avg_pool2d":
      let kernel = try f.size("kernel")
      let pool = PoolSpec(
        kernel: kernel, stride: try f.optionalSize("stride") ?? kernel,
        padding: try f.size("padding", default: 0))
      layer = op == "max_pool2d" ? .maxPool2d(pool) : .avgPool2d(pool)
    case "linear":
      layer = .linear(
        LinearSpec(outFeatures: try f.int("out_features"), bias: try f.bool("bias", default: true)))
    case "dropout":
      layer = .dropout(DropoutSpec(rate: Float(try f.double("rate", default: 0.5))))
    case "batch_norm2d":
      layer = .batchNorm2d(
        BatchNormSpec(
          epsilon: Float(try f.double("epsilon", default: 1e-5)),
          momentum: Float(try f.double("momentum", default: 0.1))))
    case "relu": layer = .relu
    case "relu6": layer = .relu6
    case "global_avg_pool": layer = .globalAvgPool
    case "flatten": layer = .flatten
    case "add": layer = .add
    case "concat": layer = .concat
    case "softmax": layer = .softmax
    default:
      throw GraphError(
        layer: name,
        "unknown op '\(op)' (known: input, conv2d, conv_transpose2d, relu, relu6, max_pool2d, "
          + "avg_pool2d, global_avg_pool, linear, flatten, dropout, batch_norm2d, add, concat, "
          + "softmax)")
    }
    return Node(name, layer, inputs: inputs)
  }
}

/// Typed access to one node's JSON fields with errors that name the node and the field.
private struct JSONFields {
  let object: [String: Any]
  let node: String

  init(_ object: [String: Any], fallbackName: String) {
    self.object = object
    self.node = object["name"] as? String ?? fallbackName
  }

  func fail(_ field: String, _ expected: String) -> GraphError {
    object[field] == nil
      ? GraphError(layer: node, "missing field '\(field)' (\(expected))")
      : GraphError(layer: node, "field '\(field)' must be \(expected)")
  }

  func string(_ key: String) throws(GraphError) -> String {
    guard let v = object[key] as? String else { throw fail(key, "a string") }
    return v
  }

  func strings(_ key: String, default d: [String]) throws(GraphError) -> [String] {
    guard let raw = object[key] else { return d }
    guard let v = raw as? [String] else { throw fail(key, "a list of node names") }
    return v
  }

  func int(_ key: String, default d: Int? = nil) throws(GraphError) -> Int {
    guard let raw = object[key] else {
      if let d { return d }
      throw fail(key, "an integer")
    }
    guard let n = raw as? NSNumber, let v = Int(exactly: n.doubleValue) else {
      throw fail(key, "an integer")
    }
    return v
  }

  func double(_ key: String, default d: Double) throws(GraphError) -> Double {
    guard let raw = object[key] else { return d }
    guard let n = raw as? NSNumber else { throw fail(key, "a number") }
    return n.doubleValue
  }

  func bool(_ key: String, default d: Bool) throws(GraphError) -> Bool {
    guard let raw = object[key] else { return d }
    guard let v = raw as? Bool else { throw fail(key, "true or false") }
    return v
  }

  func ints(_ key: String, count: Int) throws(GraphError) -> [Int] {
    guard let list = object[key] as? [NSNumber], list.count == count,
      case let v = list.compactMap({ Int(exactly: $0.doubleValue) }), v.count == count
    else { throw fail(key, "a list of \(count) integers") }
    return v
  }

  /// A size is `[height, width]` or one integer for both.
  func size(_ key: String, default d: Int? = nil) throws(GraphError) -> Size2 {
    guard let s = try optionalSize(key) ?? d.map({ Size2($0) }) else {
      throw fail(key, "an integer or [height, width]")
    }
    return s
  }

  func optionalSize(_ key: String) throws(GraphError) -> Size2? {
    guard let raw = object[key] else { return nil }
    if let n = raw as? NSNumber, let v = Int(exactly: n.doubleValue) { return Size2(v) }
    if raw is [Any] {
      let v = try ints(key, count: 2)
      return Size2(v[0], v[1])
    }
    throw fail(key, "an integer or [height, width]")
  }
}

/// Compact JSON with sorted keys for objects we build ourselves from strings, numbers, lists and
/// dictionaries, which JSONSerialization always accepts.
func jsonBytes(_ object: Any) -> Data {
  guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
  else { preconditionFailure("not a JSON value: \(object)") }
  return data
}
