#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What one batch of `softmaxCrossEntropy` gives back.
struct LossResult {
  /// Σ over the batch of -log softmax(logits)[label] (divide by the batch for the mean).
  var totalLoss: Double
  /// Samples whose largest logit is their label (the first largest on ties).
  var correct: Int
}

/// Softmax cross-entropy on flat logits `[N, classes]` with integer labels: the mean over the
/// batch of `-log(e^z_y / Σ_j e^z_j)`, computed as `log Σ e^(z - max) - (z_y - max)` so no
/// exponent overflows. When `gradient` is given it receives the gradient of that mean:
/// `(softmax(z) - onehot(y)) / N`.
func softmaxCrossEntropy(
  logits: TensorView, labels: UnsafePointer<Int32>, gradient: TensorView?
) -> LossResult {
  let classes = logits.sampleSize
  let scale = 1 / Float(logits.batch)
  var total: Double = 0
  var correct = 0
  for n in 0..<logits.batch {
    let z = logits.sample(n)
    let label = Int(labels[n])
    var largest = z[0]
    var best = 0
    for j in 1..<classes where z[j] > largest {
      largest = z[j]
      best = j
    }
    if best == label { correct += 1 }
    var sum: Double = 0
    for j in 0..<classes { sum += Double(expf(z[j] - largest)) }
    total += log(sum) - Double(z[label] - largest)
    guard let gradient else { continue }
    let g = gradient.sample(n)
    let inverse = 1 / sum
    for j in 0..<classes {
      g[j] = Float(Double(expf(z[j] - largest)) * inverse) * scale
    }
    g[label] -= scale
  }
  return LossResult(totalLoss: total, correct: correct)
}
