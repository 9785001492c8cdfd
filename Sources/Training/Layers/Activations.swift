#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ReLU, `y = max(x, 0)`, or ReLU6, `y = min(max(x, 0), 6)` (MobileNet's, which int8 folds into
/// the clamp the same way). The gradient passes where the input is strictly inside the linear
/// part (PyTorch's choice at the kinks: 0).
final class ClampLayer: NetworkLayer {
  let upper: Float  // .infinity for ReLU

  init(upper: Float) { self.upper = upper }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let range = output.elements(samples)
    clampValues(
      inputs[0].base + range.lowerBound, upper: upper, into: output.base + range.lowerBound,
      count: range.count)
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    guard let dx = inputGradients[0]?.base else { return }
    let range = output.elements(samples)
    clampGradient(
      outputGradient.base + range.lowerBound, at: inputs[0].base + range.lowerBound,
      upper: upper, into: dx + range.lowerBound, count: range.count)
  }
}

/// `y[i] = min(max(x[i], 0), upper)` (a NaN gives 0), ReLU's and ReLU6's forward pass. A plain
/// select loop: it compiles to vmaxps/vminps. (SIMD8's `clamped` calls the generic
/// pointwiseMin/Max out of line, which cost 12 % of a LeNet epoch.)
func clampValues(
  _ x: UnsafePointer<Float>, upper: Float, into y: UnsafeMutablePointer<Float>, count: Int
) {
  for i in 0..<count { y[i] = clamped(x[i], upper: upper) }
}

/// `min(max(v, 0), upper)` as two selects (a NaN gives 0): the clamp of one value.
@inline(__always) func clamped(_ v: Float, upper: Float) -> Float {
  let low = v > 0 ? v : 0
  return low < upper ? low : upper
}

/// `dx[i] = dy[i]` where `0 < v[i] < upper`, else 0: the clamp's backward pass, with v its input
/// or its output (the same test on either). Two selects of values already loaded: a select that
/// loads (`v > 0 ? dy[i] : 0`) may not read dy[i] when v <= 0, so it compiled to a scalar
/// branch per element, mispredicted on about half of them (ReLU inputs change sign at random):
/// 8-11 % of a ResNet-8 or cnn-small epoch.
func clampGradient(
  _ dy: UnsafePointer<Float>, at v: UnsafePointer<Float>, upper: Float,
  into dx: UnsafeMutablePointer<Float>, count: Int
) {
  for i in 0..<count {
    let (value, g) = (v[i], dy[i])
    let inside = value > 0 ? g : 0
    dx[i] = value < upper ? inside : 0
  }
}

/// Flatten (NCHW order, `c*H*W + y*W + x`, already the memory order) and the identity steps:
/// a copy forward, a copy backward.
final class CopyLayer: NetworkLayer {
  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let range = output.elements(samples)
    (output.base + range.lowerBound).update(
      from: inputs[0].base + range.lowerBound, count: range.count)
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    guard let dx = inputGradients[0] else { return }
    let range = output.elements(samples)
    (dx.base + range.lowerBound).update(
      from: outputGradient.base + range.lowerBound, count: range.count)
  }
}

/// Elementwise sum of the inputs (residual connections); each input's gradient is the output's.
/// In training passes it may take in the ReLU after it (`ClampAbsorbing`, ResNet's `add, relu`).
final class AddLayer: ClampAbsorbing {
  var absorbedClamp: Float?

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let y = output.base
    let range = output.elements(samples)
    let clamp = context.training ? absorbedClamp : nil
    // A residual join has two inputs: one pass, not a copy and then an add over y.
    if inputs.count == 2 {
      let (a, b) = (inputs[0].base, inputs[1].base)
      if let upper = clamp {
        for i in range { y[i] = clamped(a[i] + b[i], upper: upper) }
      } else {
        for i in range { y[i] = a[i] + b[i] }
      }
      return
    }
    let first = inputs[0].base
    for i in range { y[i] = first[i] }
    for x in inputs.dropFirst() {
      let source = x.base
      for i in range { y[i] += source[i] }
    }
    if let upper = clamp {
      clampValues(
        y + range.lowerBound, upper: upper, into: y + range.lowerBound, count: range.count)
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    let range = output.elements(samples)
    var source = UnsafePointer(outputGradient.base + range.lowerBound)
    var clamp = context.training ? absorbedClamp : nil
    for dx in inputGradients {
      guard let target = dx.map({ $0.base + range.lowerBound }) else { continue }
      if let upper = clamp {
        // The first input's gradient is the clamp's; the others copy it.
        clampGradient(
          source, at: output.base + range.lowerBound, upper: upper, into: target,
          count: range.count)
        (clamp, source) = (nil, UnsafePointer(target))
        continue
      }
      target.update(from: source, count: range.count)
    }
  }
}

/// Concatenation along channels: in NCHW each sample's output is the inputs' samples one after
/// the other, so both directions are block copies.
final class ConcatLayer: NetworkLayer {
  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    for n in samples {
      var to = output.sample(n)
      for x in inputs {
        to.update(from: x.sample(n), count: x.sampleSize)
        to += x.sampleSize
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    for n in samples {
      var from = outputGradient.sample(n)
      for (x, dx) in zip(inputs, inputGradients) {
        dx?.sample(n).update(from: from, count: x.sampleSize)
        from += x.sampleSize
      }
    }
  }
}

/// Softmax over the channels at each pixel (over the features of a flat sample), computed with
/// the maximum subtracted so no exponent overflows. Backward: `dx = y ⊙ (dy - Σ_c dy·y)`.
final class SoftmaxLayer: NetworkLayer {
  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let (channels, plane) = (x.shape.channels, x.planeSize)
    for n in samples {
      let (source, target) = (x.sample(n), output.sample(n))
      for p in 0..<plane {
        var largest = -Float.infinity
        for c in 0..<channels { largest = max(largest, source[c * plane + p]) }
        var sum: Float = 0
        for c in 0..<channels {
          let e = expf(source[c * plane + p] - largest)
          target[c * plane + p] = e
          sum += e
        }
        for c in 0..<channels { target[c * plane + p] /= sum }
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    guard let dx = inputGradients[0] else { return }
    let (channels, plane) = (output.shape.channels, output.planeSize)
    for n in samples {
      let (y, dy, d) = (output.sample(n), outputGradient.sample(n), dx.sample(n))
      for p in 0..<plane {
        var dot: Float = 0
        for c in 0..<channels { dot += dy[c * plane + p] * y[c * plane + p] }
        for c in 0..<channels { d[c * plane + p] = y[c * plane + p] * (dy[c * plane + p] - dot) }
      }
    }
  }
}
