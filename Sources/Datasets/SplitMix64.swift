/// A small, fast, seedable random number generator (Steele, Lea and Flood's SplitMix64, the
/// seeder of xoshiro). The same seed gives the same shuffles, initial weights and dropout masks
/// on every machine, which `SystemRandomNumberGenerator` cannot promise.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  /// The generator's whole state: `SplitMix64(seed: state)` continues the same sequence (a
  /// training checkpoint keeps it).
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z &>> 31)
  }
}

/// `0..<count` in an order that depends only on `seed` (Fisher-Yates driven by SplitMix64;
/// the standard library's `shuffled(using:)` may change its algorithm between releases).
public func shuffledIndices(count: Int, seed: UInt64) -> [Int] {
  var rng = SplitMix64(seed: seed)
  var indices = Array(0..<count)
  var i = count - 1
  while i > 0 {
    let j = Int(rng.next() % UInt64(i + 1))
    indices.swapAt(i, j)
    i -= 1
  }
  return indices
}
