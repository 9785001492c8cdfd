import Graph

/// Max pooling. Padding acts as -infinity, so a window's maximum is taken over its cells inside
/// the image (the graph guarantees every window has one). Forward remembers each window's winner
/// (its offset in the input plane; the first maximum on ties, as PyTorch); backward routes the
/// gradient to it.
///
/// With `fusedClamp` set, a training pass also does the work of the ReLU (or ReLU6) before the
/// pool, which `Network` then skips: the pool reads the ReLU's input and clamps each window's
/// maximum, since the maximum of clamped values is the clamped maximum; backward passes a
/// window's gradient only where that maximum lies inside the clamp (a window whose cells are all
/// clamped to 0 gets zeros either way, whichever cell wins). The same values and gradients as the
/// two layers, bit for bit (but for NaN inputs), without the ReLU's passes over the larger map
/// (6.5 % of a cnn-small epoch).
final class MaxPool2DLayer: NetworkLayer {
  private let window: PoolWindow
  private let outputSize: Int
  private let winners = Int32Buffer()  // [batch, C, outH, outW] offsets into the input plane
  /// The upper bound of the ReLU this pool takes in during training passes (`.infinity`, or 6).
  var fusedClamp: Float?

  init(spec: PoolSpec, input: FeatureShape, output: FeatureShape) {
    window = PoolWindow(spec: spec, input: input, output: output)
    outputSize = output.count
  }

  func prepare(batch: Int, workers: Workers) { _ = winners.reserve(batch * outputSize) }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let winner = winners.pointer
    let window = window
    let (inPlane, outPlane) = (x.planeSize, output.planeSize)
    let channels = x.shape.channels
    let halving = window.isHalving
    let clamp = context.training ? fusedClamp : nil
    for plane in samples.lowerBound * channels..<samples.upperBound * channels {
      let source = x.base + plane * inPlane
      let target = output.base + plane * outPlane
      let best = winner + plane * outPlane
      defer {
        if let clamp { clampValues(target, upper: clamp, into: target, count: outPlane) }
      }
      if halving {
        MaxPoolHalving.forward(
          source, width: window.width, outHeight: window.outHeight, outWidth: window.outWidth,
          into: target, winners: best)
        continue
      }
      for outY in 0..<window.outHeight {
        let rows = window.rows(outY)
        for outX in 0..<window.outWidth {
          let columns = window.columns(outX)
          var value = -Float.infinity
          var at = 0
          for inY in rows {
            for inX in columns where source[inY * window.width + inX] > value {
              value = source[inY * window.width + inX]
              at = inY * window.width + inX
            }
          }
          target[outY * window.outWidth + outX] = value
          best[outY * window.outWidth + outX] = Int32(at)
        }
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    guard let dx = inputGradients[0] else { return }
    let winner = winners.pointer
    let (inPlane, outPlane) = (dx.planeSize, output.planeSize)
    let channels = dx.shape.channels
    let window = window
    let clamp = context.training ? fusedClamp : nil
    for plane in samples.lowerBound * channels..<samples.upperBound * channels {
      let target = dx.base + plane * inPlane
      let dy = outputGradient.base + plane * outPlane
      if let clamp {
        // The absorbed ReLU's backward, in place (as batch norm's): this gradient has no other
        // reader.
        clampGradient(
          dy, at: output.base + plane * outPlane, upper: clamp, into: dy, count: outPlane)
      }
      let best = winner + plane * outPlane
      if window.isHalving {
        MaxPoolHalving.backward(
          dy, winners: best, width: window.width, height: inPlane / window.width,
          outHeight: window.outHeight, outWidth: window.outWidth, into: target)
        continue
      }
      target.update(repeating: 0, count: inPlane)
      for o in 0..<outPlane { target[Int(best[o])] += dy[o] }
    }
  }
}

/// Average pooling over the cells of each window that lie inside the image: padded cells are
/// left out of the divisor, as TFLite's AVERAGE_POOL_2D computes it.
final class AvgPool2DLayer: NetworkLayer {
  private let window: PoolWindow

  init(spec: PoolSpec, input: FeatureShape, output: FeatureShape) {
    window = PoolWindow(spec: spec, input: input, output: output)
  }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let window = window
    let (inPlane, outPlane) = (x.planeSize, output.planeSize)
    let channels = x.shape.channels
    for plane in samples.lowerBound * channels..<samples.upperBound * channels {
      let source = x.base + plane * inPlane
      let target = output.base + plane * outPlane
      for outY in 0..<window.outHeight {
        let rows = window.rows(outY)
        for outX in 0..<window.outWidth {
          let columns = window.columns(outX)
          var sum: Float = 0
          for inY in rows {
            for inX in columns { sum += source[inY * window.width + inX] }
          }
          target[outY * window.outWidth + outX] = sum / Float(rows.count * columns.count)
        }
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    guard let dx = inputGradients[0] else { return }
    let window = window
    let (inPlane, outPlane) = (dx.planeSize, output.planeSize)
    let channels = dx.shape.channels
    for plane in samples.lowerBound * channels..<samples.upperBound * channels {
      let target = dx.base + plane * inPlane
      target.update(repeating: 0, count: inPlane)
      let dy = outputGradient.base + plane * outPlane
      for outY in 0..<window.outHeight {
        let rows = window.rows(outY)
        for outX in 0..<window.outWidth {
          let columns = window.columns(outX)
          let share = dy[outY * window.outWidth + outX] / Float(rows.count * columns.count)
          for inY in rows {
            for inX in columns { target[inY * window.width + inX] += share }
          }
        }
      }
    }
  }
}

/// The mean of each channel plane: `[C, H, W] -> [C]`.
final class GlobalAvgPoolLayer: NetworkLayer {
  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let plane = x.planeSize
    let channels = x.shape.channels
    for i in samples.lowerBound * channels..<samples.upperBound * channels {
      let source = x.base + i * plane
      var sum: Float = 0
      for p in 0..<plane { sum += source[p] }
      output.base[i] = sum / Float(plane)
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    guard let dx = inputGradients[0] else { return }
    let plane = dx.planeSize
    let channels = dx.shape.channels
    for i in samples.lowerBound * channels..<samples.upperBound * channels {
      (dx.base + i * plane).update(
        repeating: outputGradient.base[i] / Float(plane), count: plane)
    }
  }
}

/// A pooling window's cells inside the image, per output row and column.
struct PoolWindow: Sendable {
  var width: Int
  var outHeight: Int
  var outWidth: Int
  private var rowRanges: [Range<Int>]
  private var columnRanges: [Range<Int>]
  /// 2x2 windows at stride 2 with no padding.
  var isHalving: Bool

  init(spec: PoolSpec, input: FeatureShape, output: FeatureShape) {
    width = input.width
    outHeight = output.height
    outWidth = output.width
    isHalving =
      spec.kernel == Size2(2) && spec.stride == Size2(2) && spec.padding == Size2(0)
    func ranges(_ count: Int, _ size: Int, _ kernel: Int, _ stride: Int, _ padding: Int)
      -> [Range<Int>]
    {
      (0..<count).map { o in
        let start = o * stride - padding
        return max(start, 0)..<min(start + kernel, size)
      }
    }
    rowRanges = ranges(
      output.height, input.height, spec.kernel.height, spec.stride.height, spec.padding.height)
    columnRanges = ranges(
      output.width, input.width, spec.kernel.width, spec.stride.width, spec.padding.width)
  }

  @inline(__always) func rows(_ outY: Int) -> Range<Int> { rowRanges[outY] }
  @inline(__always) func columns(_ outX: Int) -> Range<Int> { columnRanges[outX] }
  var area: Int { (rowRanges.first?.count ?? 1) * (columnRanges.first?.count ?? 1) }
}

/// FloatBuffer's Int32 twin, for max pooling's winners.
final class Int32Buffer {
  private(set) var pointer: UnsafeMutablePointer<Int32> = .allocate(capacity: 16)
  private var capacity = 16

  deinit { pointer.deallocate() }

  func reserve(_ count: Int) -> UnsafeMutablePointer<Int32> {
    if count > capacity {
      pointer.deallocate()
      pointer = .allocate(capacity: count)
      capacity = count
    }
    return pointer
  }
}
