import Graph

/// State shared by the layers during one pass.
final class LayerContext {
  let workers: Workers
  /// Training mode: dropout drops, batch norm uses (and updates) batch statistics.
  var training = false
  /// Counts training steps; dropout derives its mask from it, so a pass can be replayed exactly
  /// (the gradient checks run the same forward many times).
  var step: UInt64 = 0

  init(workers: Workers) { self.workers = workers }
}

/// A node's computation in the float trainer: forward and backward together (llm.c's layout).
///
/// The network owns every activation and gradient buffer and hands the layer views of them; a
/// layer owns only its parameters and what it saves between its forward and its backward (im2col
/// columns, max-pool winners, batch statistics). `backward` must follow the `forward` of the same
/// batch, with the same split among the workers.
///
/// Most layers are sample-local: sample n's output (and input gradient) depends on sample n
/// alone. The network runs a stretch of them as one parallel region, each worker calling
/// `forward`/`backward` with its own share of the batch (`samples`) and its own index (`worker`,
/// for per-worker scratch); a layer then touches only those samples' rows of every view.
/// Batch norm mixes samples, so it is called once per pass with the whole batch, between regions.
protocol NetworkLayer: AnyObject {
  /// Learned tensors and running statistics, in the order `ModelGraph.parameterShapes` lists them.
  var parameters: [Parameter] { get }

  /// False for layers whose samples depend on each other (batch norm).
  var isSampleLocal: Bool { get }

  /// Sizes what the layer keeps for a batch of `batch` samples; called before a pass whenever
  /// the batch size changes, outside any parallel region.
  func prepare(batch: Int, workers: Workers)

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext)

  /// Writes (does not add) the gradient of every input whose entry in `inputGradients` is not nil,
  /// for `samples`, and this worker's part of the parameter gradients (see `reduceGradients`).
  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext)

  /// After a backward pass split among `workers` workers: makes each parameter's gradient the sum
  /// of the workers' parts.
  func reduceGradients(workers: Int)
}

extension NetworkLayer {
  var parameters: [Parameter] { [] }
  var isSampleLocal: Bool { true }
  func prepare(batch: Int, workers: Workers) {}
  func reduceGradients(workers: Int) {}
}

/// A layer that can apply the ReLU or ReLU6 after it to its own output in training passes
/// (batch norm, ADD), so the network skips that ReLU: forward clamps what it writes, backward
/// first keeps its output gradient only where its output lies strictly inside the clamp (the
/// same test on the clamped output as on the unclamped one). Evaluation passes run both layers.
protocol ClampAbsorbing: NetworkLayer {
  /// The upper bound (`.infinity` for ReLU, or 6) of the ReLU this layer takes in.
  var absorbedClamp: Float? { get set }
}

/// A layer with a weight that He initialisation draws: conv, transposed conv, linear.
protocol WeightedLayer: NetworkLayer {
  var weight: Parameter { get }
  /// How many products one output value sums.
  var fanIn: Int { get }
}

/// Per-worker scratch copies of parameter gradients: each worker sums its share of the batch into
/// its own copy, then `reduce` adds them up in worker order, so no two threads ever write the same
/// float and the result does not depend on timing.
final class GradientPartials {
  private let buffers: [FloatBuffer]
  private let count: Int
  private let workers: Workers

  init(count: Int, workers: Workers) {
    self.count = count
    self.workers = workers
    buffers = (0..<workers.count).map { _ in FloatBuffer(count: count) }
  }

  /// Where worker `worker` writes: the parameter's own gradient for worker 0, a scratch copy for
  /// the others.
  func target(_ worker: Int, _ gradient: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>
  {
    worker == 0 ? gradient : buffers[worker].pointer
  }

  /// Adds workers 1..<parts' copies into `gradient` (worker 0 wrote it directly), each float's
  /// copies in worker order; a large gradient's floats are split among the workers (serial, a
  /// 400,000-float fc layer's sums left the other core idle at the end of every step).
  func reduce(into gradient: UnsafeMutablePointer<Float>, workers parts: Int) {
    guard parts > 1 else { return }
    let partials = buffers.prefix(parts).dropFirst().map(\.pointer)
    workers.split(count, cost: 2 * count * (parts - 1)) { _, range in
      for partial in partials {
        for i in range { gradient[i] += partial[i] }
      }
    }
  }
}

/// One FloatBuffer per worker, for what each worker keeps between forward and backward.
func perWorker(_ workers: Workers) -> [FloatBuffer] {
  (0..<workers.count).map { _ in FloatBuffer() }
}

extension TensorView {
  /// The floats of `samples`: `samples.count * sampleSize` of them from the first one's.
  @inline(__always) func elements(_ samples: Range<Int>) -> Range<Int> {
    samples.lowerBound * sampleSize..<samples.upperBound * sampleSize
  }
}
