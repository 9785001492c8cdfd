import Datasets
import Testing

@testable import Quantization

@Test func minMaxIsExact() {
  var o = RangeObserver()
  o.observe([0.5, -0.25, 3, 0])
  o.observe([-1.5, 2])
  #expect(o.range(.minMax) == ActivationRange(min: -1.5, max: 3))
  #expect(o.count == 6)
}

@Test func percentileOfAUniformRamp() {
  // 0, 1/N, ..., (N-1)/N in batches that grow the histogram's limit several times.
  let n = 100_000
  var o = RangeObserver()
  for batch in 0..<10 {
    o.observe((0..<n / 10).map { Float(batch * n / 10 + $0) / Float(n) })
  }
  let r = o.range(.percentile(99))  // one side only (no negatives): drop the top 1 %
  #expect(r.min == 0)
  #expect(abs(r.max - 0.99) < 0.002, "got \(r.max)")
}

@Test func percentileSplitsTheTailsOverBothSides() {
  let values = (0..<20_000).map { Float($0 - 10_000) / 10_000 }  // [-1, 1)
  var o = RangeObserver()
  o.observe(values)
  let r = o.range(.percentile(98))  // 1 % off each end
  #expect(abs(r.min + 0.98) < 0.003 && abs(r.max - 0.98) < 0.003, "got \(r)")
}

@Test func outlierStretchesMinMaxButNotPercentileOrMSE() {
  var rng = SplitMix64(seed: 1)
  var values = (0..<50_000).map { _ in Float(rng.next() % 1000) / 1000 }  // [0, 1)
  values.append(100)  // one wild activation
  var o = RangeObserver()
  o.observe(values)
  #expect(o.range(.minMax).max == 100)
  #expect(o.range(.percentile(99.99)).max < 1.5)
  let mse = o.range(.mse)
  #expect(mse.max < 100 && mse.max >= 30, "the search shrinks by at most 0.30: got \(mse.max)")
}

@Test func mseKeepsTheFullRangeWhenNothingIsGainedByClipping() {
  var o = RangeObserver()
  o.observe((0..<256).map { Float($0) / 255 })  // exactly on the 1/255 grid of [0, 1]
  #expect(o.range(.mse) == ActivationRange(min: 0, max: 1))
}

@Test func emptyAndConstantObservers() {
  #expect(RangeObserver().range(.mse) == ActivationRange(min: 0, max: 0))
  var zeros = RangeObserver()
  zeros.observe([0, 0, 0])
  #expect(zeros.range(.percentile(99.9)) == ActivationRange(min: 0, max: 0))
  #expect(zeros.range(.mse) == ActivationRange(min: 0, max: 0))
}

@Test func calibrationMethodsParse() {
  #expect(CalibrationMethod("minmax") == .minMax)
  #expect(CalibrationMethod("MSE") == .mse)
  #expect(CalibrationMethod("percentile") == .percentile(99.99))
  #expect(CalibrationMethod("percentile:99.9") == .percentile(99.9))
  #expect(CalibrationMethod("percentile:20") == nil)
  #expect(CalibrationMethod("kl") == nil)
}
