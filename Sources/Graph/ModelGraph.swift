/// One named step of a model: what it computes and which earlier nodes feed it.
public struct Node: Hashable, Sendable {
  public var name: String
  public var layer: Layer
  public var inputs: [String]

  public init(_ name: String, _ layer: Layer, inputs: [String]) {
    self.name = name
    self.layer = layer
    self.inputs = inputs
  }
}

/// A model as a directed acyclic graph of named nodes, kept in topological order: `nodes[0]` is
/// the one input, every node reads only nodes before it, and the last node is the output.
/// A chain (LeNet-5) is the special case where each node reads its predecessor.
public struct ModelGraph: Hashable, Sendable {
  public private(set) var nodes: [Node]

  /// Checks the structure (names, order, arity); shapes are checked by `shapes()`.
  public init(nodes: [Node]) throws(GraphError) {
    guard let first = nodes.first else { throw GraphError(layer: "-", "the graph has no nodes") }
    guard case .input = first.layer else {
      throw GraphError(layer: first.name, "the first node must be the input")
    }
    var seen: Set<String> = []
    for node in nodes {
      guard !node.name.isEmpty else { throw GraphError(layer: "?", "a node has an empty name") }
      if case .input = node.layer, node.name != first.name {
        throw GraphError(layer: node.name, "only one input node is supported")
      }
      for input in node.inputs where !seen.contains(input) {
        throw GraphError(
          layer: node.name, "reads '\(input)', which is not an earlier node of the graph")
      }
      try Self.checkArity(node)
      guard seen.insert(node.name).inserted else {
        throw GraphError(layer: node.name, "the name is used twice")
      }
    }
    self.nodes = nodes
  }

  /// A chain: each layer reads the one before it; the input node is named "input".
  public static func sequential(
    input: FeatureShape, _ layers: [(name: String, layer: Layer)]
  ) throws(GraphError) -> ModelGraph {
    var nodes = [Node("input", .input(input), inputs: [])]
    for (name, layer) in layers {
      nodes.append(Node(name, layer, inputs: [nodes[nodes.count - 1].name]))
    }
    return try ModelGraph(nodes: nodes)
  }

  public var input: Node { nodes[0] }
  public var output: Node { nodes[nodes.count - 1] }

  public var inputShape: FeatureShape {
    guard case .input(let shape) = input.layer else { preconditionFailure("checked in init") }
    return shape
  }

  /// The index of the node called `name`.
  public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }

  /// For each node, the indices of the nodes it reads.
  public func inputIndices() -> [[Int]] {
    var position: [String: Int] = [:]
    for (i, node) in nodes.enumerated() { position[node.name] = i }
    return nodes.map { node in node.inputs.map { position[$0]! } }
  }

  private static func checkArity(_ node: Node) throws(GraphError) {
    switch node.layer.arity {
    case .some(let n) where node.inputs.count != n:
      throw GraphError(
        layer: node.name, "\(node.layer.kindName) takes \(n) input(s), got \(node.inputs.count)")
    case .none where node.inputs.count < 2:
      throw GraphError(
        layer: node.name, "\(node.layer.kindName) needs at least 2 inputs, got \(node.inputs.count)"
      )
    default: break
    }
  }
}
