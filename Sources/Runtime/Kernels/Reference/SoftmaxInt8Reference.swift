/// The output type of an int8-input SOFTMAX: TFLM takes int8 (scale 1/256, zero point -128) or
/// int16 (scale 1/65536, zero point -32768).
public enum SoftmaxOutputType: Sendable {
  case int8
  case int16
}

/// TFLite's `SoftmaxParams` for the int8-input path, from `prepareSoftmax`.
public struct SoftmaxParams: Equatable, Sendable {
  /// `beta * inputScale` in Q5.26 per unit input difference, as a Q0.31 multiplier and a left
  /// shift (`PreprocessSoftmaxScaling` with 5 integer bits).
  public var inputMultiplier: Int32
  public var inputLeftShift: Int32
  /// Input differences from the row maximum below this give exp() = 0 (the output's minimum):
  /// `-CalculateInputRadius(5, inputLeftShift)`, the largest difference whose rescaling fits.
  public var diffMin: Int32
  /// All dimensions but the last, and the last (the one SOFTMAX normalises over).
  public var outerSize: Int
  public var depth: Int

  public init(
    inputMultiplier: Int32, inputLeftShift: Int32, diffMin: Int32, outerSize: Int, depth: Int
  ) {
    self.inputMultiplier = inputMultiplier
    self.inputLeftShift = inputLeftShift
    self.diffMin = diffMin
    self.outerSize = outerSize
    self.depth = depth
  }
}

/// The integer bits of the rescaled input differences (Q5.26) in TFLite's quantized SOFTMAX.
let softmaxScaledDiffIntegerBits: Int32 = 5
/// The integer bits of the sum of exponentials (Q12.19): room for 2^12 row elements at exp(0).
let softmaxAccumulationIntegerBits: Int32 = 12

/// TFLM's `CalculateSoftmaxParams` (micro/kernels/softmax_common.cc) for an int8 input: checks
/// the output's fixed quantisation and computes the input rescaling.
///
/// - int8 output: zero point -128 and scale exactly 1/256; int16: zero point -32768 and scale
///   within 0.1 % of 1/65536 (TFLM's `TF_LITE_ENSURE_NEAR`, in Float).
/// - `PreprocessSoftmaxScaling`: `real = min(beta * inputScale * 2^26, 2^31 - 1)` in Double,
///   encoded by `QuantizeMultiplierGreaterThanOne`, which TFLM `TFLITE_CHECK`s to be above 1
///   (aborting otherwise); here that is thrown.
/// - `diffMin = -floor(31 * 2^26 / 2^inputLeftShift)` (`CalculateInputRadius(5, shift, 31)`).
public func prepareSoftmax(
  beta: Float, inputScale: Float, outputScale: Float, outputZeroPoint: Int32,
  outputType: SoftmaxOutputType, inputShape: RuntimeShape, outputShape: RuntimeShape
) throws(KernelError) -> SoftmaxParams {
  switch outputType {
  case .int8:
    guard outputZeroPoint == -128, outputScale == 1 / Float(256) else {
      throw .unsupportedQuantization
    }
  case .int16:
    let want: Float = 1 / 65536
    let delta = outputScale > want ? outputScale - want : want - outputScale
    guard outputZeroPoint == -32768, !(delta > 0.001 * 1 / 65536) else {
      throw .unsupportedQuantization
    }
  }
  guard inputShape.rank >= 1 else { throw .shapeMismatch }
  guard inputShape == outputShape else { throw .shapeMismatch }

  // (1LL << 31) - 1.0, the double-rounding build's cap. (Integers reach Double through `Int`:
  // on 32-bit targets Double(Int32) trips the -no-allocations false positive.)
  let maxRealMultiplier = Double(Int(Int32.max))
  let real = min(
    Double(beta) * Double(inputScale) * Double(Int(1) << (31 - softmaxScaledDiffIntegerBits)),
    maxRealMultiplier)
  guard real > 1 else { throw .unsupportedQuantization }
  let (multiplier, leftShift) = quantizeMultiplierGreaterThanOne(real)
  let radius = calculateInputRadius(
    inputIntegerBits: softmaxScaledDiffIntegerBits, inputLeftShift: leftShift)
  let depth = inputShape[inputShape.rank - 1]
  return SoftmaxParams(
    inputMultiplier: multiplier, inputLeftShift: leftShift, diffMin: -radius,
    outerSize: depth == 0 ? 0 : inputShape.flatSize / depth, depth: depth)
}

/// TFLite's `CalculateInputRadius(input_integer_bits, input_left_shift, total_signed_bits)`:
/// `floor((2^intBits - 1) * 2^(totalBits - intBits) / 2^leftShift)`, the largest input
/// magnitude whose rescaling by a multiplier below one and `2^leftShift` stays below the format's
/// maximum. Computed exactly in integers (TFLite uses Double; every value here is a power of two
/// times an integer below 2^31, so both are exact). `inputLeftShift` is 0...62.
func calculateInputRadius(
  inputIntegerBits: Int32, inputLeftShift: Int32, totalSignedBits: Int32 = 31
) -> Int32 {
  precondition(inputLeftShift >= 0, "a negative shift is undefined in TFLite")
  let maxInputRescaled =
    UInt32((1 &<< inputIntegerBits) - 1) &<< UInt32(totalSignedBits - inputIntegerBits)
  guard inputLeftShift < 32 else { return 0 }
  return Int32(bitPattern: maxInputRescaled &>> UInt32(inputLeftShift))
}

/// Int8 SOFTMAX over the last dimension, int8 output (scale 1/256, zero point -128). Mirrors
/// TFLite's `reference_ops::Softmax<int8_t, int8_t>` (reference/softmax.h), which TFLM calls.
public func softmaxInt8Reference(
  _ p: SoftmaxParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
) {
  softmaxQuantized(p, input: input) { i, value in
    output[i] = Int8(truncatingIfNeeded: min(max(value &+ Int32(Int8.min), -128), 127))
  }
}

/// Int8 SOFTMAX, int16 output (scale 1/65536, zero point -32768). Mirrors TFLite's
/// `reference_ops::Softmax<int8_t, int16_t>`.
public func softmaxInt8ToInt16Reference(
  _ p: SoftmaxParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int16>
) {
  softmaxQuantized(p, input: input, outputBits: 16) { i, value in
    output[i] = Int16(truncatingIfNeeded: min(max(value &+ Int32(Int16.min), -32768), 32767))
  }
}

/// The shared loop: for each row, `exp(beta * scale * (x - max))` in Q0.31 for each element,
/// the Q12 sum of those, its reciprocal, and each element's share rounded to `outputBits` bits.
/// `store(i, v)` writes `v` (in 0...2^outputBits, before the output's zero point) at index `i`;
/// elements whose difference is below `diffMin` get the output minimum (`v = 0`).
@inline(__always)
func softmaxQuantized(
  _ p: SoftmaxParams, input: UnsafePointer<Int8>, outputBits: Int32 = 8,
  store: (Int, Int32) -> Void
) {
  let depth = p.depth
  // Each element's exp is needed twice, for the sum and for its share; TFLM computes it twice.
  // A row of up to `cachedExps` elements (a classifier's) keeps them here, on the stack.
  var cache = (SIMD16<Int32>(), SIMD16<Int32>(), SIMD16<Int32>(), SIMD16<Int32>())
  let cachedExps = MemoryLayout.size(ofValue: cache) / MemoryLayout<Int32>.size
  withUnsafeMutableBytes(of: &cache) { cacheBytes in
    let exps = cacheBytes.baseAddress!.assumingMemoryBound(to: Int32.self)
    let cached = depth <= cachedExps
    for i in 0..<p.outerSize {
      let row = input + i * depth
      var maxInRow = Int32(Int8.min)
      for c in 0..<depth { maxInRow = max(maxInRow, Int32(row[c])) }
      // exp(beta * scale * (x - max)) in Q0.31, for an element not below `diffMin`.
      func exp(_ c: Int) -> Int32 {
        let scaledDiff = multiplyByQuantizedMultiplierGreaterThanOne(
          Int32(row[c]) - maxInRow, p.inputMultiplier, p.inputLeftShift)  // Q5.26
        return expOnNegativeValues(scaledDiff, integerBits: softmaxScaledDiffIntegerBits)
      }

      var sumOfExps: Int32 = 0  // Q12.19
      for c in 0..<depth where Int32(row[c]) - maxInRow >= p.diffMin {
        let e = exp(c)
        if cached { exps[c] = e }
        sumOfExps = sumOfExps &+ roundingDivideByPOT(e, softmaxAccumulationIntegerBits)
      }

      let (shiftedScale, numBitsOverUnit) = getReciprocal(
        sumOfExps, integerDigits: softmaxAccumulationIntegerBits)
      // exp / sum = exp * shiftedScale * 2^-numBitsOverUnit in Q0.31; to `outputBits` bits.
      // The row maximum contributes exp(0), so the sum is at least 1 and the exponent at least
      // 31 - outputBits. Only a row of 2^12 or more elements can wrap the Q12 sum and push it
      // past 31, where TFLM's TFLITE_CHECK stops the program; we saturate the shift instead.
      let exponent = min(numBitsOverUnit + 31 - outputBits, 31)
      for c in 0..<depth {
        if Int32(row[c]) - maxInRow >= p.diffMin {
          let unsaturated = roundingDivideByPOT(
            saturatingRoundingDoublingHighMul(shiftedScale, cached ? exps[c] : exp(c)), exponent)
          store(i * depth + c, unsaturated)
        } else {
          store(i * depth + c, 0)
        }
      }
    }
  }
}
