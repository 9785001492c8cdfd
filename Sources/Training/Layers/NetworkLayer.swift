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
/// batch.
protocol NetworkLayer: AnyObject {
  /// Learned tensors and running statistics, in the order `ModelGraph.parameterShapes` lists them.
  var parameters: [Parameter] { get }

  func forward(_ inputs: [TensorView], _ output: TensorView, _ context: LayerContext)

  /// Writes (does not add) the gradient of every input whose entry in `inputGradients` is not nil,
  /// and of every parameter.
  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], _ context: LayerContext)
}

extension NetworkLayer {
  var parameters: [Parameter] { [] }
}

/// A layer with a weight that He initialisation draws: conv, transposed conv, linear.
protocol WeightedLayer: NetworkLayer {
  var weight: Parameter { get }
  /// How many products one output value sums, for He's `N(0, 2/fanIn)`.
  var fanIn: Int { get }
}

/// Per-worker scratch copies of parameter gradients: each worker sums its share of the batch into
/// its own copy, then `reduce` adds them up, so no two threads ever write the same float.
final class GradientPartials {
  private let buffers: [FloatBuffer]
  private let count: Int

  init(count: Int, workers: Int) {
    self.count = count
    buffers = (0..<workers).map { _ in FloatBuffer(count: count) }
  }

  /// Where worker `worker` writes: the parameter's own gradient for worker 0, a scratch copy for
  /// the others.
  func target(_ worker: Int, _ gradient: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>
  {
    worker == 0 ? gradient : buffers[worker].pointer
  }

  /// Adds the other workers' copies into `gradient` (worker 0 wrote it directly). A job that
  /// ran on worker 0 alone leaves it as it is.
  func reduce(into gradient: UnsafeMutablePointer<Float>, workers: [Int]) {
    for worker in workers where worker != 0 {
      let partial = buffers[worker].pointer
      for i in 0..<count { gradient[i] += partial[i] }
    }
  }
}

/// One FloatBuffer per worker, for what each worker keeps between forward and backward.
func perWorker(_ workers: Workers) -> [FloatBuffer] {
  (0..<workers.count).map { _ in FloatBuffer() }
}
