import Datasets
import Graph

/// Inverted dropout: in training each value is zeroed with probability `rate` and the survivors
/// scaled by 1/(1-rate), so inference is the identity. The mask of step s comes from
/// SplitMix64(seed ^ s): the same seed replays the same masks, and a forward can be repeated
/// exactly (the gradient check does).
final class DropoutLayer: NetworkLayer {
  private let rate: Float
  private let seed: UInt64
  private let mask = FloatBuffer()  // 0 or 1/(1-rate) per value of the last training forward

  init(spec: DropoutSpec, seed: UInt64) {
    rate = spec.rate
    self.seed = seed
  }

  func forward(_ inputs: [TensorView], _ output: TensorView, _ context: LayerContext) {
    let (x, y) = (inputs[0].base, output.base)
    guard context.training && rate > 0 else {
      y.update(from: x, count: output.count)
      return
    }
    var rng = SplitMix64(seed: seed ^ (context.step &* 0x9E37_79B9_7F4A_7C15))
    let keep = 1 / (1 - rate)
    // Compare 24 random bits with the rate: exact for rates that are multiples of 2^-24.
    let threshold = UInt64((Double(rate) * Double(1 << 24)).rounded())
    let m = mask.reserve(output.count)
    for i in 0..<output.count {
      m[i] = (rng.next() >> 40) < threshold ? 0 : keep
      y[i] = x[i] * m[i]
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], _ context: LayerContext
  ) {
    guard let dx = inputGradients[0]?.base else { return }
    let dy = outputGradient.base
    guard context.training && rate > 0 else {
      dx.update(from: dy, count: outputGradient.count)
      return
    }
    let m = mask.pointer
    for i in 0..<outputGradient.count { dx[i] = dy[i] * m[i] }
  }
}
