#include "cpu_features.h"

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long xcr0(void) {
  unsigned int eax, edx;
  __asm__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

// Each set is compiled with a `-target-cpu` (Package.swift), and LLVM may emit any instruction
// that CPU has, not only the ones the kernels were written for: the check is that CPU's whole
// feature set, or a binary copied to an older machine stops on SIGILL (an Ice Lake target used
// AVX512_VBMI's vpermt2b in the depthwise kernel, which Cascade Lake lacks).
//
// `haswell`: CPUID leaf 1 ECX: FMA (12), MOVBE (22), OSXSAVE (27), F16C (29); leaf 7 EBX: BMI1
// (3), AVX2 (5), BMI2 (8); leaf 0x80000001 ECX: LZCNT (5). XCR0: SSE (1), AVX (2).
int tinycnn_cpu_has_avx2_fma(void) {
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  unsigned int leaf1 = (1u << 12) | (1u << 22) | (1u << 27) | (1u << 29);
  if ((c & leaf1) != leaf1) return 0;
  if ((xcr0() & 0x6) != 0x6) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  unsigned int leaf7 = (1u << 3) | (1u << 5) | (1u << 8);
  if ((b & leaf7) != leaf7) return 0;
  if (!__get_cpuid(0x80000001, &a, &b, &c, &d)) return 0;
  return (c & (1u << 5)) != 0;
}

// `cascadelake`, haswell's plus: leaf 7 EBX AVX512F (16), AVX512DQ (17), AVX512CD (28),
// AVX512BW (30), AVX512VL (31); ECX AVX512_VNNI (11). XCR0 also opmask (5), ZMM_Hi256 (6),
// Hi16_ZMM (7). Ice Lake, Sapphire Rapids and AMD's Zen 4 have all of it.
int tinycnn_cpu_has_avx512_vnni(void) {
  unsigned int a, b, c, d;
  if (!tinycnn_cpu_has_avx2_fma()) return 0;
  if ((xcr0() & 0xE6) != 0xE6) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  unsigned int avx512 = (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
  return (b & avx512) == avx512 && (c & (1u << 11)) != 0;
}

#else
int tinycnn_cpu_has_avx2_fma(void) { return 0; }
int tinycnn_cpu_has_avx512_vnni(void) { return 0; }
#endif
