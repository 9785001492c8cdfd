// What the CPU and the operating system let a process run, for KernelDispatch's choice of
// kernel set. Each answer needs both the instructions (CPUID) and the OS saving the registers
// they use on a context switch (XGETBV's XCR0), as Intel's SDM (Vol. 1, 13.3 and 15.2) requires.
#ifndef TINYCNN_CPU_FEATURES_H
#define TINYCNN_CPU_FEATURES_H

/// 1 when AVX2 and FMA run: CPUID.7.0:EBX.AVX2, CPUID.1:ECX.FMA and .OSXSAVE, XCR0 saving the
/// xmm and ymm state. 0 otherwise, and on every CPU that is not x86-64.
int tinycnn_cpu_has_avx2_fma(void);

/// 1 when, in addition, AVX-512 F, BW, VL and VNNI run: CPUID.7.0:EBX.AVX512F/BW/VL,
/// CPUID.7.0:ECX.AVX512_VNNI, XCR0 saving the opmask and zmm state.
int tinycnn_cpu_has_avx512_vnni(void);

#endif
