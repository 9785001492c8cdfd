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
