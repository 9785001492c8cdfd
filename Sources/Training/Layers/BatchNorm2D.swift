import Graph

/// BatchNorm2d over the channels of an NCHW batch, with PyTorch's semantics.
///
/// Training: per channel c over the M = N*H*W values of the batch,
///
///     mean = Σx / M,  var = Σ(x - mean)² / M,  x̂ = (x - mean) / sqrt(var + ε),  y = γ x̂ + β
///     running_mean = (1 - momentum) running_mean + momentum mean
///     running_var  = (1 - momentum) running_var  + momentum var * M/(M - 1)   (unbiased)
///     backward: dγ = Σ dy x̂,  dβ = Σ dy,  dx = γ/sqrt(var + ε) (dy - dβ/M - x̂ dγ/M)
///
/// Evaluation uses the running statistics, so y is an affine map of x with `dx = γ/sqrt(rv+ε) dy`.
/// Channels are split across the workers (each channel's sums need the whole batch).
final class BatchNorm2DLayer: ClampAbsorbing {
  let scale: Parameter  // γ, PyTorch's "weight"
  let shift: Parameter  // β, "bias"
  let runningMean: Parameter
  let runningVariance: Parameter
  let parameters: [Parameter]
  private let epsilon: Float
  private let momentum: Float
  private let channels: Int
  /// The ReLU after this layer, taken in during training passes (`ClampAbsorbing`).
  var absorbedClamp: Float?
  private let mean = FloatBuffer()  // per channel, of the last forward
  private let inverseDeviation = FloatBuffer()  // 1/sqrt(var + ε), of the last forward

  init(name: String, spec: BatchNormSpec, input: FeatureShape) {
    channels = input.channels
    epsilon = spec.epsilon
    momentum = spec.momentum
    scale = Parameter(name: "\(name).weight", shape: [channels])
    shift = Parameter(name: "\(name).bias", shape: [channels])
    runningMean = Parameter(name: "\(name).running_mean", shape: [channels], isTrainable: false)
    runningVariance = Parameter(
      name: "\(name).running_var", shape: [channels], isTrainable: false)
    parameters = [scale, shift, runningMean, runningVariance]
    scale.fill(1)
    runningVariance.fill(1)
  }

  /// Batch statistics need every sample: the network calls it once per pass with the whole
  /// batch, and it splits the channels among the workers itself.
  var isSampleLocal: Bool { false }

  func prepare(batch: Int, workers: Workers) {
    _ = mean.reserve(channels)
    _ = inverseDeviation.reserve(channels)
  }

  func forward(
    _ inputs: [TensorView], _ output: TensorView, samples: Range<Int>, worker: Int,
    _ context: LayerContext
  ) {
    let x = inputs[0]
    let (plane, batch) = (x.planeSize, x.batch)
    let m = Float(batch * plane)
    let training = context.training
    let (gamma, beta) = (scale.value, shift.value)
    let (rm, rv) = (runningMean.value, runningVariance.value)
    let mean = mean.pointer
    let inverse = inverseDeviation.pointer
    let (epsilon, momentum) = (epsilon, momentum)
    let clamp = training ? absorbedClamp : nil
    context.workers.split(channels, cost: 4 * x.count) { _, range in
      for c in range {
        if training {
          // Each plane summed in float lanes, the planes in Double: the mean of N*H*W values
          // without a serial chain of scalar adds (LLVM keeps a Double sum in source order).
          var sum: Double = 0
          for n in 0..<batch { sum += Double(planeSum(x.sample(n) + c * plane, count: plane)) }
          let mu = sum / Double(m)
          var squares: Double = 0
          for n in 0..<batch {
            squares += Double(
              planeSquaredDeviations(x.sample(n) + c * plane, from: Float(mu), count: plane))
          }
          let variance = squares / Double(m)
          mean[c] = Float(mu)
          inverse[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
          rm[c] = (1 - momentum) * rm[c] + momentum * Float(mu)
          let unbiased = m > 1 ? variance * Double(m) / Double(m - 1) : variance
          rv[c] = (1 - momentum) * rv[c] + momentum * Float(unbiased)
        } else {
          mean[c] = rm[c]
          inverse[c] = 1 / (rv[c] + epsilon).squareRoot()
        }
        let a = gamma[c] * inverse[c]
        let b = beta[c] - mean[c] * a
        for n in 0..<batch {
          let target = output.sample(n) + c * plane
          planeAffine(x.sample(n) + c * plane, scale: a, shift: b, into: target, count: plane)
          if let clamp { clampValues(target, upper: clamp, into: target, count: plane) }
        }
      }
    }
  }

  func backward(
    _ inputs: [TensorView], _ output: TensorView, _ outputGradient: TensorView,
    _ inputGradients: [TensorView?], samples: Range<Int>, worker: Int, _ context: LayerContext
  ) {
    let x = inputs[0]
    let dx = inputGradients[0]
    let (plane, batch) = (x.planeSize, x.batch)
    let m = Float(batch * plane)
    let training = context.training
    let gamma = scale.value
    let (dGamma, dBeta) = (scale.gradient, shift.gradient)
    let (mean, inverse) = (mean.pointer, inverseDeviation.pointer)
    let clamp = training ? absorbedClamp : nil
    context.workers.split(channels, cost: 6 * x.count) { _, range in
      for c in range {
        let (mu, inv) = (mean[c], inverse[c])
        if let clamp {
          // The absorbed ReLU's backward, in place: this gradient has no other reader.
          for n in 0..<batch {
            let dy = outputGradient.sample(n) + c * plane
            clampGradient(
              dy, at: output.sample(n) + c * plane, upper: clamp, into: dy, count: plane)
          }
        }
        var sumDy: Double = 0
        var sumDyCentered: Double = 0  // Σ dy (x - mean); times inv it is Σ dy x̂
        for n in 0..<batch {
          let sums = planeGradientSums(
            outputGradient.sample(n) + c * plane, x.sample(n) + c * plane, mean: mu,
            count: plane)
          sumDy += Double(sums.dy)
          sumDyCentered += Double(sums.dyCentered)
        }
        let sumDyXhat = Float(sumDyCentered) * inv
        dGamma[c] = sumDyXhat
        dBeta[c] = Float(sumDy)
        guard let dx else { continue }
        let a = gamma[c] * inv
        for n in 0..<batch {
          let source = x.sample(n) + c * plane
          let dy = outputGradient.sample(n) + c * plane
          let target = dx.sample(n) + c * plane
          if training {
            // dx = a (dy - dβ/M - x̂ dγ/M) with x̂ = (x - mean) inv: an affine map of (dy, x).
            planeAffine2(
              dy, scale: a, source, center: mu, scale: -a * inv * sumDyXhat / m,
              shift: -a * (Float(sumDy) / m), into: target, count: plane)
          } else {
            planeAffine(dy, scale: a, shift: 0, into: target, count: plane)
          }
        }
      }
    }
  }
}
