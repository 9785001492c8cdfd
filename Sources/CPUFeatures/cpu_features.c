#include "cpu_features.h"

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long xcr0(void) {
  unsigned int eax, edx;
  __asm__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

// CPUID leaf 1 ECX: FMA (bit 12), OSXSAVE (bit 27). Leaf 7 subleaf 0 EBX: AVX2 (5),
// AVX512F (16), AVX512BW (30), AVX512VL (31); ECX: AVX512_VNNI (11). XCR0: SSE (1), AVX (2),
// opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7).
int tinycnn_cpu_has_avx2_fma(void) {
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  if (!(c & (1u << 12)) || !(c & (1u << 27))) return 0;
  if ((xcr0() & 0x6) != 0x6) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b & (1u << 5)) != 0;
}

int tinycnn_cpu_has_avx512_vnni(void) {
  unsigned int a, b, c, d;
  if (!tinycnn_cpu_has_avx2_fma()) return 0;
  if ((xcr0() & 0xE6) != 0xE6) return 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  unsigned int f_bw_vl = (1u << 16) | (1u << 30) | (1u << 31);
  return (b & f_bw_vl) == f_bw_vl && (c & (1u << 11)) != 0;
}

#else
int tinycnn_cpu_has_avx2_fma(void) { return 0; }
int tinycnn_cpu_has_avx512_vnni(void) { return 0; }
#endif
