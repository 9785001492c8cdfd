import Datasets
import Graph

/// Inverted dropout: in training each value is zeroed with probability `rate` and the survivors
/// scaled by 1/(1-rate), so inference is the identity. Sample n's mask at step s comes from
/// SplitMix64(seed, s, n) alone: the same seed replays the same masks whatever the batch split
/// among threads, and a forward can be repeated exactly (the gradient check does).
final class DropoutLayer: NetworkLayer {
  private let rate: Float
  private let seed: UInt64
  private let sampleSize: Int
  private let mask = FloatBuffer()  // 0 or 1/(1-rate) per value of the last training forward

  init(spec: DropoutSpec, seed: UInt64, shape: FeatureShape) {
    rate = spec.rate
    self.seed = seed
    sampleSize = shape.count
  }

  func prepare(batch: Int, workers: Workers) { _ = mask.reserve(batch * sampleSize) }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let (x, y) = (inputs[0].base, output.base)
    let range = output.elements(samples)
    guard context.training && rate > 0 else {
      (y + range.lowerBound).update(from: x + range.lowerBound, count: range.count)
      return
    }
    let keep = 1 / (1 - rate)
    // Compare 24 random bits with the rate: exact for rates that are multiples of 2^-24.
    let threshold = UInt64((Double(rate) * Double(1 << 24)).rounded())
    let m = mask.pointer
    for n in samples {
      var rng = SplitMix64(
        seed: seed ^ (context.step &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(n) &* 0xD1B5_4A32_D192_ED03))
      for i in output.elements(n..<n + 1) {
        m[i] = (rng.next() >> 40) < threshold ? 0 : keep
        y[i] = x[i] * m[i]
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    guard let dx = inputGradients[0]?.base else { return }
    let dy = outputGradient.base
    let range = output.elements(samples)
    guard context.training && rate > 0 else {
      (dx + range.lowerBound).update(from: dy + range.lowerBound, count: range.count)
      return
    }
    let m = mask.pointer
    for i in range { dx[i] = dy[i] * m[i] }
  }
}
