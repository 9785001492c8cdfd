// Cortex-M start-up: the vector table and the reset handler (copy .data, zero .bss, paint the
// stack, enable the FPU where there is one, run main, exit with its status).
#include <stdint.h>
#include "board.h"

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern int main(int argc, char **argv);
void board_paint_stack(void);

// A section of nothing but `. += size` would take its flags from the section before it (flash,
// read-only) and `size` would count the stack as code; one writable word gives it RAM's flags.
__attribute__((section(".stack"), used)) static uint32_t stack_floor;

void Reset_Handler(void) {
    uint32_t *src = &__data_load, *dst = &__data_start;
    while (dst < &__data_end) *dst++ = *src++;
    for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    board_paint_stack();
#if defined(__ARM_FP)
    // CPACR: full access to CP10/CP11, or the first float instruction faults.
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb");
#endif
    board_exit(main(0, 0));
}

// Any fault (a bad pointer, a stack overflow into the arena's neighbour, an undefined
// instruction) ends the run with status 99 rather than hanging QEMU.
static void Fault_Handler(void) {
    board_puts("error: CPU fault\n");
    board_exit(99);
}

__attribute__((section(".vectors"), used)) const void *const vector_table[16] = {
    &__stack_top,   // initial stack pointer
    Reset_Handler,  // reset
    Fault_Handler,  // NMI
    Fault_Handler,  // HardFault
    Fault_Handler,  // MemManage
    Fault_Handler,  // BusFault
    Fault_Handler,  // UsageFault
    0, 0, 0, 0,
    Fault_Handler,  // SVCall
    Fault_Handler,  // DebugMon
    0,
    Fault_Handler,  // PendSV
    Fault_Handler,  // SysTick
};
