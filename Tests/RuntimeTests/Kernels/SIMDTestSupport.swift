import KernelDispatch
import Testing

@testable import Runtime

// Random cases for the SIMD-versus-reference property tests: shapes that stress the vector
// tails (odd and tiny channel counts, sizes off the vector width) and quantisation parameters
// that stress the requantisation (multipliers from tiny to above one, extreme raw multipliers and
// shifts, any zero points, narrow clamps, huge biases that wrap).

extension SplitMix64 {
  /// A value in `range`, uniformly.
  mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.upperBound - range.lowerBound + 1)
  }

  /// Mostly small, sometimes large: `small` three times in four, else `large`.
  mutating func size(_ small: ClosedRange<Int>, _ large: ClosedRange<Int>) -> Int {
    below(4) == 0 ? int(in: large) : int(in: small)
  }

  mutating func zeroPoint() -> Int32 {
    switch below(6) {
    case 0: return -128
    case 1: return 127
    case 2: return 0
    default: return Int32(int8())
    }
  }

  mutating func int32() -> Int32 { Int32(truncatingIfNeeded: next()) }

  /// One channel's (multiplier, shift): usually `quantizeMultiplier` of a real scale between
  /// 1e-6 and 8, sometimes raw extremes the kernels must treat exactly as the reference does.
  mutating func requantization() -> (multiplier: Int32, shift: Int32) {
    switch below(10) {
    case 0:
      let multipliers: [Int32] = [.max, .min, 1 << 30, 0, -(1 << 30), int32()]
      let shifts: [Int32] = [-31, -30, -1, 0, 1, 7, 12, 31]
      return (multipliers[below(multipliers.count)], shifts[below(shifts.count)])
    case 1:
      return (int32(), Int32(int(in: -31...8)))
    default:
      let exponent = Double(below(1 << 20)) / Double(1 << 20) * 6.9 - 6  // 1e-6 ... 8
      return quantizeMultiplier(pow10(exponent))
    }
  }

  /// A bias: small, huge (wrapping the accumulator) or extreme.
  /// A multiplier and shift of a real layer: a scale ratio of 10^-5.5 ... 10^-0.05, which
  /// `FoldedRequantization` takes (the folded kernels' paths run on it).
  mutating func realRequantization() -> (multiplier: Int32, shift: Int32) {
    let exponent = Double(below(1 << 20)) / Double(1 << 20) * 5.45 - 5.5
    return quantizeMultiplier(pow10(exponent))
  }

  mutating func bias() -> Int32 {
    switch below(8) {
    case 0: return int32()
    case 1: return [Int32.max, Int32.min][below(2)]
    default: return Int32(int(in: -40_000...40_000))
    }
  }

  /// Activation clamp bounds within int8, `min <= max`, often the full range.
  mutating func activationRange() -> (min: Int32, max: Int32) {
    if below(2) == 0 { return (-128, 127) }
    let a = Int32(int8())
    let b = Int32(int8())
    return (Swift.min(a, b), Swift.max(a, b))
  }

  /// Int8 weights, sometimes all in [-127, 127] only, sometimes with many extremes.
  mutating func weights(_ count: Int) -> [Int8] {
    switch below(4) {
    case 0: return (0..<count).map { _ in [Int8.min, Int8.max, -127, 0][below(4)] }
    default: return int8s(count)
    }
  }
}

/// 10^x without Foundation.
private func pow10(_ x: Double) -> Double {
  var result = 1.0
  var e = x
  while e >= 1 {
    result *= 10
    e -= 1
  }
  while e < 0 {
    result /= 10
    e += 1
  }
  // 10^e for e in [0, 1): exp(e ln 10) by its series, plenty for a random scale.
  let t = e * 2.302_585_092_994_046
  var term = 1.0
  var sum = 1.0
  for n in 1..<30 {
    term *= t / Double(n)
    sum += term
  }
  return result * sum
}

/// Runs `body` with base addresses of the arrays (a spare element so an empty one has one).
func withPointers<R>(
  _ a: [Int8], _ b: [Int32], _ c: [Int32], _ d: [Int32],
  _ body: (UnsafePointer<Int8>, UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Int32>)
    -> R
) -> R {
  (a + [0]).withUnsafeBufferPointer { a in
    (b + [0]).withUnsafeBufferPointer { b in
      (c + [0]).withUnsafeBufferPointer { c in
        (d + [0]).withUnsafeBufferPointer { d in
          body(a.baseAddress!, b.baseAddress!, c.baseAddress!, d.baseAddress!)
        }
      }
    }
  }
}

/// A 16-aligned buffer of `bytes`, zeroed, for packed weights and scratch; freed after `body`.
func withAlignedBuffer<R>(_ bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
  let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 16)
  memory.initializeMemory(as: UInt8.self, repeating: 0xA5, count: max(bytes, 1))  // not zeros
  defer { memory.deallocate() }
  return body(memory)
}

/// The property-test loop: `count` random cases, case `i` drawn from `SplitMix64(seed: base + i)`;
/// `check` returns nil when the optimised kernel equals the reference, else what differs. The
/// first failure is recorded with its seed (to replay it) and ends the loop.
func checkRandomCases(
  _ count: UInt64, seedBase base: UInt64, _ check: (inout SplitMix64) -> String?
) {
  for i in UInt64(0)..<count {
    var rng = SplitMix64(seed: base + i)
    if let failure = check(&rng) {
      Issue.record("seed \(base + i): \(failure)")
      return
    }
  }
}

/// The index and values of the first difference, for a failure message.
func firstDifference(_ got: [Int8], _ want: [Int8]) -> String {
  guard let i = got.indices.first(where: { got[$0] != want[$0] }) else { return "none" }
  let count = got.indices.filter { got[$0] != want[$0] }.count
  return "\(count) of \(got.count) differ, first [\(i)] got \(got[i]) want \(want[i])"
}

/// Runs `body` with heap copies exactly as large as the arrays (an empty one gets one element),
/// so that a kernel reading past a tensor reads past an allocation.
func exactCopies<R>(
  _ a: [Int8], _ b: [Int32], _ c: [Int32], _ d: [Int32],
  _ body: (UnsafePointer<Int8>, UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Int32>)
    -> R
) -> R {
  func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
    p.initialize(from: values, count: values.count)
    return p
  }
  let (pa, pb, pc, pd) = (copy(a), copy(b), copy(c), copy(d))
  defer {
    pa.deallocate()
    pb.deallocate()
    pc.deallocate()
    pd.deallocate()
  }
  return body(pa, pb, pc, pd)
}

/// A failure message for the first vector kernel set this CPU runs (`KernelSet.vectorSets`:
/// portable, AVX2, AVX-512 VNNI) whose `run` differs from `want`, the reference's; nil when every
/// set gives the reference's bytes.
func firstVectorSetDifference(
  from want: [Int8], _ run: (KernelSet) -> [Int8]
) -> String? {
  for kernels in KernelSet.vectorSets {
    let got = run(kernels)
    if got != want { return "\(kernels.name): \(firstDifference(got, want))" }
  }
  return nil
}
