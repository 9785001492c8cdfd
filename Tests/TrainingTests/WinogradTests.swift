import Datasets
import Graph
import Testing

@testable import Training

/// One random 3x3 stride-1 convolution: channel counts 1...64, odd and even sizes, padding
/// 0 (VALID), 1 (SAME) or 2 on each axis, 1-3 samples, chunks of one sample or of several.
private struct RandomConv: CustomStringConvertible {
  var batch: Int
  var image: FeatureShape
  var outChannels: Int
  var padding: Size2
  var budget: Int

  init(_ rng: inout SplitMix64) {
    func pick(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    batch = pick(1...3)
    padding = Size2(pick(0...2), pick(0...2))
    // Inputs and outputs of at least 2x2: the smallest Winograd takes (the input is the
    // input gradient's output).
    // A quarter of the widths take whole 8-tile steps of output inside the row (16 columns or
    // more: transformOutput's direct stores).
    let narrow = pick(0...3) > 0
    image = FeatureShape(
      channels: pick(1...64), height: pick(max(2, 4 - 2 * padding.height)...17),
      width: narrow ? pick(max(2, 4 - 2 * padding.width)...17) : pick(30...37))
    outChannels = pick(1...64)
    budget = [1, 1 << 20][pick(0...1)]
  }

  var output: FeatureShape {
    FeatureShape(
      channels: outChannels, height: image.height + 2 * padding.height - 2,
      width: image.width + 2 * padding.width - 2)
  }

  var geometry: ConvGeometry {
    ConvGeometry(
      image: image, kernel: Size2(3), stride: Size2(1), padding: padding, dilation: Size2(1),
      columns: output)
  }

  var description: String {
    "\(batch)x\(image) -> \(outChannels), padding \(padding), budget \(budget)"
  }
}

/// Calls `body(output, input, weight)` with the flat indices of every product of the
/// convolution: output `[n][o][oy][ox]`, input `[n][c][oy+ky-p][ox+kx-p]` (inside the image),
/// weight `[o][c][ky][kx]`.
private func forEachTap(_ conv: RandomConv, _ body: (Int, Int, Int) -> Void) {
  let (i, o) = (conv.image, conv.output)
  for n in 0..<conv.batch {
    for out in 0..<o.channels {
      for oy in 0..<o.height {
        for ox in 0..<o.width {
          let at = ((n * o.channels + out) * o.height + oy) * o.width + ox
          for c in 0..<i.channels {
            for ky in 0..<3 {
              for kx in 0..<3 {
                let (iy, ix) = (oy + ky - conv.padding.height, ox + kx - conv.padding.width)
                guard iy >= 0 && iy < i.height && ix >= 0 && ix < i.width else { continue }
                body(
                  at, ((n * i.channels + c) * i.height + iy) * i.width + ix,
                  ((out * i.channels + c) * 3 + ky) * 3 + kx)
              }
            }
          }
        }
      }
    }
  }
}

/// In Double, `y = conv(x, w)` from `values` = x, or with `adjoint` the input gradient
/// `dx[input] += dy[out] · w[weight]` from `values` = dy; beside it each result's sum of the
/// terms' magnitudes (the scale of the float rounding).
private func directSums(_ conv: RandomConv, _ values: [Float], w: [Float], adjoint: Bool)
  -> (sums: [Double], scale: [Double])
{
  var sums = [Double](
    repeating: 0, count: conv.batch * (adjoint ? conv.image.count : conv.output.count))
  var scale = sums
  forEachTap(conv) { out, input, weight in
    let (from, to) = adjoint ? (out, input) : (input, out)
    let term = Double(w[weight]) * Double(values[from])
    sums[to] += term
    scale[to] += abs(term)
  }
  return (sums, scale)
}

/// Runs `winograd` from `input` (the conv's input, or the output gradient) and returns its result.
private func run(
  _ winograd: Winograd3x3, _ conv: RandomConv, input: [Float], inputShape: FeatureShape,
  outputShape: FeatureShape, w: [Float], flipped: Bool, bias: [Float]?
) -> [Float] {
  var source = input
  var result = [Float](repeating: .nan, count: conv.batch * outputShape.count)
  source.withUnsafeMutableBufferPointer { x in
    result.withUnsafeMutableBufferPointer { y in
      w.withUnsafeBufferPointer { w in
        let bias = bias.map { Array($0) } ?? []
        bias.withUnsafeBufferPointer { b in
          winograd.run(
            TensorView(base: x.baseAddress!, batch: conv.batch, shape: inputShape),
            into: TensorView(base: y.baseAddress!, batch: conv.batch, shape: outputShape),
            samples: 0..<conv.batch, filters: w.baseAddress!, flipped: flipped,
            bias: b.isEmpty ? nil : b.baseAddress!, buffers: Winograd3x3.Buffers(),
            budget: conv.budget, workspace: GEMMWorkspace())
        }
      }
    }
  }
  return result
}

/// The worst `|winograd - direct| / (1 + Σ|terms|)`: float rounding of the sums stays far below
/// 1e-5 of the terms' magnitude, a wrong tap or tile is of the order of one term.
private func worstError(_ result: [Float], _ reference: [Double], _ scale: [Double]) -> Double {
  // A NaN anywhere is the worst error: `max()` would keep it only as the first element.
  var worst: Double = 0
  for (value, (expected, terms)) in zip(result, zip(reference, scale)) {
    let error = abs(Double(value) - expected) / (1 + terms)
    if !(error <= worst) { worst = error.isNaN ? .infinity : error }
  }
  return worst
}

// The forward pass (with a bias) and the input gradient (flipped, transposed filters, no bias),
// each on 40 random shapes.
@Test(arguments: [false, true])
func winogradEqualsDirectConvolutionOnRandomShapes(inputGradient: Bool) throws {
  var rng = SplitMix64(seed: inputGradient ? 41 : 14)
  for _ in 0..<40 {
    let conv = RandomConv(&rng)
    let make = inputGradient ? Winograd3x3.inputGradient : Winograd3x3.forward
    let winograd = try #require(
      make(conv.geometry, conv.outChannels, 1, 1), "\(conv)")
    let (from, to) = inputGradient ? (conv.output, conv.image) : (conv.image, conv.output)
    let input = randomFloats(conv.batch * from.count, &rng)
    let w = randomFloats(conv.outChannels * conv.image.channels * 9, &rng)
    let bias = inputGradient ? nil : randomFloats(conv.outChannels, &rng)
    let result = run(
      winograd, conv, input: input, inputShape: from, outputShape: to, w: w,
      flipped: inputGradient, bias: bias)
    var (reference, scale) = directSums(conv, input, w: w, adjoint: inputGradient)
    if let bias {  // within the 1 worstError adds to the scale
      let planes = to.height * to.width
      for k in reference.indices { reference[k] += Double(bias[k / planes % conv.outChannels]) }
    }
    #expect(worstError(result, reference, scale) < 1e-5, "\(conv)")
  }
}

@Test func winogradTakesOnlyThreeByThreeStrideOneConvolutions() {
  func geometry(kernel: Int = 3, stride: Int = 1, padding: Int = 1, dilation: Int = 1)
    -> ConvGeometry
  {
    let image = FeatureShape(channels: 16, height: 12, width: 12)
    let size = (12 + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    return ConvGeometry(
      image: image, kernel: Size2(kernel), stride: Size2(stride), padding: Size2(padding),
      dilation: Size2(dilation), columns: FeatureShape(channels: 16, height: size, width: size))
  }
  #expect(Winograd3x3.forward(geometry(), outChannels: 16, groups: 1) != nil)
  #expect(Winograd3x3.inputGradient(geometry(), outChannels: 16, groups: 1) != nil)
  #expect(Winograd3x3.forward(geometry(), outChannels: 16, groups: 2) == nil)
  #expect(Winograd3x3.forward(geometry(), outChannels: 4, groups: 1) == nil)
  #expect(Winograd3x3.forward(geometry(kernel: 5, padding: 2), outChannels: 16, groups: 1) == nil)
  #expect(Winograd3x3.forward(geometry(stride: 2), outChannels: 16, groups: 1) == nil)
  #expect(Winograd3x3.forward(geometry(padding: 3), outChannels: 16, groups: 1) == nil)
  #expect(Winograd3x3.forward(geometry(padding: 2, dilation: 2), outChannels: 16, groups: 1) == nil)
}

// Conv2d's own Winograd path (8 channels or more on both sides), forward and input gradient,
// against finite differences, with the default chunks and with one sample per chunk.
@Test(arguments: [0, 1, 2], [nil, 1])
func winogradConv2DBackwardMatchesFiniteDifferences(padding: Int, columnBudget: Int?) throws {
  let spec = Conv2DSpec(outChannels: 9, kernel: Size2(3), padding: Size2(padding))
  let graph = try single(FeatureShape(channels: 8, height: 5, width: 6), .conv2d(spec))
  let result = try GradientCheck(graph: graph, batch: 2, step: 0.25, columnBudget: columnBudget)
    .run()
  #expect(result.maxError < 2e-3, "padding \(padding): \(result)")
}

// A network of such layers trains to the same losses with Winograd as with the direct path (to
// float rounding), and its layers did take Winograd.
@Test func winogradNetworkMatchesTheDirectPath() throws {
  let graph = try ModelGraph.sequential(
    input: FeatureShape(channels: 3, height: 9, width: 9),
    [
      ("conv1", .conv2d(Conv2DSpec(outChannels: 8, kernel: Size2(3), padding: Size2(1)))),
      ("relu1", .relu),
      ("conv2", .conv2d(Conv2DSpec(outChannels: 12, kernel: Size2(3), padding: Size2(1)))),
      ("relu2", .relu),
      ("conv3", .conv2d(Conv2DSpec(outChannels: 10, kernel: Size2(3)))),
      ("pool", .globalAvgPool),
    ])
  var outputs: [[Float]] = []
  var gradients: [[[Float]]] = []
  for winograd in [true, false] {
    let workers = Workers(count: 2)
    workers.minimumParallelCost = 0
    workers.allowsWinograd = winograd
    let network = try Network(graph: graph, seed: 3, workers: workers, inputGradient: true)
    #expect(network.layers.contains { ($0 as? Conv2DLayer)?.takesWinograd == true } == winograd)
    var rng = SplitMix64(seed: 7)
    let input = network.prepare(batch: 4)
    input.base.update(from: randomFloats(input.count, &rng), count: input.count)
    network.forward(training: true)
    let last = graph.nodes.count - 1
    let y = network.value(last)
    outputs.append(Array(UnsafeBufferPointer(start: y.base, count: y.count)))
    network.gradient(last).base.update(from: randomFloats(y.count, &rng), count: y.count)
    network.backward(from: last)
    let dx = network.gradient(0)
    gradients.append(
      [Array(UnsafeBufferPointer(start: dx.base, count: dx.count))]
        + network.parameters.map(\.gradients))
  }
  func close(_ a: [Float], _ b: [Float]) -> Bool {
    zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }
  }
  #expect(close(outputs[0], outputs[1]))
  for (a, b) in zip(gradients[0], gradients[1]) { #expect(close(a, b)) }
}

// The weight gradient on 40 random shapes against the direct sums in Double:
// `dw[weight] = Σ dy[out] · x[input]` over every tap of every sample.
@Test func winogradWeightGradientEqualsDirectSumsOnRandomShapes() throws {
  var rng = SplitMix64(seed: 1414)
  for _ in 0..<40 {
    let conv = RandomConv(&rng)
    let winograd = try #require(
      Winograd3x3.forward(
        conv.geometry, outChannels: conv.outChannels, groups: 1,
        minimumChannels: 1), "\(conv)")
    var x = randomFloats(conv.batch * conv.image.count, &rng)
    var dy = randomFloats(conv.batch * conv.output.count, &rng)
    // NaN where the gradient is not written: every weight must be.
    var dw = [Float](repeating: .nan, count: conv.outChannels * conv.image.channels * 9)
    x.withUnsafeMutableBufferPointer { x in
      dy.withUnsafeMutableBufferPointer { dy in
        dw.withUnsafeMutableBufferPointer { dw in
          winograd.weightGradient(
            TensorView(base: x.baseAddress!, batch: conv.batch, shape: conv.image),
            TensorView(base: dy.baseAddress!, batch: conv.batch, shape: conv.output),
            samples: 0..<conv.batch, into: dw.baseAddress!, buffers: Winograd3x3.Buffers(),
            budget: conv.budget, workspace: GEMMWorkspace())
        }
      }
    }
    var reference = [Double](repeating: 0, count: dw.count)
    var scale = reference
    forEachTap(conv) { out, input, weight in
      let term = Double(dy[out]) * Double(x[input])
      reference[weight] += term
      scale[weight] += abs(term)
    }
    #expect(dw.allSatisfy { $0.isFinite }, "\(conv)")
    #expect(worstError(dw, reference, scale) < 1e-5, "\(conv)")
  }
}
