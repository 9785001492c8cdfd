// The few C library functions the harness and the kernels call on bare-metal RV32 (no newlib
// for riscv32 on this machine).
#include <stddef.h>
#include <stdint.h>
void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *o = d;
  const uint8_t *i = s;
  while (n--) *o++ = *i++;
  return d;
}
void *memmove(void *d, const void *s, size_t n) {
  uint8_t *o = d;
  const uint8_t *i = s;
  if (o < i) { while (n--) *o++ = *i++; }
  else { o += n; i += n; while (n--) *--o = *--i; }
  return d;
}
void *memset(void *d, int c, size_t n) {
  uint8_t *o = d;
  while (n--) *o++ = (uint8_t)c;
  return d;
}
int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (; n--; x++, y++) if (*x != *y) return *x - *y;
  return 0;
}
// <cassert> from the arm-none-eabi newlib headers; the harness's asserts never fire.
void __assert_func(const char *file, int line, const char *func, const char *expr) {
  for (;;) {}
}
// ESP-NN prints on bad arguments; the harness passes none.
int printf(const char *format, ...) { return 0; }
