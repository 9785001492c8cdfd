import Dispatch

/// The clock a core runs at now, measured: /proc/cpuinfo's "cpu MHz" is the nominal clock, which
/// turbo (and a VM's host) can exceed by half, and a peak computed from it can be beaten.
package enum CPUClock {
  /// Megahertz from the best of five timings of a chain of dependent one-cycle integer
  /// operations (an add and an xor per step: two cycles on every x86-64 and Arm core we know).
  /// About 0.1 s. Scalar code runs at the highest turbo; heavy AVX-512 code can run a little
  /// slower, so a peak from this clock is an upper bound.
  package static func measureMegahertz(steps: Int = 20_000_000) -> Double {
    var best = Double.infinity
    var sink: UInt64 = 0
    for _ in 0..<5 {
      let t0 = DispatchTime.now().uptimeNanoseconds
      sink ^= dependentChain(steps, seed: t0)
      let t1 = DispatchTime.now().uptimeNanoseconds
      best = min(best, Double(t1 - t0) / Double(2 * steps))  // nanoseconds per cycle
    }
    // `sink` keeps the chains alive; it is never 1 in practice, and if it were, one more digit.
    return (sink == 1 ? 1.000_001 : 1) * 1000 / best
  }

  /// Two cycles per step: the xor waits for the add (the shift runs beside it).
  @inline(never)
  static func dependentChain(_ steps: Int, seed: UInt64) -> UInt64 {
    var x = seed
    for _ in 0..<steps { x = (x &+ 0x9E37_79B9_7F4A_7C15) ^ (x &>> 7) }
    return x
  }
}
