// The TinyCNN DSP kernel set's multiply-accumulate loops for Armv7E-M (Cortex-M4, M7, M33 with
// the DSP extension), written in assembly because no compiler keeps their 14 live values in
// registers: the Swift twins in Sources/Runtime/Kernels/CortexM/DSPMicroKernels.swift say what
// they compute, and the host runs those.
//
// Operands are words of two int16 values (SMLAD multiplies the halves pairwise and adds both
// products to the accumulator): weights packed by DSPPackedWeights, activations widened with the
// input offset added (ConvWindow and widenRow in Sources/Runtime/Kernels/CortexM). `pairs`
// (words per column) is a multiple of 4 and > 0.
//
// Cycles on a Cortex-M4 (TRM DDI 0439B 3.3): SMLAD 1; LDR 2, 1 right after another LDR; the
// taken branch 1 + 2. The 2x4 loop does 16 MACs per pair in 8 SMLAD, 2 weight and 4 activation
// loads: 16 cycles, 64 per unrolled iteration plus 8 of loop control: 1.125 cycles per MAC.
    .syntax unified
    .thumb

// One pair of the 2-channel x 4-pixel tile: weights w0 (r11), w1 (r12) at r0 + wo; the four
// pixels' words at r1 + xo, two at a time into lr and r2 (four loads in a row: 5 cycles, then
// two more: 3). Accumulators r3-r6 (channel 0, pixels 0-3) and r7-r10 (channel 1). 16 cycles
// for 16 MACs.
    .macro PAIR2X4 wo, xo
    ldr r11, [r0, #\wo]
    ldr r12, [r0, #\wo+4]
    ldr lr, [r1, #\xo]
    ldr r2, [r1, #\xo+4]
    smlad r3, r11, lr, r3
    smlad r7, r12, lr, r7
    smlad r4, r11, r2, r4
    smlad r8, r12, r2, r8
    ldr lr, [r1, #\xo+8]
    ldr r2, [r1, #\xo+12]
    smlad r5, r11, lr, r5
    smlad r9, r12, lr, r9
    smlad r6, r11, r2, r6
    smlad r10, r12, r2, r10
    .endm

// void tinycnn_dsp_mac_2x4(const int32_t *weights, const int32_t *columns, int32_t pairs,
//                          int32_t acc[8])
// weights: [pairs][2 channels]; columns: [pairs][4 pixels]; acc[4 * c + p] = the dot product of
// channel c and pixel p. The end of the columns waits on the stack (r2 holds activations).
    .section .text.tinycnn_dsp_mac_2x4,"ax",%progbits
    .global tinycnn_dsp_mac_2x4
    .type tinycnn_dsp_mac_2x4, %function
    .p2align 2
tinycnn_dsp_mac_2x4:
    push {r3-r11, lr}           // r3 (acc) saved at [sp]; 40 bytes keep the stack 8-aligned
    add r2, r1, r2, lsl #4      // end of the columns
    sub sp, #8
    str r2, [sp]
    movs r3, #0
    movs r4, #0
    movs r5, #0
    movs r6, #0
    movs r7, #0
    mov r8, #0
    mov r9, #0
    mov r10, #0
1:
    PAIR2X4 0, 0
    PAIR2X4 8, 16
    PAIR2X4 16, 32
    PAIR2X4 24, 48
    adds r0, #32
    adds r1, #64
    ldr r2, [sp]
    cmp r1, r2
    bne 1b
    add sp, #8
    ldr r11, [sp]
    stm r11, {r3-r10}
    pop {r3-r11, pc}
    .size tinycnn_dsp_mac_2x4, . - tinycnn_dsp_mac_2x4

// One pair of the 4-channel x 1-pixel tile: the pixel's word (r11) at r1 + xo, then the four
// channels' weights (r7-r10) at r0 + wo, five loads in a row (6 cycles); accumulators r3-r6.
    .macro PAIR4X1 wo, xo
    ldr r11, [r1, #\xo]
    ldr r7, [r0, #\wo]
    ldr r8, [r0, #\wo+4]
    ldr r9, [r0, #\wo+8]
    ldr r10, [r0, #\wo+12]
    smlad r3, r7, r11, r3
    smlad r4, r8, r11, r4
    smlad r5, r9, r11, r5
    smlad r6, r10, r11, r6
    .endm

// void tinycnn_dsp_mac_4x1(const int32_t *weights, const int32_t *column, int32_t pairs,
//                          int32_t acc[4])
// weights: [pairs][4 channels]; column: [pairs]; acc[c] = channel c's dot product.
    .section .text.tinycnn_dsp_mac_4x1,"ax",%progbits
    .global tinycnn_dsp_mac_4x1
    .type tinycnn_dsp_mac_4x1, %function
    .p2align 2
tinycnn_dsp_mac_4x1:
    push {r3-r11, lr}
    add r2, r1, r2, lsl #2      // end of the column
    movs r3, #0
    movs r4, #0
    movs r5, #0
    movs r6, #0
1:
    PAIR4X1 0, 0
    PAIR4X1 16, 4
    PAIR4X1 32, 8
    PAIR4X1 48, 12
    adds r0, #64
    adds r1, #16
    cmp r1, r2
    bne 1b
    ldr r11, [sp]
    stm r11, {r3-r6}
    pop {r3-r11, pc}
    .size tinycnn_dsp_mac_4x1, . - tinycnn_dsp_mac_4x1
