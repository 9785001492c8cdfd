// Runs the model of layers.h (bench/estimator/kernels/layers.py) once, one measured region per
// operator. Data are pseudo-random: the kernels' instruction counts do not depend on values
// beyond the rare saturation branch.
#include <stddef.h>
#include <string.h>
#include "layers.h"

#define ACT_BYTES (128 * 1024)
#define WEIGHT_BYTES (1024 * 1024)
#define MAX_CHANNELS 2048

// Weights in their own region of code memory (counted as flash reads by profile.c); the
// section is not loaded, the harness fills it.
__attribute__((section(".weights"))) static int8_t weights[WEIGHT_BYTES];
static int8_t act_a[ACT_BYTES], act_b[ACT_BYTES], act_c[ACT_BYTES];
static int32_t bias[MAX_CHANNELS], multiplier[MAX_CHANNELS], shift[MAX_CHANNELS];
#ifndef SCRATCH_BYTES
#define SCRATCH_BYTES (96 * 1024)
#endif
static int8_t scratch[SCRATCH_BYTES] __attribute__((aligned(16)));

static uint32_t rng = 12345;
static uint32_t next(void) { rng = rng * 1664525u + 1013904223u; return rng >> 8; }
static void fill(int8_t *p, int n) { for (int i = 0; i < n; i++) p[i] = (int8_t)next(); }

__attribute__((noinline)) void bench_begin(void) { __asm volatile(""); }
__attribute__((noinline)) void bench_end(void) { __asm volatile(""); }

#if defined(__riscv)
// QEMU virt: ns16550a UART, SiFive test device for the exit status.
static void sh_puts(const char *s) {
  while (*s) *(volatile uint8_t *)0x10000000 = (uint8_t)*s++;
}
__attribute__((noreturn)) void sh_exit(int code) {
  *(volatile uint32_t *)0x100000 = code == 0 ? 0x5555 : ((uint32_t)code << 16) | 0x3333;
  for (;;) {}
}
#else
// Arm semihosting (qemu -semihosting-config enable=on,target=native).
static void sh_call(int op, void *arg) {
  register int r0 __asm("r0") = op;
  register void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}
static void sh_puts(const char *s) { sh_call(0x04, (void *)s); }
__attribute__((noreturn)) void sh_exit(int code) {
  uint32_t block[2] = {0x20026, (uint32_t)code};
  sh_call(0x20, block);
  for (;;) {}
}
#endif

int main(void) {
  fill(weights, WEIGHT_BYTES);
  fill(act_a, ACT_BYTES);
  fill(act_b, ACT_BYTES);
  int8_t *in = act_a, *out = act_c;
  for (int i = 0; i < LAYER_COUNT; i++) {
    const layer_t *l = &layers[i];
    int32_t in_bytes = l->in_h * l->in_w * l->in_c, out_bytes = l->out_h * l->out_w * l->out_c;
    if (in_bytes > ACT_BYTES || out_bytes > ACT_BYTES || l->out_c > MAX_CHANNELS) {
      sh_puts("harness: layer too big\n");
      sh_exit(2);
    }
    for (int c = 0; c < l->out_c; c++) {
      bias[c] = (int32_t)(next() % 2048) - 1024;
      multiplier[c] = 0x40000000 + (int32_t)(next() & 0x3fffffff);  // Q31 in [0.5, 1)
      shift[c] = -(int32_t)(6 + next() % 4);                        // typical right shifts
    }
    layer_data_t d = {
        .input = in, .input2 = act_b, .output = out, .filter = weights, .bias = bias,
        .multiplier = multiplier, .shift = shift, .scratch = scratch,
        .scratch_bytes = sizeof scratch, .input_offset = 128, .output_offset = -10,
        .act_min = l->relu ? -10 : -128, .act_max = 127};
    library_prepare(l, &d);
    if (d.scratch_bytes > (int32_t)sizeof scratch) {
      sh_puts("harness: scratch too small\n");
      sh_exit(3);
    }
    bench_begin();
    library_run(l, &d);
    bench_end();
    int8_t *t = in; in = out; out = t;
  }
  sh_puts("harness: done\n");
  sh_exit(0);
}
