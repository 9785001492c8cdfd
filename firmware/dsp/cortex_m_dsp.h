// The TinyCNN DSP kernel set's assembly loops (cortex_m_dsp.S) and the ACLE intrinsics
// (SXTAB16, SMLAD, SMLABB, SMLATT) for Swift, as the clang module `CortexMDSP`. The Armv7E-M
// firmware and library builds (firmware/build.sh, firmware/library.sh) add its folder to the
// search path and define TINYCNN_DSP, under which the Runtime imports it; elsewhere the Runtime
// runs Swift twins of the loops. (A define, not canImport: clang also finds module maps in
// subfolders of a search path, so the Armv6-M build would see the module without the
// intrinsics.)
#pragma once
#include <stdint.h>
#include <arm_acle.h>

// acc[4 * c + p] = sum over `pairs` words of SMLAD(weights[2 * i + c], columns[4 * i + p]).
void tinycnn_dsp_mac_2x4(const int32_t *weights, const int32_t *columns, int32_t pairs,
                         int32_t *acc);
// acc[c] = sum over `pairs` words of SMLAD(weights[4 * i + c], column[i]).
void tinycnn_dsp_mac_4x1(const int32_t *weights, const int32_t *column, int32_t pairs,
                         int32_t *acc);
