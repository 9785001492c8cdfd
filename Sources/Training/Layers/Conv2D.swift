import Graph

/// Conv2d with stride, padding, dilation and groups, as im2col + GEMM per worker.
///
/// Each worker takes a contiguous share of the batch, lays its windows out as `col[K x nb*P]`
/// (K = Cin/groups*kH*kW per group, P output pixels per sample, nb samples side by side so the
/// GEMM's N is long), and per group g computes
///
///     forward   y_g[Cout/g x nb*P]  = W_g[Cout/g x K] · col_g[K x nb*P]    (+ bias)
///     backward  dW_g[Cout/g x K]   += dy_g · col_gᵀ
///               db[o]              += Σ dy[o, :]
///               dcol_g[K x nb*P]    = W_gᵀ · dy_g,  then col2im into dx
///
/// Weights are PyTorch's `[Cout, Cin/groups, kH, kW]`, so row o of W is output channel o's K taps
/// in im2col's row order.
final class Conv2DLayer: WeightedLayer {
  let weight: Parameter
  let bias: Parameter?
  let parameters: [Parameter]
  private let geometry: ConvGeometry
  private let groups: Int
  private let outChannels: Int
  private let partialWeight: GradientPartials
  private let partialBias: GradientPartials?
  private let columns: [FloatBuffer]  // per worker: col, then dcol in backward
  private let channelMajor: [FloatBuffer]  // per worker: y or dy as [Cout][nb*P]

  init(name: String, spec: Conv2DSpec, input: FeatureShape, output: FeatureShape, workers: Workers)
  {
    groups = spec.groups
    outChannels = spec.outChannels
    geometry = ConvGeometry(
      image: input, kernel: spec.kernel, stride: spec.stride, padding: spec.padding,
      dilation: spec.dilation, columns: output)
    weight = Parameter(
      name: "\(name).weight",
      shape: [
        spec.outChannels, input.channels / spec.groups, spec.kernel.height, spec.kernel.width,
      ],
      decays: true)
    bias = spec.bias ? Parameter(name: "\(name).bias", shape: [spec.outChannels]) : nil
    parameters = [weight] + (bias.map { [$0] } ?? [])
    partialWeight = GradientPartials(count: weight.count, workers: workers.count)
    partialBias = bias.map { GradientPartials(count: $0.count, workers: workers.count) }
    columns = perWorker(workers)
    channelMajor = perWorker(workers)
  }

  var fanIn: Int { depth }

  /// Taps per output value, K = Cin/groups*kH*kW.
  private var depth: Int { geometry.rows / groups }
  private var groupOutChannels: Int { outChannels / groups }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let (w, b) = (weight.value, bias?.value)
    let (k, m, pixels) = (depth, groupOutChannels, geometry.pixels)
    let width = samples.count * pixels
    let col = columns[worker].reserve(geometry.rows * width)
    geometry.im2col(x, samples: samples, into: col)
    let y = channelMajor[worker].reserve(outChannels * width)
    for g in 0..<groups {
      gemm(
        MatrixView(w + g * m * k, rows: m, columns: k),
        MatrixView(col + g * k * width, rows: k, columns: width),
        into: MutableMatrixView(y + g * m * width, rows: m, columns: width),
        workspace: context.workers.workspaces[worker])
    }
    scatterChannelMajor(y, into: output, samples: samples, bias: b.map { UnsafePointer($0) })
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    let w = weight.value
    let (k, m, pixels) = (depth, groupOutChannels, geometry.pixels)
    let width = samples.count * pixels
    let col = columns[worker].pointer  // this worker's columns, as its forward left them
    let dy = channelMajor[worker].reserve(outChannels * width)
    gatherChannelMajor(outputGradient, samples: samples, into: dy)
    if let bias, let partialBias {
      rowSums(
        dy, rows: outChannels, columns: width, into: partialBias.target(worker, bias.gradient))
    }
    let dw = partialWeight.target(worker, weight.gradient)
    let workspace = context.workers.workspaces[worker]
    for g in 0..<groups {
      gemm(
        MatrixView(dy + g * m * width, rows: m, columns: width),
        MatrixView(col + g * k * width, rows: k, columns: width).transposed,
        into: MutableMatrixView(dw + g * m * k, rows: m, columns: k), workspace: workspace)
    }
    guard let dx = inputGradients[0] else { return }
    // col is spent once dW is done: the input gradient's columns overwrite it.
    for g in 0..<groups {
      gemm(
        MatrixView(w + g * m * k, rows: m, columns: k).transposed,
        MatrixView(dy + g * m * width, rows: m, columns: width),
        into: MutableMatrixView(col + g * k * width, rows: k, columns: width),
        workspace: workspace)
    }
    dx.fill(0, samples: samples)
    geometry.col2im(col, addingInto: dx, samples: samples)
  }

  func reduceGradients(workers: Int) {
    partialWeight.reduce(into: weight.gradient, workers: workers)
    if let bias { partialBias?.reduce(into: bias.gradient, workers: workers) }
  }
}
