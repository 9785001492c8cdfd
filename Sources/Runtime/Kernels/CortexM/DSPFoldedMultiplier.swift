/// `multiplyByQuantizedMultiplier(x, m, -e)` for a multiplier m >= 0 and a right shift e in
/// 0...31, TFLite's two roundings as one 64-bit add and shift (the derivation is
/// `FoldedRequantization`'s, Int8SIMDSupport.swift): with p = x * m,
///
///     y = (p + 2^30 + 2^(30+e) - [p < 0] * 2^31) >> (31 + e)    (e >= 1)
///     y = (p + 2^30) >> 31                                      (e = 0)
///
/// With m >= 0 the sign of p is the sign of x (for m = 0 and x < 0 the e >= 1 constant less
/// 2^31 is still in [0, 2^(31+e)), so y = 0 as the reference gives). On Armv7E-M: one SMLAL
/// onto the constant for x's sign, then a shift.
struct DSPFoldedMultiplier {
  let multiplier: Int32
  let shift: Int32
  let positive: (low: UInt32, high: Int32)
  let negative: (low: UInt32, high: Int32)

  /// Whether `multiplyByQuantizedMultiplier(_, m, shift)` folds: m >= 0, shift in -31...0.
  static func folds(multiplier m: Int32, shift: Int32) -> Bool {
    m >= 0 && shift <= 0 && shift >= -31
  }

  init(multiplier m: Int32, shift: Int32) {
    multiplier = m
    self.shift = -shift
    (positive, negative) = Self.constants(rightShift: -shift)
  }

  /// The 64-bit constant for a product of either sign, as (low, high) words.
  static func constants(rightShift e: Int32)
    -> (positive: (low: UInt32, high: Int32), negative: (low: UInt32, high: Int32))
  {
    guard e >= 1 else { return ((0x4000_0000, 0), (0x4000_0000, 0)) }
    // 2^30 + 2^(30+e): e = 1 is 0xC000_0000 in the low word; e >= 2 puts 2^(e-2) in the high one.
    let low: UInt32 = e == 1 ? 0xC000_0000 : 0x4000_0000
    let high: Int32 = e >= 2 ? 1 &<< (e &- 2) : 0
    // Less 2^31: the low word wraps (a carry into the high word) only for e = 1.
    let (negativeLow, carry) = low.addingReportingOverflow(0x8000_0000)
    return ((low, high), (negativeLow, high &- 1 &+ (carry ? 1 : 0)))
  }

  @inline(__always)
  func apply(_ x: Int32) -> Int32 {
    let product = x.multipliedFullWidth(by: multiplier)
    let constant = x < 0 ? negative : positive
    let (low, carry) = product.low.addingReportingOverflow(constant.low)
    let high = product.high &+ constant.high &+ (carry ? 1 : 0)
    // (sum >> 31) fits 32 bits (|p| < 2^62); then the e further bits, one floor.
    return ((high &<< 1) | Int32(bitPattern: low &>> 31)) &>> shift
  }
}
