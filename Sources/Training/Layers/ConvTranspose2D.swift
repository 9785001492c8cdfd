import Graph

/// ConvTranspose2d: the adjoint of a Conv2d with the same kernel, stride, padding and dilation,
/// so its forward is that convolution's input-gradient step and its backward the convolution's
/// forward. With the geometry of the convolution from this layer's output (the "image") to its
/// input (the "columns"), per worker share and group g:
///
///     forward   col_g[K x nb*P]    = W_gᵀ · x_g[Cin/g x nb*P],  col2im into y (+ bias)
///     backward  dcol               = im2col(dy)
///               dW_g[Cin/g x K]   += x_g · dcol_gᵀ
///               dx_g[Cin/g x nb*P] = W_g · dcol_g
///
/// with K = Cout/groups*kH*kW and weights in PyTorch's `[Cin, Cout/groups, kH, kW]`. Rows of the
/// output past the last window (output padding) receive only the bias, as in PyTorch.
final class ConvTranspose2DLayer: WeightedLayer {
  let weight: Parameter
  let bias: Parameter?
  let parameters: [Parameter]
  private let geometry: ConvGeometry
  private let groups: Int
  private let inChannels: Int
  /// Each output value sums about Cin/groups*kH*kW/(strideH*strideW) products.
  let fanIn: Int
  private let partialWeight: GradientPartials
  private let partialBias: GradientPartials?
  private let columns: [FloatBuffer]  // per worker: col in forward, dcol in backward
  private let channelMajor: [FloatBuffer]  // per worker: x as [Cin][nb*P], then dx

  init(
    name: String, spec: ConvTranspose2DSpec, input: FeatureShape, output: FeatureShape,
    workers: Workers
  ) {
    groups = spec.groups
    inChannels = input.channels
    fanIn = max(
      1,
      input.channels / spec.groups * spec.kernel.height * spec.kernel.width
        / (spec.stride.height * spec.stride.width))
    geometry = ConvGeometry(
      image: output, kernel: spec.kernel, stride: spec.stride, padding: spec.padding,
      dilation: spec.dilation, columns: input)
    weight = Parameter(
      name: "\(name).weight",
      shape: [
        input.channels, spec.outChannels / spec.groups, spec.kernel.height, spec.kernel.width,
      ],
      decays: true)
    bias = spec.bias ? Parameter(name: "\(name).bias", shape: [spec.outChannels]) : nil
    parameters = [weight] + (bias.map { [$0] } ?? [])
    partialWeight = GradientPartials(count: weight.count, workers: workers)
    partialBias = bias.map { GradientPartials(count: $0.count, workers: workers) }
    columns = perWorker(workers)
    channelMajor = perWorker(workers)
  }

  private var depth: Int { geometry.rows / groups }
  private var groupInChannels: Int { inChannels / groups }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let (w, b) = (weight.value, bias?.value)
    let (k, cg, pixels) = (depth, groupInChannels, geometry.pixels)
    let plane = output.planeSize
    let width = samples.count * pixels
    let xt = channelMajor[worker].reserve(inChannels * width)
    gatherChannelMajor(x, samples: samples, into: xt)
    let col = columns[worker].reserve(geometry.rows * width + ConvGeometry.columnSlack)
    for g in 0..<groups {
      gemm(
        MatrixView(w + g * cg * k, rows: cg, columns: k).transposed,
        MatrixView(xt + g * cg * width, rows: cg, columns: width),
        into: MutableMatrixView(col + g * k * width, rows: k, columns: width),
        workspace: context.workers.workspaces[worker])
    }
    for n in samples {
      let y = output.sample(n)
      for c in 0..<output.shape.channels {
        fillRow(y + c * plane, b?[c] ?? 0, count: plane)
      }
    }
    geometry.col2im(col, addingInto: output, samples: samples)
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    let w = weight.value
    let (k, cg, pixels) = (depth, groupInChannels, geometry.pixels)
    let plane = outputGradient.planeSize
    let width = samples.count * pixels
    let xt = channelMajor[worker].pointer  // the input, as this worker's forward gathered it
    let dcol = columns[worker].reserve(geometry.rows * width + ConvGeometry.columnSlack)
    geometry.im2col(outputGradient, samples: samples, into: dcol)
    if let bias, let partialBias {
      let db = partialBias.target(worker, bias.gradient)
      for c in 0..<outputGradient.shape.channels {
        var sum: Float = 0
        for n in samples {
          let row = outputGradient.sample(n) + c * plane
          for p in 0..<plane { sum += row[p] }
        }
        db[c] = sum
      }
    }
    let dw = partialWeight.target(worker, weight.gradient)
    let workspace = context.workers.workspaces[worker]
    for g in 0..<groups {
      gemm(
        MatrixView(xt + g * cg * width, rows: cg, columns: width),
        MatrixView(dcol + g * k * width, rows: k, columns: width).transposed,
        into: MutableMatrixView(dw + g * cg * k, rows: cg, columns: k), workspace: workspace)
    }
    guard let dx = inputGradients[0] else { return }
    // The gathered input is spent once dW is done: dx's channel-major form overwrites it.
    for g in 0..<groups {
      gemm(
        MatrixView(w + g * cg * k, rows: cg, columns: k),
        MatrixView(dcol + g * k * width, rows: k, columns: width),
        into: MutableMatrixView(xt + g * cg * width, rows: cg, columns: width),
        workspace: workspace)
    }
    scatterChannelMajor(xt, into: dx, samples: samples, bias: nil)
  }

  func reduceGradients(workers: Int) {
    partialWeight.reduce(into: weight.gradient, workers: workers)
    if let bias { partialBias?.reduce(into: bias.gradient, workers: workers) }
  }
}
