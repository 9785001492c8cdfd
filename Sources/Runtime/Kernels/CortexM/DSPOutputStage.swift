/// The DSP kernels' last step for one accumulator: the bias, TFLM's requantisation
/// (`MultiplyByQuantizedMultiplier`, as reference_integer_ops::ConvPerChannel applies it), the
/// output offset and the activation clamp, narrowed to int8.
struct DSPOutputStage {
  let offset: Int32
  let minimum: Int32
  let maximum: Int32
  /// Every channel's record is `DSPChannelRecord.folds`: `DSPFoldedChannel` gives the same bytes.
  let folded: Bool

  /// The exact reference formula, for any multiplier and shift.
  @inline(__always)
  func apply(_ acc: Int32, _ record: UnsafePointer<Int32>) -> Int8 {
    let x = acc &+ record[DSPChannelRecord.bias]
    return narrow(
      multiplyByQuantizedMultiplier(
        x, record[DSPChannelRecord.multiplier], record[DSPChannelRecord.shift]))
  }

  /// The output offset added to a requantised value, clamped, as int8.
  @inline(__always)
  func narrow(_ requantized: Int32) -> Int8 {
    let y = requantized &+ offset
    return Int8(truncatingIfNeeded: y < minimum ? minimum : (y > maximum ? maximum : y))
  }
}

/// One channel's requantisation in the folded form, its record's words loaded once for all the
/// outputs it finishes: TFLite's two roundings as one (`DSPFoldedMultiplier`'s derivation),
/// for a right shift e >= 1: the high word of x * m + 2^30 + 2^(30+e) - [x < 0] * 2^31, shifted
/// right by e - 1. The sign term is added as the 64-bit value (s, s << 31) with s = x >> 31,
/// so no second constant is needed; on Armv7E-M an ASR, ADDS, ADC and one SMLAL.
struct DSPFoldedChannel {
  let bias: Int32
  let multiplier: Int32
  let downShift: Int32
  let low: UInt32
  let high: Int32

  @inline(__always)
  init(_ record: UnsafePointer<Int32>) {
    bias = record[DSPChannelRecord.bias]
    multiplier = record[DSPChannelRecord.multiplier]
    downShift = record[DSPChannelRecord.downShift]
    low = UInt32(bitPattern: record[DSPChannelRecord.low])
    high = record[DSPChannelRecord.low + 1]
  }

  @inline(__always)
  func requantize(_ acc: Int32) -> Int32 {
    let x = acc &+ bias
    let sign = x &>> 31
    let (constantLow, carry) = low.addingReportingOverflow(UInt32(bitPattern: sign) &<< 31)
    let constantHigh = high &+ sign &+ (carry ? 1 : 0)
    let product = x.multipliedFullWidth(by: multiplier)
    let (_, sumCarry) = product.low.addingReportingOverflow(constantLow)
    return (product.high &+ constantHigh &+ (sumCarry ? 1 : 0)) &>> downShift
  }
}

/// One output channel's constants in the DSP set's packed weights: 6 words.
enum DSPChannelRecord {
  static let words = 6
  static let bias = 0
  static let multiplier = 1
  /// TFLite's shift (left if positive).
  static let shift = 2
  /// For the folded form: e - 1 with e = -shift, and the 64-bit constant 2^30 + 2^(30+e) (low
  /// word, high word).
  static let downShift = 3
  static let low = 4

  /// Whether a multiplier and shift take the folded form: m >= 0 and a right shift of 1...31.
  static func folds(multiplier m: Int32, shift: Int32) -> Bool {
    m >= 0 && shift <= -1 && shift >= -31
  }

  /// Writes channel `c`'s record at `record`.
  static func write(
    bias: Int32, multiplier m: Int32, shift: Int32, to record: UnsafeMutablePointer<Int32>
  ) {
    record[Self.bias] = bias
    record[multiplier] = m
    record[Self.shift] = shift
    let fold = folds(multiplier: m, shift: shift)
    record[downShift] = fold ? -shift - 1 : 0
    let constant = DSPFoldedMultiplier.constants(rightShift: fold ? -shift : 1).positive
    record[low] = Int32(bitPattern: constant.low)
    record[low + 1] = constant.high
  }
}
