// AVX-512 VNNI's `vpdpbusd` for the Runtime's int8 GEMM. Swift has no x86 intrinsics and LLVM
// does not form vpdpbusd from plain SIMD code (it needs u8 x s8 with a four-way sum), so this
// module is compiled with `-parse-stdlib` and calls the LLVM intrinsic through the Builtin
// module. Package.swift adds it only to builds that have AVX-512 VNNI; the functions are
// `@inlinable` so that they inline into the Runtime's tile loops (one instruction, no call).
import Swift

/// `acc` plus, in each int32 lane `i`, `Σ_j a.byte[4i + j] * b.byte[4i + j]` with the bytes of `a`
/// unsigned and those of `b` signed (`vpdpbusd`: wrapping, never saturating).
@inlinable @inline(__always)
public func dotAccumulateU8S8(
  _ acc: SIMD16<Int32>, _ a: SIMD16<Int32>, _ b: SIMD16<Int32>
) -> SIMD16<Int32> {
  let r = Builtin.int_x86_avx512_vpdpbusd_512(
    acc._storage._value, a._storage._value, b._storage._value)
  var out = SIMD16<Int32>()
  out._storage._value = r
  return out
}

/// `dotAccumulateU8S8` on eight lanes (`vpdpbusd` on a ymm register, AVX-512VL): for layers of
/// at most 8 output channels, where a zmm register would carry 8 lanes of zeros. (On cores that
/// run a 512-bit instruction as two 256-bit halves, such as AMD's Zen 4, that halves the work.)
@inlinable @inline(__always)
public func dotAccumulateU8S8(
  _ acc: SIMD8<Int32>, _ a: SIMD8<Int32>, _ b: SIMD8<Int32>
) -> SIMD8<Int32> {
  let r = Builtin.int_x86_avx512_vpdpbusd_256(
    acc._storage._value, a._storage._value, b._storage._value)
  var out = SIMD8<Int32>()
  out._storage._value = r
  return out
}

/// `narrowSaturatingToInt8` on eight lanes (`vpmovsdb` from a ymm register).
@inlinable @inline(__always)
public func narrowSaturatingToInt8(_ v: SIMD8<Int32>) -> SIMD8<Int8> {
  let r = Builtin.int_x86_avx512_mask_pmovs_db_256(
    v._storage._value, SIMD16<Int8>()._storage._value, Int8(-1)._value)
  var bytes = SIMD16<Int8>()
  bytes._storage._value = r
  return unsafeBitCast(bytes, to: (SIMD8<Int8>, SIMD8<Int8>).self).0
}

/// `v` narrowed to int8 with signed saturation (`vpmovsdb`): a clamp to -128...127 in the same
/// instruction. (A clamp by lane masks on constants and `Int8(clamping:)` stay lane loops.)
@inlinable @inline(__always)
public func narrowSaturatingToInt8(_ v: SIMD16<Int32>) -> SIMD16<Int8> {
  let r = Builtin.int_x86_avx512_mask_pmovs_db_512(
    v._storage._value, SIMD16<Int8>()._storage._value, Int16(-1)._value)
  var out = SIMD16<Int8>()
  out._storage._value = r
  return out
}

/// Stores the 16 bytes of `v` at `p`, which need not be aligned (`vmovdqu`). The raw pointer's
/// `copyMemory` was left a call in the tiles of the AVX-512 compilation (48 per tile file): too
/// large a caller for the inliner.
@inlinable @inline(__always)
public func storeUnaligned(_ v: SIMD16<Int8>, to p: UnsafeMutableRawPointer) {
  Builtin.storeRaw(v._storage._value, p._rawValue)
}

/// Four vectors of int32 lanes saturated to int8 and interleaved: byte 4i + j of the result is
/// lane i of the j-th vector, clamped to -128...127. `vpackssdw` twice and `vpacksswb` saturate
/// but order the bytes within each 128-bit lane by vector, then lane; one `vpshufb` transposes
/// each lane's 4 x 4 bytes back. Four instructions where a clamp per vector and shifts, ANDs and
/// ORs to interleave took some twenty.
@inlinable @inline(__always)
public func interleavedSaturatingToInt8(
  _ a: SIMD16<Int32>, _ b: SIMD16<Int32>, _ c: SIMD16<Int32>, _ d: SIMD16<Int32>
) -> SIMD64<Int8> {
  let ab = Builtin.int_x86_avx512_packssdw_512(a._storage._value, b._storage._value)
  let cd = Builtin.int_x86_avx512_packssdw_512(c._storage._value, d._storage._value)
  let packed = Builtin.int_x86_avx512_packsswb_512(ab, cd)
  // Within a 128-bit lane the packs give vector j's lane i' at byte 4j + i'; byte m = 4i' + j
  // takes it from 4 (m % 4) + m / 4.
  let lane = SIMD16<Int8>(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)
  let half = SIMD32(lowHalf: lane, highHalf: lane)
  let order = SIMD64(lowHalf: half, highHalf: half)
  var out = SIMD64<Int8>()
  out._storage._value = Builtin.int_x86_avx512_pshuf_b_512(packed, order._storage._value)
  return out
}
