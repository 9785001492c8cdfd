import Foundation
import Graph
import Runtime

/// Which float values an int8 tensor of a TinyCNN .tflite file approximates, and in what order.
///
/// The quantizer names each activation tensor after the graph node it computes, so matching is by
/// name; two things then differ between the files:
///
/// - A ReLU folded into its producer's clamp has no tensor of its own: the producer's tensor
///   (CONV_2D with fused RELU, say) holds the ReLU's output, so it is compared with the ReLU node.
/// - Layout: a [1, H, W, C] tensor is NHWC where the float model is NCHW, and the [1, N] output of
///   a flatten of a multi-channel map lists features in NHWC order where PyTorch's flatten lists
///   them channel-major; `floatIndex[i]` is the float index of int8 element i.
package struct LayerMatch {
  package var tensor: Int
  package var tensorName: String
  /// The operator that writes the tensor, e.g. "CONV_2D+RELU" ("input" for the model input).
  package var operatorName: String
  /// The graph node whose float output the tensor holds, and its index in the graph.
  package var floatNode: String
  package var floatNodeIndex: Int
  package var floatIndex: [Int]
  package var scale: Float
  package var zeroPoint: Int32

  /// Every graph node that has a same-named int8 tensor of matching size, in graph order.
  package static func all(graph: ModelGraph, model: Model) throws -> [LayerMatch] {
    let shapes = try graph.shapes()
    let readers = graph.inputIndices().enumerated().reduce(into: [Int: [Int]]()) { r, e in
      for i in e.element { r[i, default: []].append(e.offset) }
    }
    var byName: [String: Int] = [:]
    for t in 0..<model.tensorCount {
      let tensor = try model.tensor(at: t)
      let name = String(decoding: tensor.name, as: UTF8.self)
      if byName[name] == nil && !tensor.isConstant && tensor.type == .int8 { byName[name] = t }
    }
    var producer: [Int: Operator] = [:]
    for i in 0..<model.operatorCount {
      let op = try model.operation(at: i)
      for k in 0..<op.outputs.count { producer[Int(op.outputs[k])] = op }
    }

    var matches: [LayerMatch] = []
    for (index, node) in graph.nodes.enumerated() {
      guard let t = byName[node.name] else { continue }
      let tensor = try model.tensor(at: t)
      guard let q = tensor.quantization else { continue }
      var floatIndex = index
      var opName = "input"
      if let op = producer[t] {
        opName = "\(builtinOperatorName(op.builtinCode))"
        let activation = fusedActivation(op)
        if activation != .none, let r = readers[index], r.count == 1 {
          let reader = graph.nodes[r[0]].layer
          if (reader == .relu && activation == .relu) || (reader == .relu6 && activation == .relu6)
          {
            floatIndex = r[0]
          }
        }
        if activation == .relu { opName += "+RELU" }
        if activation == .relu6 { opName += "+RELU6" }
      }
      let shape = shapes[floatIndex]
      guard tensor.elementCount == shape.count else { continue }
      matches.append(
        LayerMatch(
          tensor: t, tensorName: node.name, operatorName: opName,
          floatNode: graph.nodes[floatIndex].name, floatNodeIndex: floatIndex,
          floatIndex: order(tensor, graph: graph, node: floatIndex, shapes: shapes),
          scale: q.scale, zeroPoint: q.zeroPoint))
    }
    return matches
  }

  /// The float (NCHW or PyTorch-flatten) index of each int8 element of `tensor`.
  private static func order(
    _ tensor: Tensor, graph: ModelGraph, node: Int, shapes: [FeatureShape]
  ) -> [Int] {
    let count = tensor.elementCount
    if tensor.rank == 4 {
      let s = tensor.shape4  // NHWC, batch 1
      return (0..<count).map { i in
        let c = i % s.c
        let x = (i / s.c) % s.w
        let y = i / (s.c * s.w)
        return (c * s.h + y) * s.w + x
      }
    }
    // A flatten of a spatial multi-channel map lists its input's features in NHWC order.
    let n = graph.nodes[node]
    guard n.layer == .flatten, let input = n.inputs.first, let source = graph.index(of: input)
    else { return Array(0..<count) }
    let s = shapes[source]
    guard s.height * s.width > 1, s.channels > 1 else { return Array(0..<count) }
    let plane = s.height * s.width
    return (0..<count).map { i in (i % s.channels) * plane + i / s.channels }
  }

  private static func fusedActivation(_ op: Operator) -> FusedActivation {
    let activation: FusedActivation? =
      switch op.code.builtin {
      case .conv2D: try? op.conv2DOptions().activation
      case .depthwiseConv2D: try? op.depthwiseConv2DOptions().activation
      case .fullyConnected: try? op.fullyConnectedOptions().activation
      case .maxPool2D, .averagePool2D: try? op.pool2DOptions().activation
      case .add: try? op.addOptions().activation
      case .concatenation: try? op.concatenationOptions().activation
      default: FusedActivation.none
      }
    return activation ?? .none
  }
}

/// Running agreement of an int8 tensor with its float values over many images.
package struct LayerAgreement {
  package var signal = 0.0  // Σ x²
  package var noise = 0.0  // Σ (x - x̂)²
  package var dot = 0.0  // Σ x x̂
  package var approximation = 0.0  // Σ x̂²

  package init() {}

  package mutating func add(reference x: Float, approximation y: Float) {
    let a = Double(x)
    let b = Double(y)
    signal += a * a
    noise += (a - b) * (a - b)
    dot += a * b
    approximation += b * b
  }

  /// 10 log10(Σ x² / Σ (x - x̂)²) in dB; infinite when exact.
  package var sqnr: Double {
    if noise == 0 { return .infinity }
    if signal == 0 { return -.infinity }
    return 10 * log10(signal / noise)
  }

  /// Σ x x̂ / √(Σ x² Σ x̂²); 1 when both are all zero.
  package var cosine: Double {
    let norms = (signal * approximation).squareRoot()
    if norms == 0 { return signal == approximation ? 1 : 0 }
    return dot / norms
  }
}
