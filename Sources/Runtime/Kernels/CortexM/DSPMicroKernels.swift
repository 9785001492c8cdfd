// The DSP kernel set's multiply-accumulate loops: on Armv7E-M the assembly of
// firmware/dsp/cortex_m_dsp.S (the clang module `CortexMDSP`), elsewhere these Swift twins,
// which compute the same sums with the instructions' definitions (Arm ARM: SMLAD, SXTAB16).

#if TINYCNN_DSP
  import CortexMDSP
#endif

/// SMLAD: `acc + a.lo * b.lo + a.hi * b.hi`, the halves signed 16-bit, the sum wrapping (as the
/// reference kernels' C int32 accumulation compiles).
@inline(__always)
func smlad(_ a: Int32, _ b: Int32, _ acc: Int32) -> Int32 {
  let low = Int32(Int16(truncatingIfNeeded: a)) &* Int32(Int16(truncatingIfNeeded: b))
  let high = (a >> 16) &* (b >> 16)
  return acc &+ low &+ high
}

/// SXTAB16: the bytes 0 and 2 of `b`, sign-extended, added to the int16 halves of `a`.
@inline(__always)
func sxtab16(_ a: Int32, _ b: UInt32) -> Int32 {
  #if TINYCNN_DSP
    return __sxtab16(a, Int32(bitPattern: b))
  #else
    let low = Int16(truncatingIfNeeded: a) &+ Int16(Int8(truncatingIfNeeded: b))
    let high = Int16(truncatingIfNeeded: a >> 16) &+ Int16(Int8(truncatingIfNeeded: b >> 16))
    return Int32(
      bitPattern: UInt32(UInt16(bitPattern: low)) | UInt32(UInt16(bitPattern: high)) << 16)
  #endif
}

/// SXTAB16 of the odd bytes (1 and 3): `b` rotated right by 8 first (folded into the
/// instruction on Armv7E-M).
@inline(__always)
func sxtab16Odd(_ a: Int32, _ b: UInt32) -> Int32 {
  #if TINYCNN_DSP
    return __sxtab16(a, Int32(bitPattern: __ror(b, 8)))
  #else
    return sxtab16(a, b >> 8 | b << 24)
  #endif
}

/// `acc[4 * c + p]` = the dot product of channel `c`'s weights (`weights[2 * i + c]`) and pixel
/// `p`'s column (`columns[4 * i + p]`) over `pairs` words; `pairs` a multiple of 4, above 0.
@inline(__always)
func dspMAC2x4(
  weights: UnsafePointer<Int32>, columns: UnsafePointer<Int32>, pairs: Int,
  acc: UnsafeMutablePointer<Int32>
) {
  #if TINYCNN_DSP
    tinycnn_dsp_mac_2x4(weights, columns, Int32(truncatingIfNeeded: pairs), acc)
  #else
    for i in 0..<8 { acc[i] = 0 }
    for i in 0..<pairs {
      for c in 0..<2 {
        for p in 0..<4 {
          acc[4 * c + p] = smlad(weights[2 * i + c], columns[4 * i + p], acc[4 * c + p])
        }
      }
    }
  #endif
}

/// `acc[c]` = the dot product of channel `c`'s weights (`weights[4 * i + c]`) and `column` over
/// `pairs` words; `pairs` a multiple of 4, above 0.
@inline(__always)
func dspMAC4x1(
  weights: UnsafePointer<Int32>, column: UnsafePointer<Int32>, pairs: Int,
  acc: UnsafeMutablePointer<Int32>
) {
  #if TINYCNN_DSP
    tinycnn_dsp_mac_4x1(weights, column, Int32(truncatingIfNeeded: pairs), acc)
  #else
    for c in 0..<4 { acc[c] = 0 }
    for i in 0..<pairs {
      for c in 0..<4 { acc[c] = smlad(weights[4 * i + c], column[i], acc[c]) }
    }
  #endif
}

/// SMLABB: `acc + a.lo * b.lo` (signed 16-bit halves).
@inline(__always)
func smlabb(_ a: Int32, _ b: Int32, _ acc: Int32) -> Int32 {
  #if TINYCNN_DSP
    return __smlabb(a, b, acc)
  #else
    return acc &+ Int32(Int16(truncatingIfNeeded: a)) &* Int32(Int16(truncatingIfNeeded: b))
  #endif
}

/// SMLATT: `acc + a.hi * b.hi` (signed 16-bit halves).
@inline(__always)
func smlatt(_ a: Int32, _ b: Int32, _ acc: Int32) -> Int32 {
  #if TINYCNN_DSP
    return __smlatt(a, b, acc)
  #else
    return acc &+ (a >> 16) &* (b >> 16)
  #endif
}
