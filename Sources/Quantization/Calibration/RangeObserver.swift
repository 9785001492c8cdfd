/// Watches the values of one activation over the calibration images and proposes its int8 range.
///
/// It keeps the exact minimum and maximum, and two histograms of `binCount` bins: one of the
/// positive values over [0, positiveLimit) and one of the magnitudes of the negative values over
/// [0, negativeLimit). A value past a limit doubles that limit, merging bins pairwise, so memory
/// stays fixed whatever the range, and every bin is at most twice as wide as it would be with the
/// final range known in advance (the scheme of PyTorch's HistogramObserver, simplified).
public struct RangeObserver: Sendable {
  public static let binCount = 2048

  public private(set) var min = Float.infinity
  public private(set) var max = -Float.infinity
  public private(set) var count = 0
  private var positive = Histogram()
  private var negative = Histogram()

  public init() {}

  /// Adds a batch of values (any layout: only the distribution matters).
  public mutating func observe(_ values: UnsafeBufferPointer<Float>) {
    var low = min
    var high = max
    for v in values where v.isFinite {
      low = Swift.min(low, v)
      high = Swift.max(high, v)
    }
    guard low <= high else { return }
    min = low
    max = high
    if high > 0 { positive.cover(high) }
    if low < 0 { negative.cover(-low) }
    for v in values where v.isFinite {
      if v >= 0 { positive.add(v) } else { negative.add(-v) }
    }
    count += values.count
  }

  public mutating func observe(_ values: [Float]) {
    values.withUnsafeBufferPointer { observe($0) }
  }

  /// The range to quantise to. With no values seen, [0, 0].
  public func range(_ method: CalibrationMethod) -> ActivationRange {
    guard count > 0 else { return ActivationRange(min: 0, max: 0) }
    switch method {
    case .minMax:
      return ActivationRange(min: min, max: max)
    case .percentile(let p):
      let tails = Double(count) * (100 - p) / 100
      let sides = (min < 0 ? 1 : 0) + (max > 0 ? 1 : 0)
      let perSide = sides > 0 ? tails / Double(sides) : 0
      let high = max > 0 ? Swift.min(max, positive.quantile(dropping: perSide)) : max
      let low = min < 0 ? Swift.max(min, -negative.quantile(dropping: perSide)) : min
      return ActivationRange(min: low, max: high)
    case .mse:
      return bestMSERange()
    }
  }

  /// Tries the min/max range shrunk by factors 1.00, 0.99, ... 0.30 (both ends together) and
  /// keeps the one whose int8 grid gives the least squared error over the histograms' bin centres.
  private func bestMSERange() -> ActivationRange {
    var best = ActivationRange(min: min, max: max)
    var bestError = Double.infinity
    for step in 0...70 {
      let factor = Float(100 - step) / 100
      let candidate = ActivationRange(min: min * factor, max: max * factor)
      let q = AffineQuantization.asymmetricInt8(min: candidate.min, max: candidate.max)
      let error = positive.squaredError(q, sign: 1) + negative.squaredError(q, sign: -1)
      if error < bestError {
        bestError = error
        best = candidate
      }
    }
    return best
  }
}

/// Counts of non-negative values in `RangeObserver.binCount` equal bins over [0, limit).
private struct Histogram: Sendable {
  var limit: Float = 0
  var bins = [Double](repeating: 0, count: RangeObserver.binCount)

  var binWidth: Float { limit / Float(bins.count) }

  /// Grows `limit` (doubling, merging bins pairwise) until `value` falls inside.
  mutating func cover(_ value: Float) {
    if limit == 0 {
      limit = value.nextUp  // the first values fix the initial resolution
      return
    }
    while value >= limit {
      let half = bins.count / 2
      for i in 0..<half { bins[i] = bins[2 * i] + bins[2 * i + 1] }
      for i in half..<bins.count { bins[i] = 0 }
      limit *= 2
    }
  }

  mutating func add(_ value: Float) {
    guard limit > 0 else { return }  // only zeros so far: they count in bin 0 once limit exists
    let i = Swift.min(Int(value / limit * Float(bins.count)), bins.count - 1)
    bins[i] += 1
  }

  /// The value below which all but `dropping` counts lie (interpolated inside the bin).
  func quantile(dropping: Double) -> Float {
    var above = 0.0
    for i in stride(from: bins.count - 1, through: 0, by: -1) {
      if above + bins[i] > dropping {
        let inside = (dropping - above) / bins[i]  // fraction of this bin to drop, from its top
        return (Float(i + 1) - Float(inside)) * binWidth
      }
      above += bins[i]
    }
    return 0
  }

  /// Σ count · (centre − dequantize(quantize(centre)))² for the values `sign * centre`.
  func squaredError(_ q: AffineQuantization, sign: Float) -> Double {
    var total = 0.0
    for (i, n) in bins.enumerated() where n > 0 {
      let x = sign * (Float(i) + 0.5) * binWidth
      let e = Double(x - q.dequantize(q.quantize(x)))
      total += n * e * e
    }
    return total
  }
}
