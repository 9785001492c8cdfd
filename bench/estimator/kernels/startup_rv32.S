# Minimal RV32 startup for the kernel harness on QEMU virt: stack, main, exit with its status.
  .section .text.start
  .globl _start
_start:
  la sp, __stack_top
  call main
  call sh_exit
