// The vpdpbusd GEMM's requantisation, as RuntimeAVX512 compiles it: on x86-64 hosts, run when
// the CPU has AVX-512 VNNI.
#if arch(x86_64)
  import KernelDispatch
  import Testing

  @testable import RuntimeAVX512

  private let cpuHasVNNI = KernelSet.available(.avx512VNNI) != nil

  /// One random group of accumulators with their requantisation, for both finishes of the
  /// dot-product GEMM. The weights are zero, so each accumulator is its channel's bias and every
  /// value of it can be chosen: the extremes of the accumulator, multiplier, shift and offset
  /// that a convolution's property test reaches only by chance.
  struct DotFinishCase {
    var bias: [Int32]
    var multiplier: [Int32]
    var shift: [Int32]
    var inputOffset: Int32
    var outputOffset: Int32
    var minimum: Int32
    var maximum: Int32
    var pixels: Int

    /// `plain`: within `PlainFinish`'s domain (no left shift, shifts down to -21, no negative
    /// multiplier, |bias| below 2^29, the full int8 range).
    static func random(_ rng: inout SplitMix64, plain: Bool) -> DotFinishCase {
      let channels = rng.size(1...16, 17...40)
      var c = DotFinishCase(
        bias: [], multiplier: [], shift: [], inputOffset: -rng.zeroPoint(),
        outputOffset: plain ? Int32(rng.int(in: -128...127)) : rng.zeroPoint(), minimum: -128,
        maximum: 127, pixels: rng.int(in: 1...13))
      if !plain { (c.minimum, c.maximum) = rng.activationRange() }
      for _ in 0..<channels {
        c.bias.append(rng.accumulator())
        if plain {
          let extremes: [Int32] = [.max, 1 << 30, (1 << 30) + 1, 0, 1]
          c.multiplier.append(
            rng.below(4) == 0 ? extremes[rng.below(extremes.count)] : rng.int32() & .max)
          let shift = Int32(rng.below(4) == 0 ? [0, -1, -13, -21][rng.below(4)] : -rng.below(22))
          c.shift.append(shift)
          // The accumulator (the bias: the weights are zero) within the bound, up to its edge.
          let limit = Self.plainBound
          c.bias[c.bias.count - 1] = max(min(c.bias.last!, limit), -limit)
        } else {
          let q = rng.requantization()
          c.multiplier.append(q.multiplier)
          c.shift.append(q.shift)
        }
      }
      return c
    }

    /// The largest |accumulator| `PlainFinish` takes.
    static let plainBound: Int32 = (1 << 29) - 1

    /// The reference's requantisation of each bias, for every pixel.
    var expected: [Int8] {
      let one = bias.indices.map { c in
        var y = multiplyByQuantizedMultiplier(bias[c], multiplier[c], shift[c]) &+ outputOffset
        y = min(max(y, minimum), maximum)
        return Int8(truncatingIfNeeded: y)
      }
      return (0..<pixels).flatMap { _ in one }
    }

    /// The GEMM on `pixels` rows of one quad of input (any bytes: the weights are zero).
    func run(plain: Bool) -> [Int8] {
      let channels = bias.count
      let filter = [Int8](repeating: 0, count: channels * 4)
      return withPointers(filter, bias, multiplier, shift) { f, b, m, s in
        let bytes = DotProductWeights.byteCount(channels: channels, segments: 1, segmentLength: 4)
        return withAlignedBuffer(bytes) { memory in
          let d = DotProductWeights(
            packing: f, channels: channels, segments: 1, segmentLength: 4, bias: b,
            multiplier: m, shift: s, into: memory)
          let input = [UInt8](repeating: 0x5A, count: 4 * pixels)
          var output = [Int8](repeating: 0, count: pixels * channels)
          input.withUnsafeBytes { x in
            output.withUnsafeMutableBufferPointer { y in
              var rows = UInt8Rows(x.baseAddress!, rowBytes: 4)
              if plain {
                gemmDotProduct(
                  &rows, pixels: pixels, dot: d,
                  PlainFinish(d, inputOffset: inputOffset, outputOffset: outputOffset),
                  output: y.baseAddress!, outputStride: channels)
              } else {
                gemmDotProduct(
                  &rows, pixels: pixels, dot: d,
                  ExactFinish(
                    d, inputOffset: inputOffset, outputOffset: outputOffset, minimum: minimum,
                    maximum: maximum), output: y.baseAddress!, outputStride: channels)
              }
            }
          }
          return output
        }
      }
    }
  }

  extension SplitMix64 {
    /// An accumulator: small, near the int32 limits, or anything.
    mutating func accumulator() -> Int32 {
      switch below(6) {
      case 0: return [Int32.min, .max, .min + 1, .max - 1, 0, -1][below(6)]
      case 1: return int32()
      case 2: return Int32(truncatingIfNeeded: int(in: -(1 << 30)...(1 << 30)))
      default: return Int32(int(in: -300_000...300_000))
      }
    }
  }

  @Test(.enabled(if: cpuHasVNNI, "the CPU lacks AVX-512 VNNI")) func plainFinishEqualsTheReference()
  {
    checkRandomCases(4000, seedBase: 0xD07F_0000_0000) { rng in
      let c = DotFinishCase.random(&rng, plain: true)
      let got = c.run(plain: true)
      let want = c.expected
      return got == want ? nil : firstDifference(got, want)
    }
  }

  @Test(.enabled(if: cpuHasVNNI, "the CPU lacks AVX-512 VNNI")) func exactFinishEqualsTheReference()
  {
    checkRandomCases(4000, seedBase: 0xD07E_0000_0000) { rng in
      let c = DotFinishCase.random(&rng, plain: rng.below(2) == 0)
      let got = c.run(plain: false)
      let want = c.expected
      return got == want ? nil : firstDifference(got, want)
    }
  }

  @Test(.enabled(if: cpuHasVNNI, "the CPU lacks AVX-512 VNNI"))
  func plainFinishIsChosenOnlyInItsDomain() {
    var rng = SplitMix64(seed: 0xD07D)
    for plain in [true, false] {
      for _ in 0..<200 {
        let c = DotFinishCase.random(&rng, plain: plain)
        let inDomain =
          c.shift.allSatisfy { $0 <= 0 && $0 >= -21 } && c.multiplier.allSatisfy { $0 >= 0 }
          && c.bias.allSatisfy { $0.magnitude <= DotFinishCase.plainBound.magnitude }
          && c.minimum == -128 && c.maximum == 127
        let channels = c.bias.count
        let bytes = DotProductWeights.byteCount(channels: channels, segments: 1, segmentLength: 4)
        let chosen = withPointers(
          [Int8](repeating: 0, count: 4 * channels), c.bias, c.multiplier, c.shift
        ) {
          f, b, m, s in
          withAlignedBuffer(bytes) { memory in
            let d = DotProductWeights(
              packing: f, channels: channels, segments: 1, segmentLength: 4, bias: b,
              multiplier: m, shift: s, into: memory)
            return PlainFinish.supports(
              d, outputOffset: c.outputOffset, minimum: c.minimum, maximum: c.maximum)
          }
        }
        #expect(chosen == inDomain, "shifts \(c.shift), clamp \(c.minimum)...\(c.maximum)")
      }
    }
  }
#endif
