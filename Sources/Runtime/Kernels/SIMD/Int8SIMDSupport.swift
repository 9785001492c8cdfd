// The vector building blocks of the `*Int8SIMD` kernels: widening int8 to int32 lanes, the
// int16 pair multiply-add (x86's `pmaddwd`), and TFLite's requantisation on eight lanes at once.
//
// Everything is written so that LLVM sees the pattern it has an instruction for (checked with
// llvm-objdump, docs/recipes/swift-performance.md §6 and §8):
// - widening is a lane loop, never `init(truncatingIfNeeded:)` (an out-of-line generic call);
// - a vector is compared with a vector, never with a scalar (a per-lane branch);
// - 64-bit lanes are built without `Int64(x)`, which Swift 6.3 rejects under `-no-allocations` on
//   32-bit targets (docs/embedded-swift.md); literals stay out of 64-bit shifts for the same reason.
// All arithmetic wraps, as the reference kernels' does, so every result is bit-identical.

/// Eight int32 lanes: one accumulator, eight output channels.
typealias Lanes = SIMD8<Int32>

@inline(__always)
func widen(_ v: SIMD16<Int8>) -> SIMD16<Int32> {
  var r = SIMD16<Int32>()
  for j in 0..<16 { r[j] = Int32(v[j]) }
  return r
}

@inline(__always)
func widen(_ v: SIMD16<Int16>) -> SIMD16<Int32> {
  var r = SIMD16<Int32>()
  for j in 0..<16 { r[j] = Int32(v[j]) }
  return r
}

@inline(__always)
func widen(_ v: SIMD8<Int8>) -> Lanes {
  var r = Lanes()
  for j in 0..<8 { r[j] = Int32(v[j]) }
  return r
}

@inline(__always)
func widenToInt16(_ v: SIMD16<Int8>) -> SIMD16<Int16> {
  var r = SIMD16<Int16>()
  for j in 0..<16 { r[j] = Int16(v[j]) }
  return r
}

/// Sixteen int8 weights at `p` (no alignment needed), as int32 lanes holding int16 values.
@inline(__always)
func loadWidened16(_ p: UnsafePointer<Int8>) -> SIMD16<Int32> {
  widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self))
}

/// Eight int8 values at `p` as int32 lanes.
@inline(__always)
func loadWidened8(_ p: UnsafePointer<Int8>) -> Lanes {
  widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int8>.self))
}

/// Eight int32 values at `p`, no alignment needed.
@inline(__always)
func loadLanes(_ p: UnsafePointer<Int32>) -> Lanes {
  UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
}

/// One int32 holding two int16 values (low half first) repeated over 16 int16 lanes, each widened
/// to int32: the activation pair `(x[2k], x[2k+1])` of one pixel against eight channels.
@inline(__always)
func broadcastPair(_ pair: Int32) -> SIMD16<Int32> {
  widen(unsafeBitCast(Lanes(repeating: pair), to: SIMD16<Int16>.self))
}

/// `r[i] = a[2i] * b[2i] + a[2i+1] * b[2i+1]`: with both operands in int16 range this is one
/// `pmaddwd`, which cannot overflow here (|w| <= 128, |x + offset| <= 255).
@inline(__always)
func multiplyAddPairs(_ a: SIMD16<Int32>, _ b: SIMD16<Int32>) -> Lanes {
  let p = a &* b
  return p.evenHalf &+ p.oddHalf
}

// MARK: Requantisation on eight lanes

/// Two's-complement sign extension to 64 bits, in words the 32-bit `-no-allocations` build takes:
/// zero-extend (`_truncatingBits` from a `UInt` of the same or larger width), then flip and
/// subtract the sign bit. LLVM folds it into one sign extension (`vpmuldq` reads it directly).
@inline(__always)
func signExtended(_ x: Int32) -> Int64 {
  let zeroExtended = Int64(bitPattern: UInt64(_truncatingBits: UInt(UInt32(bitPattern: x))))
  return (zeroExtended ^ 0x8000_0000) &- 0x8000_0000
}

@inline(__always)
func signExtended(_ v: Lanes) -> SIMD8<Int64> {
  var r = SIMD8<Int64>()
  for j in 0..<8 { r[j] = signExtended(v[j]) }
  return r
}

@inline(__always)
func truncated(_ v: SIMD8<Int64>) -> Lanes {
  var r = Lanes()
  for j in 0..<8 { r[j] = Int32(truncatingIfNeeded: v[j]) }
  return r
}

/// `saturatingRoundingDoublingHighMul` on eight lanes. gemmlowp's nudge-and-truncate equals
/// `(a * b + 2^30) >> 31` (floor) in 64 bits for every pair but `Int32.min * Int32.min`, which
/// saturates. Only the low 32 bits of the shifted value are kept, where an arithmetic and a
/// logical shift agree, so LLVM emits the logical one (x86 has no 64-bit arithmetic vector shift
/// before AVX-512).
@inline(__always)
func saturatingRoundingDoublingHighMul(_ a: Lanes, _ b: Lanes) -> Lanes {
  let product = signExtended(a) &* signExtended(b)
  let nudged = product &+ SIMD8<Int64>(repeating: 0x4000_0000)
  var high = truncated(nudged &>> 31)
  // Int32.min * Int32.min gives 2^31, which wraps to Int32.min, and nothing else does (the
  // smallest product, -2^31 * (2^31 - 1), gives -2^31 + 1): that lane saturates. (Testing a and
  // b instead needs the AND of two lane masks, which LLVM turns into a loop over the lanes.)
  let minimum = Lanes(repeating: .min)
  high.replace(with: Lanes(repeating: .max), where: high .== minimum)
  return high
}

/// `roundingDivideByPOT` on 8 or 16 lanes, each with its own exponent (the shifts mask to 0...31,
/// as the scalar version's do).
@inline(__always)
func roundingDivideByPOT<V: SIMD & Equatable>(_ x: V, _ exponent: V) -> V
where V.Scalar == Int32, V.MaskStorage: SIMD {
  let one = V(repeating: 1)
  let mask = (one &<< exponent) &- one
  let remainder = x & mask
  // x >> 31 is -1 for a negative x: the threshold is half the divisor, plus one below zero.
  let threshold = (mask &>> one) &- (x &>> 31)
  // remainder > threshold exactly when threshold - remainder (both in 0...2^31 - 1) is negative.
  let roundUp = (threshold &- remainder) &>> 31  // -1 or 0
  return (x &>> exponent) &- roundUp
}

/// TFLite's requantisation of one accumulator vector, channel parameters from `PackedInt8Weights`
/// (or a broadcast per-tensor multiplier), then the output zero point and the clamp:
/// the lanes of `multiplyByQuantizedMultiplier(acc, m, shift) + outputOffset`, clamped.
struct LaneRequantization {
  var multiplier: Lanes
  var leftShift: Lanes  // max(shift, 0)
  var rightShift: Lanes  // max(-shift, 0)

  @inline(__always)
  func apply(_ acc: Lanes) -> Lanes {
    roundingDivideByPOT(
      saturatingRoundingDoublingHighMul(acc &<< leftShift, multiplier), rightShift)
  }
}

/// The output zero point and clamp bounds as vectors.
struct LaneOutputRange {
  var offset: Lanes
  var minimum: Lanes
  var maximum: Lanes

  init(offset: Int32, minimum: Int32, maximum: Int32) {
    self.offset = Lanes(repeating: offset)
    self.minimum = Lanes(repeating: minimum)
    self.maximum = Lanes(repeating: maximum)
  }

  /// `min(max(y + offset, minimum), maximum)` narrowed to int8 (`packssdw`/`packsswb`).
  /// Lane by lane, which LLVM makes `pmaxsd`/`pminsd` (see `clampedToInt8`).
  @inline(__always)
  func narrow(_ y: Lanes) -> SIMD8<Int8> {
    let v = y &+ offset
    var r = SIMD8<Int8>()
    for j in 0..<8 {
      r[j] = Int8(truncatingIfNeeded: Swift.min(Swift.max(v[j], minimum[j]), maximum[j]))
    }
    return r
  }
}

/// Stores the first `count` (1...8) lanes at `p`, which need not be aligned: one 8-byte store, or
/// at most a 4-, a 2- and a 1-byte store (never past `count`, where other data may live).
/// Lane 0 is the low byte of the bit pattern: every target we build for is little-endian.
@inline(__always)
func store(_ v: SIMD8<Int8>, to p: UnsafeMutablePointer<Int8>, count: Int) {
  let out = UnsafeMutableRawPointer(p)
  if count == 8 {
    out.storeBytes(of: v, as: SIMD8<Int8>.self)
    return
  }
  var bits = unsafeBitCast(v, to: UInt64.self)
  var offset = 0
  if count & 4 != 0 {
    out.storeBytes(of: UInt32(truncatingIfNeeded: bits), toByteOffset: offset, as: UInt32.self)
    bits = bits &>> 32
    offset += 4
  }
  if count & 2 != 0 {
    out.storeBytes(of: UInt16(truncatingIfNeeded: bits), toByteOffset: offset, as: UInt16.self)
    bits = bits &>> 16
    offset += 2
  }
  if count & 1 != 0 {
    out.storeBytes(of: UInt8(truncatingIfNeeded: bits), toByteOffset: offset, as: UInt8.self)
  }
}

// MARK: Loads that never read past their data

/// The taps `k` of a dilated window whose position `origin + dilation * k` lies in
/// `0 ..< inputSize`: the ones the reference does not skip.
@inline(__always)
func dilatedWindow(origin: Int, dilation: Int, filterSize: Int, inputSize: Int) -> Range<Int> {
  // First k with origin + dilation * k >= 0; last with origin + dilation * k < inputSize.
  let start = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation
  let limit = inputSize - origin  // positions below this are inside
  let end = limit <= 0 ? 0 : (limit - 1) / dilation + 1
  let clampedEnd = end < filterSize ? end : filterSize
  return start < clampedEnd ? start..<clampedEnd : start..<start
}

/// `count` (1...8) int8 values at `p` widened to lanes (the rest 0); one vector load when eight
/// bytes are readable before `end`.
@inline(__always)
func loadInt8Lanes(_ p: UnsafePointer<Int8>, count: Int, end: UnsafePointer<Int8>) -> Lanes {
  if p + 8 <= end { return loadWidened8(p) }
  var r = Lanes()
  for l in 0..<count { r[l] = Int32(p[l]) }
  return r
}

/// `count` (1...8) int32 values at `p` (the rest 0), without reading past them.
@inline(__always)
func loadLanes(_ p: UnsafePointer<Int32>, count: Int) -> Lanes {
  if count == 8 { return loadLanes(p) }
  var r = Lanes()
  for l in 0..<count { r[l] = p[l] }
  return r
}

extension LaneRequantization {
  /// The per-channel parameters of channels `channels ..< channels + count` (1...8), split as
  /// `multiplyByQuantizedMultiplier` splits its shift; unused lanes get multiplier 0.
  init(
    channels c0: Int, count: Int, multiplier: UnsafePointer<Int32>, shift: UnsafePointer<Int32>
  ) {
    let zero = Lanes()
    let shifts = loadLanes(shift + c0, count: count)
    self.init(
      multiplier: loadLanes(multiplier + c0, count: count),
      leftShift: shifts.replacing(with: zero, where: shifts .< zero),
      rightShift: (zero &- shifts).replacing(with: zero, where: shifts .> zero))
  }
}

// MARK: Sixteen lanes

#if arch(x86_64) || arch(arm64)
  /// `multiplyByQuantizedMultiplier` on sixteen lanes, each with its own multiplier and shift
  /// (`leftShift = max(shift, 0)`, `rightShift = max(-shift, 0)`): the reference's two roundings
  /// one after the other, the same values for every input.
  ///
  /// The products are taken in 64-bit lanes: seen as SIMD8<Int64>, a vector holds its even int32
  /// lanes sign-extended in (x << 32) >> 32 and its odd ones in x >> 32, and LLVM multiplies both
  /// with `vpmuldq`/`pmuldq` (which read only the low halves).
  @_transparent
  func requantized(
    _ acc: SIMD16<Int32>, multiplier: SIMD16<Int32>, leftShift: SIMD16<Int32>,
    rightShift: SIMD16<Int32>
  ) -> SIMD16<Int32> {
    // saturatingRoundingDoublingHighMul: (a * m + 2^30) >> 31 in 64 bits; the even lanes' bits
    // 31...62 go to the low halves, the odd ones' to the high halves.
    let a = acc &<< leftShift
    let a64 = unsafeBitCast(a, to: SIMD8<Int64>.self)
    let m64 = unsafeBitCast(multiplier, to: SIMD8<Int64>.self)
    let nudge = SIMD8<Int64>(repeating: 1 << 30)
    let even = ((a64 &<< 32) &>> 32) &* ((m64 &<< 32) &>> 32) &+ nudge
    let odd = (a64 &>> 32) &* (m64 &>> 32) &+ nudge
    let low = SIMD8<Int64>(repeating: 0xFFFF_FFFF)
    var high = unsafeBitCast(((even &>> 31) & low) | ((odd &<< 1) & ~low), to: SIMD16<Int32>.self)
    // Only a = m = Int32.min gives 2^31, which wraps to Int32.min (no other product reaches it:
    // the smallest, -2^31 * (2^31 - 1), gives -2^31 + 1); the reference saturates it.
    high.replace(with: SIMD16(repeating: .max), where: high .== SIMD16(repeating: .min))
    return roundingDivideByPOT(high, rightShift)
  }
#else
  /// `multiplyByQuantizedMultiplier` on sixteen lanes as two halves of `LaneRequantization`:
  /// 32-bit targets' `-no-allocations` build rejects the 64-bit lane shifts of the version
  /// above (embedded/README.md).
  @_transparent
  func requantized(
    _ acc: SIMD16<Int32>, multiplier: SIMD16<Int32>, leftShift: SIMD16<Int32>,
    rightShift: SIMD16<Int32>
  ) -> SIMD16<Int32> {
    typealias Halves = (Lanes, Lanes)
    let a = unsafeBitCast(acc, to: Halves.self)
    let m = unsafeBitCast(multiplier, to: Halves.self)
    let l = unsafeBitCast(leftShift, to: Halves.self)
    let r = unsafeBitCast(rightShift, to: Halves.self)
    let low = LaneRequantization(multiplier: m.0, leftShift: l.0, rightShift: r.0).apply(a.0)
    let high = LaneRequantization(multiplier: m.1, leftShift: l.1, rightShift: r.1).apply(a.1)
    return unsafeBitCast((low, high), to: SIMD16<Int32>.self)
  }
#endif

/// `multiplyByQuantizedMultiplier(acc, m, -e)` for multipliers `0 <= m < 2^31` and right shifts
/// `e` (0...29) on sixteen lanes, with TFLite's two roundings (tflite-micro
/// tensorflow/lite/kernels/internal/common.cc, `MultiplyByQuantizedMultiplier`:
/// `SaturatingRoundingDoublingHighMul`, then `RoundingDivideByPOT`) merged into one floor.
///
/// With p = acc * m: the first rounding is h = floor((p + 2^30) / 2^31) (gemmlowp's nudge and
/// truncation toward zero give exactly this for every pair but Int32.min * Int32.min), the second,
/// half away from zero, is y = floor((h + 2^(e-1) - [h < 0]) / 2^e) for e >= 1 and y = h for
/// e = 0. With q = floor(p / 2^30), h = floor((q + 1) / 2), and the two floors are one:
///
///     y = floor((q + 1 + 2^e - 2 [acc < 0]) / 2^(e+1))      (e >= 1; e = 0: floor((q + 1) / 2))
///
/// ([h < 0] may be read as [acc < 0]: they differ only where h = 0, and there both give y = 0.)
/// q is the high half of the 64-bit product (4 acc) * m, so each lane costs one `vpmuldq` and no
/// 64-bit nudge, and the rest is on sixteen 32-bit lanes: per 16 lanes about 10 instructions,
/// where the two roundings one after the other took 14. `supports` keeps 4 acc and the 32-bit
/// sum within int32.
struct FoldedRequantization {
  let multiplier: SIMD16<Int32>
  #if arch(x86_64) || arch(arm64)
    /// The odd lanes' multipliers again in the even positions (`vpmuldq` reads the low int32
    /// of each 64-bit lane).
    let oddMultiplier: SIMD16<Int32>
    /// 1 + 2^e (e >= 1), 1 (e = 0): the rounding of both steps (plus offset * 2^(e+1) after
    /// `addingOffset`).
    private(set) var rounding: SIMD16<Int32>
    /// -2 (e >= 1), 0 (e = 0): added where acc < 0.
    let belowZero: SIMD16<Int32>
    /// e + 1.
    let floorShift: SIMD16<Int32>
  #else
    let rightShift: SIMD16<Int32>
  #endif

  /// The largest right shift `supports` takes.
  static let maximumRightShift: Int32 = 29

  /// Whether a multiplier and shift (`multiplyByQuantizedMultiplier`'s) can be folded for
  /// accumulators of magnitude at most `accumulatorBound`: 4 acc fits int32 (|acc| < 2^29), and
  /// so does q + 1 + 2^e (|q| < 2 |acc| since m < 2^31, and 2^30 + 1 + 2^29 < 2^31). A negative
  /// multiplier (which no TFLite scale gives) would break the sign term.
  static func supports(multiplier m: Int32, shift: Int32, accumulatorBound: Int) -> Bool {
    m >= 0 && shift <= 0 && shift >= -maximumRightShift && accumulatorBound >= 0
      && accumulatorBound < 1 << 29
  }

  /// The largest |bias + Σ w (x + inputOffset)| over int8 inputs x (|x + inputOffset| <= 255
  /// for every int8 zero point), Int.max where it does not fit: `supports`' bound for one
  /// channel of weights `w(0..<count)`.
  static func accumulatorBound(bias: Int32, count: Int, _ w: (Int) -> Int8) -> Int {
    var weights = 0
    for k in 0..<count { weights += Int(w(k).magnitude) }
    let (scaled, o1) = weights.multipliedReportingOverflow(by: 255)
    let (sum, o2) = scaled.addingReportingOverflow(Int(bias.magnitude))
    return o1 || o2 ? .max : sum
  }

  /// One multiplier and shift for every lane: the constants computed once and splatted (the
  /// per-lane loop of `init(multipliers:rightShifts:)` cost ADD about 0.3 µs per call).
  init(multiplier m: Int32, rightShift e: Int32) {
    multiplier = SIMD16(repeating: m)
    #if arch(x86_64) || arch(arm64)
      oddMultiplier = multiplier
      rounding = SIMD16(repeating: e >= 1 ? 1 &+ (1 &<< e) : 1)
      belowZero = SIMD16(repeating: e >= 1 ? -2 : 0)
      floorShift = SIMD16(repeating: e &+ 1)
    #else
      rightShift = SIMD16(repeating: e)
    #endif
  }

  /// Lane l: multiplier `multipliers[l]`, right shift `rightShifts[l]` (each `supports`ed).
  init(multipliers: SIMD16<Int32>, rightShifts: SIMD16<Int32>) {
    multiplier = multipliers
    #if arch(x86_64) || arch(arm64)
      var odd = SIMD16<Int32>()
      for l in 0..<8 { odd[2 * l] = multipliers[2 * l + 1] }
      oddMultiplier = odd
      let zero = SIMD16<Int32>()
      let rounds = rightShifts .>= SIMD16(repeating: 1)
      rounding = (SIMD16(repeating: 1) &+ (SIMD16(repeating: 1) &<< rightShifts)).replacing(
        with: SIMD16(repeating: 1), where: .!rounds)
      belowZero = SIMD16(repeating: -2).replacing(with: zero, where: .!rounds)
      floorShift = rightShifts &+ 1
    #else
      rightShift = rightShifts
    #endif
  }

  @_transparent
  func apply(_ acc: SIMD16<Int32>) -> SIMD16<Int32> {
    #if arch(x86_64) || arch(arm64)
      // Sign extensions LLVM sees as such, so the products are `vpmuldq`, not `vpmullq`.
      let a = unsafeBitCast(acc &<< 2, to: SIMD8<Int64>.self)
      let m0 = unsafeBitCast(multiplier, to: SIMD8<Int64>.self)
      let m1 = unsafeBitCast(oddMultiplier, to: SIMD8<Int64>.self)
      let even = unsafeBitCast(((a &<< 32) &>> 32) &* ((m0 &<< 32) &>> 32), to: SIMD16<Int32>.self)
      let odd = unsafeBitCast((a &>> 32) &* ((m1 &<< 32) &>> 32), to: SIMD16<Int32>.self)
      // Lane by lane: LLVM makes the high halves one two-source permute, and the sign term
      // `vpmovd2m` and a masked add. (Written on whole vectors, the sign term was traced back
      // into the 64-bit products, lane by lane: 55 instructions instead of 20.)
      var q = SIMD16<Int32>()
      for l in 0..<8 {
        q[2 * l] = even[2 * l + 1]
        q[2 * l + 1] = odd[2 * l + 1]
      }
      let rounded = q &+ rounding
      return (rounded &+ ((acc &>> 31) & belowZero)) &>> floorShift
    #else
      return requantized(
        acc, multiplier: multiplier, leftShift: SIMD16(), rightShift: rightShift)
    #endif
  }

  #if arch(x86_64) || arch(arm64)
    /// The largest right shift `addingOffset` takes.
    static let maximumOffsetRightShift: Int32 = 21

    /// `supports`, and a right shift `addingOffset` takes: what a packing that folds the output
    /// offset into the rounding checks for each channel.
    static func supportsAddingOffset(multiplier m: Int32, shift: Int32, accumulatorBound: Int)
      -> Bool
    {
      supports(multiplier: m, shift: shift, accumulatorBound: accumulatorBound)
        && -shift <= maximumOffsetRightShift
    }

    /// `apply` plus `offset` (each lane -128...127), folded into the rounding: offset * 2^(e+1)
    /// added before the floor is offset added after it. For e <= 21 the sum stays in int32:
    /// |q| < 2^30 and |1 + 2^e + offset * 2^(e+1)| <= 2^29 + 2^21 + 1.
    @inline(__always)
    func addingOffset(_ offset: SIMD16<Int32>) -> FoldedRequantization {
      var r = self
      r.rounding = rounding &+ (offset &<< floorShift)
      return r
    }

    /// `apply` on the low 8 lanes, in vectors of half the width.
    @_transparent
    func applyLow(_ acc: SIMD8<Int32>) -> SIMD8<Int32> {
      typealias Halves = (SIMD8<Int32>, SIMD8<Int32>)
      let a = unsafeBitCast(acc &<< 2, to: SIMD4<Int64>.self)
      let m0 = unsafeBitCast(unsafeBitCast(multiplier, to: Halves.self).0, to: SIMD4<Int64>.self)
      let m1 = unsafeBitCast(
        unsafeBitCast(oddMultiplier, to: Halves.self).0, to: SIMD4<Int64>.self)
      let even = unsafeBitCast(((a &<< 32) &>> 32) &* ((m0 &<< 32) &>> 32), to: SIMD8<Int32>.self)
      let odd = unsafeBitCast((a &>> 32) &* ((m1 &<< 32) &>> 32), to: SIMD8<Int32>.self)
      var q = SIMD8<Int32>()
      for l in 0..<4 {
        q[2 * l] = even[2 * l + 1]
        q[2 * l + 1] = odd[2 * l + 1]
      }
      let r = unsafeBitCast(rounding, to: Halves.self).0
      let below = unsafeBitCast(belowZero, to: Halves.self).0
      let shift = unsafeBitCast(floorShift, to: Halves.self).0
      var y = SIMD8<Int32>()
      for l in 0..<8 { y[l] = (q[l] &+ r[l] &+ ((acc[l] &>> 31) & below[l])) &>> shift[l] }
      return y
    }
  #endif
}

/// `min(max(y, minimum), maximum)` narrowed to int8 (`vpmovdb` on AVX-512).
@_transparent
func clampedToInt8(_ y: SIMD16<Int32>, _ minimum: SIMD16<Int32>, _ maximum: SIMD16<Int32>)
  -> SIMD16<Int8>
{
  // Lane by lane: LLVM makes it `vpmaxsd`/`vpminsd`. (`replace(with:where:)` became compares,
  // masks turned into vectors and back, and blends; `pointwiseMax` stays an out-of-line generic
  // call.)
  var bytes = SIMD16<Int8>()
  for j in 0..<16 {
    bytes[j] = Int8(truncatingIfNeeded: Swift.min(Swift.max(y[j], minimum[j]), maximum[j]))
  }
  return bytes
}

/// Stores the outputs of channels `16 * g ..< min(16 * g + 16, channels)` of a pixel.
@_transparent
func storeGroup(
  _ bytes: SIMD16<Int8>, channels: Int, _ g: Int, _ out: UnsafeMutablePointer<Int8>
) {
  // Whole: one 16-byte store (a copy LLVM makes one `vmovdqu`; `storeBytes` of a
  // SIMD16<Int8> and `lowHalf` stay generic calls).
  let rest = channels - 16 * g
  var v = bytes
  if rest >= 16 {
    withUnsafeBytes(of: &v) {
      UnsafeMutableRawPointer(out + 16 * g).copyMemory(from: $0.baseAddress!, byteCount: 16)
    }
    return
  }
  let pair = unsafeBitCast(bytes, to: SIMD2<UInt64>.self)
  store(
    unsafeBitCast(pair[0], to: SIMD8<Int8>.self), to: out + 16 * g, count: rest < 8 ? rest : 8)
  if rest > 8 {
    store(unsafeBitCast(pair[1], to: SIMD8<Int8>.self), to: out + 16 * g + 8, count: rest - 8)
  }
}
