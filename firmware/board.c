#include "board.h"

// A semihosting call: `bkpt 0xab` with the operation in r0 and its argument in r1.
static int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void board_putc(char c) { semihost(0x03, &c); }
void board_puts(const char *s) { semihost(0x04, s); }
int putchar(int c) {
    board_putc((char)c);
    return c;
}

_Noreturn void board_exit(int status) {
    // SYS_EXIT_EXTENDED takes {reason, code}; with ADP_Stopped_ApplicationExit (0x20026) QEMU
    // exits with `code` (plain SYS_EXIT cannot carry a status on 32-bit ARM).
    uint32_t block[2] = {0x20026u, (uint32_t)status};
    semihost(0x20, block);
    for (;;) {}
}

// The empty asm with a memory clobber keeps each call (and its place in the code) as written.
__attribute__((noinline)) void tinycnn_invoke_begin(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void tinycnn_invoke_end(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void tinycnn_op_begin(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) void tinycnn_op_end(void) { __asm__ volatile("" ::: "memory"); }

extern uint32_t __stack_bottom, __stack_top;
#define STACK_PATTERN 0x5AC3A53Cu

uint32_t board_stack_size(void) {
    return (uint32_t)((uintptr_t)&__stack_top - (uintptr_t)&__stack_bottom);
}

// The lowest word that no longer holds the pattern marks the deepest the stack has reached.
uint32_t board_stack_used(void) {
    const uint32_t *p = &__stack_bottom;
    while (p < &__stack_top && *p == STACK_PATTERN) p++;
    return (uint32_t)((uintptr_t)&__stack_top - (uintptr_t)p);
}

void board_paint_stack(void) {
    // Paint from the bottom up to a little below our own frame, which is in use.
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = &__stack_bottom; p < sp - 16; p++) *p = STACK_PATTERN;
}
