# Kernel console output: strings and numbers, written through the console driver's code
# (drivers/console.s), which the kernel calls directly as plain functions in ring 0.

        .include "kernel.inc"

        .text
# kputs(a0 = NUL-terminated string).
        .global kputs
kputs:
        enter   1
        mv      s0, a0
1:      lbu     a0, 0(s0)
        beqz    a0, 2f
        call    cons_putc
        addi    s0, s0, 1
        j       1b
2:      leave   1

# kputdec(a0 = unsigned number): decimal.
        .global kputdec
kputdec:
        enter   1
        addi    sp, sp, -16
        addi    s0, sp, 15
        sb      zero, 0(s0)
        li      t1, 10
1:      remu    t0, a0, t1
        divu    a0, a0, t1
        addi    t0, t0, '0'
        addi    s0, s0, -1
        sb      t0, 0(s0)
        bnez    a0, 1b
        mv      a0, s0
        call    kputs
        addi    sp, sp, 16
        leave   1

# kputhex(a0 = number): 0x and eight hex digits.
        .global kputhex
kputhex:
        enter   2
        mv      s0, a0
        li      a0, '0'
        call    cons_putc
        li      a0, 'x'
        call    cons_putc
        li      s1, 28
1:      srl     t0, s0, s1
        andi    t0, t0, 15
        la      t1, hexdigits
        add     t1, t1, t0
        lbu     a0, 0(t1)
        call    cons_putc
        addi    s1, s1, -4
        bgez    s1, 1b
        leave   2

        .rodata
hexdigits:  .ascii  "0123456789abcdef"
