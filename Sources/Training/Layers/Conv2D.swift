import Graph

/// Conv2d with stride, padding, dilation and groups, as im2col + GEMM per worker.
///
/// Each worker takes a contiguous share of the batch and walks it in chunks of a few samples
/// (`chunkSamples`), laying each chunk's windows out as `col[K x nb*P]` (K = Cin/groups*kH*kW
/// per group, P output pixels per sample, nb samples side by side so the GEMM's N is long), and
/// per group g computes
///
///     forward   y_g[Cout/g x nb*P]  = W_g[Cout/g x K] · col_g[K x nb*P]    (+ bias)
///     backward  dW_g[Cout/g x K]   += dy_g · col_gᵀ      (col made again from x)
///               db[o]              += Σ dy[o, :]
///               dcol_g[K x nb*P]    = W_gᵀ · dy_g,  then col2im into dx
///
/// Chunks keep the columns in L2: im2col of a whole share (14 MB for ResNet-8's first stage at
/// batch 64) went to memory and back three times per step (the forward GEMM, dW, dcol and
/// col2im each streamed it), and made im2col, col2im and both GEMMs memory-bound. Backward
/// rebuilds the columns from x instead of keeping them: an im2col from cache costs less than a
/// round trip to memory. A chunk of one sample needs no channel-major copy: `[Cout][P]` is the
/// sample's own NCHW block, and a 1x1 convolution with stride 1 and no padding reads its input
/// as the columns.
///
/// Weights are PyTorch's `[Cout, Cin/groups, kH, kW]`, so row o of W is output channel o's K taps
/// in im2col's row order.
///
/// A 3x3 convolution at stride 1 with 8 channels or more on both sides runs its forward pass, its
/// weight gradient and its input gradient by Winograd's F(2x2, 3x3) instead (`Winograd3x3`,
/// `Winograd3x3WeightGradient`: 2.25x fewer multiply-adds, no columns). The choice follows the
/// shape alone, so a resumed run takes the same path.
final class Conv2DLayer: WeightedLayer {
  let weight: Parameter
  let bias: Parameter?
  let parameters: [Parameter]
  private let geometry: ConvGeometry
  private let groups: Int
  private let outChannels: Int
  private let partialWeight: GradientPartials
  private let partialBias: GradientPartials?
  private let columns: [FloatBuffer]  // per worker: one chunk's col, then its dcol
  private let channelMajor: [FloatBuffer]  // per worker: one chunk's y or dy as [Cout][nb*P]
  private let forwardWinograd: Winograd3x3?
  private let inputGradientWinograd: Winograd3x3?
  private let winogradBuffers: [Winograd3x3.Buffers]  // per worker

  init(name: String, spec: Conv2DSpec, input: FeatureShape, output: FeatureShape, workers: Workers)
  {
    groups = spec.groups
    outChannels = spec.outChannels
    let geometry = ConvGeometry(
      image: input, kernel: spec.kernel, stride: spec.stride, padding: spec.padding,
      dilation: spec.dilation, columns: output)
    self.geometry = geometry
    let winograd = workers.allowsWinograd
    forwardWinograd =
      winograd
      ? Winograd3x3.forward(geometry, outChannels: spec.outChannels, groups: spec.groups) : nil
    inputGradientWinograd =
      winograd
      ? Winograd3x3.inputGradient(geometry, outChannels: spec.outChannels, groups: spec.groups)
      : nil
    winogradBuffers = (0..<workers.count).map { _ in Winograd3x3.Buffers() }
    weight = Parameter(
      name: "\(name).weight",
      shape: [
        spec.outChannels, input.channels / spec.groups, spec.kernel.height, spec.kernel.width,
      ],
      decays: true)
    bias = spec.bias ? Parameter(name: "\(name).bias", shape: [spec.outChannels]) : nil
    parameters = [weight] + (bias.map { [$0] } ?? [])
    partialWeight = GradientPartials(count: weight.count, workers: workers)
    partialBias = bias.map { GradientPartials(count: $0.count, workers: workers) }
    columns = perWorker(workers)
    channelMajor = perWorker(workers)
  }

  var fanIn: Int { depth }

  /// Whether the forward pass runs by Winograd's F(2x2, 3x3).
  var takesWinograd: Bool { forwardWinograd != nil }

  /// Floats of transformed tiles and products a worker keeps at a time: four times the columns'
  /// budget, since the GEMM of each of the 16 points reads only a sixteenth of them, and a chunk
  /// of one ResNet-8 sample would give GEMMs only 49-196 columns wide.
  private func winogradBudget(_ workers: Workers) -> Int { 4 * workers.columnBudget }

  /// Taps per output value, K = Cin/groups*kH*kW.
  private var depth: Int { geometry.rows / groups }
  private var groupOutChannels: Int { outChannels / groups }

  /// Samples per chunk: as many as keep the columns within the workers' `columnBudget`, at
  /// least one; one for a pointwise convolution of 256 pixels or more, which then needs no
  /// columns at all.
  private func chunkSamples(_ workers: Workers) -> Int {
    if readsInputAsColumns && geometry.pixels >= 256 { return 1 }
    return max(1, workers.columnBudget / max(1, geometry.rows * geometry.pixels))
  }

  /// Whether the input is its own column matrix: a 1x1 window, stride 1, no padding.
  private var readsInputAsColumns: Bool { geometry.isPointwise }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let (w, b) = (weight.value, bias.map { UnsafePointer($0.value) })
    let (k, m, pixels) = (depth, groupOutChannels, geometry.pixels)
    let workspace = context.workers.workspaces[worker]
    if let winograd = forwardWinograd {
      return winograd.run(
        x, into: output, samples: samples, filters: w, flipped: false, bias: b,
        buffers: winogradBuffers[worker], budget: winogradBudget(context.workers),
        workspace: workspace)
    }
    let step = chunkSamples(context.workers)
    for start in stride(from: samples.lowerBound, to: samples.upperBound, by: step) {
      let chunk = start..<min(start + step, samples.upperBound)
      let width = chunk.count * pixels
      let col = columnsOf(x, chunk, worker: worker)
      let single = chunk.count == 1
      let y =
        single ? output.sample(chunk.lowerBound) : channelMajor[worker].reserve(outChannels * width)
      for g in 0..<groups {
        gemm(
          MatrixView(w + g * m * k, rows: m, columns: k),
          MatrixView(col + g * k * width, rows: k, columns: width),
          into: MutableMatrixView(y + g * m * width, rows: m, columns: width),
          workspace: workspace)
      }
      if single {
        if let b { addBias(b, to: y, channels: outChannels, pixels: pixels) }
      } else {
        scatterChannelMajor(y, into: output, samples: chunk, bias: b)
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    let (x, dy, dx) = (inputs[0], outputGradient, inputGradients[0])
    let dw = partialWeight.target(worker, weight.gradient)
    let db = bias.flatMap { bias in partialBias.map { $0.target(worker, bias.gradient) } }
    let workspace = context.workers.workspaces[worker]
    guard let winograd = forwardWinograd else {
      return directBackward(
        x, dy, dx, samples: samples, worker: worker, parameterGradients: (dw, db), context)
    }
    if let db {
      for (k, n) in samples.enumerated() {
        rowSums(
          dy.sample(n), rows: outChannels, columns: geometry.pixels, into: db, accumulate: k > 0)
      }
    }
    winograd.weightGradient(
      x, dy, samples: samples, into: dw, buffers: winogradBuffers[worker],
      budget: winogradBudget(context.workers), workspace: workspace)
    guard let dx else { return }
    if let inputGradient = inputGradientWinograd {
      inputGradient.run(
        dy, into: dx, samples: samples, filters: weight.value, flipped: true, bias: nil,
        buffers: winogradBuffers[worker], budget: winogradBudget(context.workers),
        workspace: workspace)
    } else {  // an input too small for Winograd's input gradient
      directBackward(x, dy, dx, samples: samples, worker: worker, parameterGradients: nil, context)
    }
  }

  /// Backward by im2col and GEMMs, chunk by chunk: the parameter gradients into
  /// `parameterGradients` (weight, bias) when given, the input gradient into dx when given.
  private func directBackward(
    _ x: TensorView, _ outputGradient: TensorView, _ dx: TensorView?, samples: Range<Int>,
    worker: Int,
    parameterGradients: (weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?)?,
    _ context: LayerContext
  ) {
    let w = weight.value
    let (k, m, pixels) = (depth, groupOutChannels, geometry.pixels)
    let workspace = context.workers.workspaces[worker]
    let step = chunkSamples(context.workers)
    for start in stride(from: samples.lowerBound, to: samples.upperBound, by: step) {
      let chunk = start..<min(start + step, samples.upperBound)
      let width = chunk.count * pixels
      let first = start == samples.lowerBound  // writes the parameter gradients; later ones add
      let dy: UnsafeMutablePointer<Float>
      if chunk.count == 1 {
        dy = outputGradient.sample(chunk.lowerBound)
      } else {
        dy = channelMajor[worker].reserve(outChannels * width)
        gatherChannelMajor(outputGradient, samples: chunk, into: dy)
      }
      if let gradients = parameterGradients {
        let (dw, db) = gradients
        if let db { rowSums(dy, rows: outChannels, columns: width, into: db, accumulate: !first) }
        let col = columnsOf(x, chunk, worker: worker)
        for g in 0..<groups {
          gemm(
            MatrixView(dy + g * m * width, rows: m, columns: width),
            MatrixView(col + g * k * width, rows: k, columns: width).transposed,
            into: MutableMatrixView(dw + g * m * k, rows: m, columns: k), accumulate: !first,
            workspace: workspace)
        }
      }
      guard let dx else { continue }
      // The input gradient's columns: straight into dx when the input is its own columns (a
      // single sample), else over the columns, which are spent once dW is done.
      let direct = readsInputAsColumns && chunk.count == 1
      let dcol =
        direct
        ? dx.sample(chunk.lowerBound)
        : columns[worker].reserve(
          geometry.rows * chunk.count * pixels + ConvGeometry.columnSlack)
      for g in 0..<groups {
        gemm(
          MatrixView(w + g * m * k, rows: m, columns: k).transposed,
          MatrixView(dy + g * m * width, rows: m, columns: width),
          into: MutableMatrixView(dcol + g * k * width, rows: k, columns: width),
          workspace: workspace)
      }
      if !direct {
        dx.fill(0, samples: chunk)
        geometry.col2im(dcol, addingInto: dx, samples: chunk)
      }
    }
  }

  /// The column matrix of `chunk`: the input sample itself for a pointwise convolution of one
  /// sample, else im2col into this worker's buffer.
  private func columnsOf(_ x: TensorView, _ chunk: Range<Int>, worker: Int)
    -> UnsafeMutablePointer<Float>
  {
    if readsInputAsColumns && chunk.count == 1 { return x.sample(chunk.lowerBound) }
    let col = columns[worker].reserve(
      geometry.rows * chunk.count * geometry.pixels + ConvGeometry.columnSlack)
    geometry.im2col(x, samples: chunk, into: col)
    return col
  }

  func reduceGradients(workers: Int) {
    partialWeight.reduce(into: weight.gradient, workers: workers)
    if let bias { partialBias?.reduce(into: bias.gradient, workers: workers) }
  }
}
