// `FoldedRequantization` (Int8SIMDSupport.swift): TFLite's two roundings merged into one floor,
// against `multiplyByQuantizedMultiplier` over its whole domain, ties on purpose.
import Testing

@testable import Runtime

#if arch(x86_64) || arch(arm64)
  @Test func foldedRequantizationEqualsTFLiteOverItsDomain() {
    var rng = SplitMix64(seed: 0xF01D)
    let bound = Int32((1 << 29) - 1)
    let edgeMultipliers: [Int32] = [0, 1, 1 << 30, (1 << 30) + 1, .max - 1, .max]
    let edgeAccumulators: [Int32] = [0, 1, -1, 2, -2, 3, -3, bound, -bound, bound - 1, -bound + 1]
    for round in 0..<3000 {
      // Every lane its own multiplier and shift; a quarter of the rounds on the edges. m = 2^30
      // (a real multiplier of 1/2) makes the first rounding a tie on every odd accumulator.
      var m = SIMD16<Int32>()
      var e = SIMD16<Int32>()
      var acc = SIMD16<Int32>()
      for l in 0..<16 {
        m[l] =
          rng.below(4) == 0 ? edgeMultipliers[rng.below(edgeMultipliers.count)] : rng.int32() & .max
        e[l] = Int32(round % 30 == l % 30 ? 29 : rng.below(30))
        switch rng.below(4) {
        case 0: acc[l] = edgeAccumulators[rng.below(edgeAccumulators.count)]
        case 1: acc[l] = Int32(rng.int(in: -(1 << 12)...(1 << 12)))
        default: acc[l] = Int32(rng.int(in: -Int(bound)...Int(bound)))
        }
        #expect(
          FoldedRequantization.supports(
            multiplier: m[l], shift: -e[l], accumulatorBound: Int(bound)))
      }
      let folded = FoldedRequantization(multipliers: m, rightShifts: e)
      let y = folded.apply(acc)
      let low = folded.applyLow(
        SIMD8(acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]))
      let splat = FoldedRequantization(multiplier: m[0], rightShift: e[0]).apply(acc)
      for l in 0..<16 {
        let want = multiplyByQuantizedMultiplier(acc[l], m[l], -e[l])
        let wantSplat = multiplyByQuantizedMultiplier(acc[l], m[0], -e[0])
        guard y[l] == want, l >= 8 || low[l] == want, splat[l] == wantSplat else {
          Issue.record(
            "acc \(acc[l]) m \(m[l]) e \(e[l]): \(y[l]) (low \(l < 8 ? low[l] : 0)), want \(want)")
          return
        }
      }
    }
  }

  @Test func foldedRequantizationWithAnOffsetAddsIt() {
    var rng = SplitMix64(seed: 0xF01E)
    let bound = (1 << 29) - 1
    for _ in 0..<3000 {
      var m = SIMD16<Int32>()
      var e = SIMD16<Int32>()
      var acc = SIMD16<Int32>()
      var offset = SIMD16<Int32>()
      for l in 0..<16 {
        m[l] = rng.below(8) == 0 ? [0, 1 << 30, .max][rng.below(3)] : rng.int32() & .max
        e[l] = Int32(rng.below(8) == 0 ? [0, 21][rng.below(2)] : rng.below(22))
        acc[l] = Int32(
          rng.below(8) == 0 ? [bound, -bound, 0, -1][rng.below(4)] : rng.int(in: -bound...bound))
        offset[l] = Int32(rng.below(8) == 0 ? [-128, 127][rng.below(2)] : rng.int(in: -128...127))
      }
      let y = FoldedRequantization(multipliers: m, rightShifts: e).addingOffset(offset).apply(acc)
      for l in 0..<16 {
        let want = multiplyByQuantizedMultiplier(acc[l], m[l], -e[l]) + offset[l]
        guard y[l] == want else {
          Issue.record(
            "acc \(acc[l]) m \(m[l]) e \(e[l]) offset \(offset[l]): \(y[l]), want \(want)")
          return
        }
      }
    }
  }
#endif

@Test func foldedRequantizationSupportsOnlyItsDomain() {
  let inside = (1 << 29) - 1
  #expect(FoldedRequantization.supports(multiplier: .max, shift: -29, accumulatorBound: inside))
  #expect(FoldedRequantization.supports(multiplier: 0, shift: 0, accumulatorBound: 0))
  #expect(
    !FoldedRequantization.supports(multiplier: .max, shift: -29, accumulatorBound: inside + 1))
  #expect(!FoldedRequantization.supports(multiplier: 1 << 30, shift: -30, accumulatorBound: 100))
  #expect(!FoldedRequantization.supports(multiplier: 1 << 30, shift: 1, accumulatorBound: 100))
  #expect(!FoldedRequantization.supports(multiplier: -1, shift: -5, accumulatorBound: 100))
  #expect(!FoldedRequantization.supports(multiplier: .min, shift: -5, accumulatorBound: 100))
}
