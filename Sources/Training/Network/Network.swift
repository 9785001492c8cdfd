import Datasets
import Graph

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A `ModelGraph` made trainable: one layer per node, every activation and gradient buffer, the
/// parameters (PyTorch names and layouts), and the threads. Any DAG works: a node's gradient is
/// the sum over its consumers, accumulated in reverse topological order.
///
/// Buffers are sized for the largest batch seen and reused, so a training step allocates nothing.
/// A `Network` is not thread-safe: one pass at a time (the passes themselves use every worker).
public final class Network {
  public let graph: ModelGraph
  /// Each node's output shape (one sample), in node order.
  public let shapes: [FeatureShape]
  /// Every learned tensor and running statistic, in `graph.parameterShapes()` order.
  public let parameters: [Parameter]
  public let workers: Workers

  let layers: [NetworkLayer?]  // nil for the input node
  let inputIndices: [[Int]]
  /// Each node's inputs in a training pass: `inputIndices`, but a max pool that takes in the
  /// ReLU before it (`MaxPool2DLayer.fusedClamp`) reads that ReLU's input, and the readers of a
  /// ReLU that the layer before it takes in (`ClampAbsorbing`) read that layer.
  let trainingInputIndices: [[Int]]
  /// The ReLUs taken in by another layer: training passes skip them (their values stay stale).
  private let fusedClamps: Set<Int>
  let context: LayerContext
  /// Whether node i's output gradient is needed: it has parameters, or something before it does.
  let needsGradient: [Bool]
  private let values: [FloatBuffer]
  private let gradients: [FloatBuffer]
  private var scratchGradients: [FloatBuffer] = []
  private(set) var batch = 0

  /// Builds the layers with Glorot-initialised weights (zero biases, batch norm at identity)
  /// drawn from `seed`; the same seed gives the same network.
  public convenience init(graph: ModelGraph, seed: UInt64 = 0, workers: Workers = Workers())
    throws(GraphError)
  {
    try self.init(graph: graph, seed: seed, workers: workers, inputGradient: false)
  }

  /// `inputGradient`: also compute the gradient with respect to the input batch (the gradient
  /// checks need it; training does not, which spares the first layer's input-gradient GEMM).
  /// `fusesClamps`: let layers take in the ReLUs next to them in training passes (`fuseClamps`;
  /// tests turn it off to compare).
  init(
    graph: ModelGraph, seed: UInt64, workers: Workers, inputGradient: Bool,
    fusesClamps: Bool = true
  ) throws(GraphError) {
    self.graph = graph
    self.workers = workers
    let shapes = try graph.shapes()
    let inputIndices = graph.inputIndices()
    self.shapes = shapes
    self.inputIndices = inputIndices
    context = LayerContext(workers: workers)
    var layers: [NetworkLayer?] = []
    for (i, node) in graph.nodes.enumerated() {
      let input = inputIndices[i].first.map { shapes[$0] } ?? shapes[i]
      layers.append(
        Self.makeLayer(
          node, input: input, output: shapes[i], seed: seed &+ UInt64(i), workers: workers))
    }
    self.layers = layers
    (trainingInputIndices, fusedClamps) =
      fusesClamps ? Self.fuseClamps(layers, inputIndices) : (inputIndices, [])
    parameters = layers.flatMap { $0?.parameters ?? [] }
    let expected = try graph.parameterShapes()
    precondition(
      expected.map(\.name) == parameters.map(\.name)
        && expected.map(\.shape) == parameters.map(\.shape),
      "layers disagree with Graph.parameterShapes")
    var needs = [Bool](repeating: false, count: graph.nodes.count)
    needs[0] = inputGradient
    for i in 1..<graph.nodes.count {
      let hasParameters = layers[i]?.parameters.contains { $0.isTrainable } ?? false
      needs[i] = hasParameters || inputIndices[i].contains { needs[$0] }
    }
    needsGradient = needs
    values = graph.nodes.map { _ in FloatBuffer() }
    gradients = graph.nodes.map { _ in FloatBuffer() }
    initializeParameters(seed: seed)
  }

  private static func makeLayer(
    _ node: Node, input: FeatureShape, output: FeatureShape, seed: UInt64, workers: Workers
  ) -> NetworkLayer? {
    switch node.layer {
    case .input: nil
    case .conv2d(let spec):
      Conv2DLayer(name: node.name, spec: spec, input: input, output: output, workers: workers)
    case .convTranspose2d(let spec):
      ConvTranspose2DLayer(
        name: node.name, spec: spec, input: input, output: output, workers: workers)
    case .relu: ClampLayer(upper: .infinity)
    case .relu6: ClampLayer(upper: 6)
    case .maxPool2d(let spec): MaxPool2DLayer(spec: spec, input: input, output: output)
    case .avgPool2d(let spec): AvgPool2DLayer(spec: spec, input: input, output: output)
    case .globalAvgPool: GlobalAvgPoolLayer()
    case .linear(let spec): LinearLayer(name: node.name, spec: spec, input: input, workers: workers)
    case .flatten: CopyLayer()
    case .dropout(let spec): DropoutLayer(spec: spec, seed: seed, shape: output)
    case .batchNorm2d(let spec): BatchNorm2DLayer(name: node.name, spec: spec, input: input)
    case .add: AddLayer()
    case .concat: ConcatLayer()
    case .softmax: SoftmaxLayer()
    }
  }

  /// Lets a layer take in each ReLU or ReLU6 that nothing else needs in training passes: a max
  /// pool the ReLU before it, when the pool is the ReLU's only reader (`fusedClamp`); else a
  /// batch norm or ADD the ReLU after it, when the ReLU is that layer's only reader and is read
  /// itself (`absorbedClamp`). Returns the training passes' inputs and the ReLUs they skip.
  private static func fuseClamps(_ layers: [NetworkLayer?], _ inputIndices: [[Int]])
    -> ([[Int]], Set<Int>)
  {
    var readers = [[Int]](repeating: [], count: layers.count)
    for (i, inputs) in inputIndices.enumerated() { for j in inputs { readers[j].append(i) } }
    var trainingInputs = inputIndices
    var fused = Set<Int>()
    for (i, layer) in layers.enumerated() {
      guard let pool = layer as? MaxPool2DLayer, let relu = inputIndices[i].first,
        let clamp = layers[relu] as? ClampLayer, readers[relu] == [i]
      else { continue }
      pool.fusedClamp = clamp.upper
      trainingInputs[i] = inputIndices[relu]
      fused.insert(relu)
    }
    for (relu, layer) in layers.enumerated() where !fused.contains(relu) {
      guard let clamp = layer as? ClampLayer, let source = inputIndices[relu].first,
        var producer = layers[source] as? ClampAbsorbing, readers[source] == [relu],
        !readers[relu].isEmpty
      else { continue }
      producer.absorbedClamp = clamp.upper
      for reader in readers[relu] {
        trainingInputs[reader] = trainingInputs[reader].map { $0 == relu ? source : $0 }
      }
      fused.insert(relu)
    }
    return (trainingInputs, fused)
  }

  // MARK: - Passes

  /// Node i's output for the current batch.
  func value(_ i: Int) -> TensorView {
    TensorView(base: values[i].pointer, batch: batch, shape: shapes[i])
  }

  /// The gradient of the loss with respect to node i's output.
  func gradient(_ i: Int) -> TensorView {
    TensorView(base: gradients[i].pointer, batch: batch, shape: shapes[i])
  }

  /// Sizes every buffer for `batch` samples and returns the input node's buffer, where the caller
  /// writes the batch (NCHW).
  func prepare(batch: Int) -> TensorView {
    if batch != self.batch {
      for (i, shape) in shapes.enumerated() {
        _ = values[i].reserve(batch * shape.count)
        // Every node but an input that needs none: the loss writes into the logits' gradient
        // even when nothing before them learns.
        if i > 0 || needsGradient[0] { _ = gradients[i].reserve(batch * shape.count) }
        layers[i]?.prepare(batch: batch, workers: workers)
      }
      let largest = shapes.map(\.count).max() ?? 0
      for scratch in scratchGradients { _ = scratch.reserve(batch * largest) }
      self.batch = batch
    }
    return value(0)
  }

  /// Runs `body(samples, worker)` on every worker's share of the batch at once, or on the whole
  /// batch on the calling thread when `sampleLocal` is false (batch norm).
  private func region(sampleLocal: Bool, _ body: (Range<Int>, Int) -> Void) {
    guard sampleLocal else { return body(0..<batch, 0) }
    let shares = workers.batchShares(batch)
    workers.run(shares.count) { body(shares[$0], $0) }
  }

  /// Consecutive runs of `items` that are all sample-local or all not, in order.
  private func stretches<T>(_ items: [T], local: (T) -> Bool) -> [(local: Bool, items: [T])] {
    var runs: [(local: Bool, items: [T])] = []
    for item in items {
      let isLocal = local(item)
      if let last = runs.last, last.local == isLocal && isLocal {
        runs[runs.count - 1].items.append(item)
      } else {
        runs.append((isLocal, [item]))
      }
    }
    return runs
  }

  /// Runs every node on the batch in the input buffer (see `prepare`): one parallel region per
  /// stretch of sample-local layers (all of LeNet-5), each worker through every layer of the
  /// stretch on its share of the batch.
  func forward(training: Bool) {
    context.training = training
    let inputs = training ? trainingInputIndices : inputIndices
    let nodes = layers.indices.filter {
      layers[$0] != nil && !(training && fusedClamps.contains($0))
    }
    for stretch in stretches(nodes, local: { layers[$0]!.isSampleLocal }) {
      region(sampleLocal: stretch.local) { samples, worker in
        for i in stretch.items {
          layers[i]!.forward(
            inputs[i].map(value), value(i), samples: samples, worker: worker, context)
        }
      }
    }
  }

  /// Where the gradient of each input of a node goes in a backward pass.
  private enum GradientTarget {
    case none  // the input needs no gradient
    case direct  // the first consumer of the input: writes its gradient
    case scratch(slot: Int)  // a later consumer: writes a scratch buffer, added afterwards
  }

  /// The backward steps from node `start`, in execution order: nodes the loss reaches and that
  /// need a gradient, with each input's target. The first consumer of a node in reverse
  /// topological order writes its gradient, later ones add to it through a scratch buffer.
  private func backwardSteps(from start: Int, inputs inputIndices: [[Int]]) -> [(
    node: Int, targets: [GradientTarget]
  )] {
    var written = [Bool](repeating: false, count: layers.count)
    written[start] = true
    var steps: [(node: Int, targets: [GradientTarget])] = []
    for i in stride(from: start, through: 0, by: -1) {
      guard let layer = layers[i] else { continue }
      guard written[i] && needsGradient[i] else {
        // A branch the loss does not reach: its parameters get no gradient.
        for p in layer.parameters { p.gradient.update(repeating: 0, count: p.count) }
        continue
      }
      var targets: [GradientTarget] = []
      for (slot, j) in inputIndices[i].enumerated() {
        if !needsGradient[j] {
          targets.append(.none)
        } else if written[j] {
          targets.append(.scratch(slot: slot))
        } else {
          targets.append(.direct)
          written[j] = true
        }
      }
      steps.append((i, targets))
    }
    return steps
  }

  /// Backpropagates from node `start`, whose gradient the caller has written (the loss). Nodes
  /// after `start` are skipped (a trailing softmax when the loss is taken on the logits). Leaves
  /// every trainable parameter's gradient set. Parallel regions as in `forward`.
  func backward(from start: Int) {
    let arity = inputIndices.map(\.count).max() ?? 1
    if scratchGradients.count < arity {
      let largest = shapes.map(\.count).max() ?? 0
      while scratchGradients.count < arity {
        scratchGradients.append(FloatBuffer(count: batch * largest))
      }
    }
    // The inputs of the last forward pass: in a training pass a fused ReLU has no reader, so
    // no step.
    let inputIndices = context.training ? trainingInputIndices : self.inputIndices
    let steps = backwardSteps(from: start, inputs: inputIndices)
    for stretch in stretches(steps, local: { layers[$0.node]!.isSampleLocal }) {
      region(sampleLocal: stretch.local) { samples, worker in
        for (i, targets) in stretch.items {
          var views: [TensorView?] = []
          for (slot, target) in targets.enumerated() {
            let j = inputIndices[i][slot]
            switch target {
            case .none: views.append(nil)
            case .direct: views.append(gradient(j))
            case .scratch(let s):
              views.append(
                TensorView(base: scratchGradients[s].pointer, batch: batch, shape: shapes[j]))
            }
          }
          layers[i]!.backward(
            inputIndices[i].map(value), value(i), gradient(i), views, samples: samples,
            worker: worker, context)
          for (slot, target) in targets.enumerated() {
            guard case .scratch(let s) = target, let scratch = views[slot] else { continue }
            let sum = gradient(inputIndices[i][slot]).base
            for k in scratch.elements(samples) { sum[k] += scratchGradients[s].pointer[k] }
          }
        }
      }
    }
    let parts = workers.batchShares(batch).count
    for (i, _) in steps { layers[i]!.reduceGradients(workers: parts) }
  }

  // MARK: - Initialisation

  /// Glorot (Xavier) uniform initialisation of conv and linear weights, Keras's default:
  /// `U(-l, l)` with `l = sqrt(6 / (fanIn + fanOut))`, the fans from the weight's shape as
  /// PyTorch computes them (`size(1) * kH * kW` in, `size(0) * kH * kW` out); biases start at
  /// zero and batch norm at the identity. He normal (`N(0, 2 / fanIn)`, the earlier default)
  /// gave cnn-small on a 40x40 RGB folder 3.4x larger first-layer weights and about 6x larger
  /// inputs to its 6,400-input fc1, so Adam's first steps (each weight moving by about the
  /// learning rate) threw the logits far out: a first-epoch loss of 3-4 for 3 classes and a net
  /// stuck near chance, where Keras's Glorot start learns.
  private func initializeParameters(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    for case let layer as WeightedLayer in layers {
      let shape = layer.weight.shape
      let receptive = shape.dropFirst(2).reduce(1, *)
      let fanIn = Double(shape[1] * receptive)
      let fanOut = Double(shape[0] * receptive)
      fillUniform(layer.weight, bound: (6 / (fanIn + fanOut)).squareRoot(), &rng)
    }
  }

  private func fillUniform(_ p: Parameter, bound: Double, _ rng: inout SplitMix64) {
    for i in 0..<p.count {
      let u = Double(rng.next() >> 11) / Double(1 << 53)  // [0, 1)
      p.value[i] = Float((2 * u - 1) * bound)
    }
  }
}
