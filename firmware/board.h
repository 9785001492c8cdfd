// Board support for the TinyCNN firmware under QEMU: semihosting output and exit, the markers
// the instruction-counting plugin watches, and the stack's high-water mark. Imported into Swift
// as the clang module `Board` (module.modulemap).
#pragma once
#include <stdint.h>

// ARM semihosting (QEMU: -semihosting-config enable=on,target=native). Output goes to QEMU's
// stdout; the exit status becomes QEMU's exit status.
void board_putc(char c);              // SYS_WRITEC
void board_puts(const char *s);       // SYS_WRITE0, NUL-terminated
_Noreturn void board_exit(int status);  // SYS_EXIT_EXTENDED

// Embedded Swift's print() writes through C's putchar.
int putchar(int c);

// Empty, never-inlined functions bracketing measured regions. Without the plugin they cost two
// calls; with it (qemu-plugin/insncount.c, given their addresses) QEMU counts the instructions
// executed between a begin and the next end of the same pair: one pair around each whole
// inference, one around each operator.
void tinycnn_invoke_begin(void);
void tinycnn_invoke_end(void);
void tinycnn_op_begin(void);
void tinycnn_op_end(void);

// Bytes of stack used so far (startup.c fills the stack with a pattern before main).
uint32_t board_stack_used(void);
uint32_t board_stack_size(void);
