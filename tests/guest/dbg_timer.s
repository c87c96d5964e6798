# dbg_timer.s — the debugger's interrupt test: the timer interrupts three times (line 0,
# vector 32) while ring 0 spins; the handler counts in s0 and ends each with EOI.
        .equ PIC,   0xF0000000
        .equ TIMER, 0xF0001000

        .text
        .global _start
_start:
        li      sp, 0x10000
        la      t0, vectors
        mtcr    vbase, t0
        la      t1, tick
        sw      t1, 32*8(t0)
        li      t1, 1                   # present, ring 0
        sw      t1, 32*8+4(t0)
        li      t0, PIC
        li      t1, 1
        sw      t1, 4(t0)               # enable line 0
        li      t0, TIMER
        li      t1, 500
        sw      t1, 4(t0)               # period
        li      t1, 7
        sw      t1, 0(t0)               # enable, periodic, interrupt
        li      s0, 0
        li      t0, 4
        mtcr    status, t0              # IE = 1
spin:   li      t2, 3
        blt     s0, t2, spin
        li      a0, 0
        halt

        .global tick
        .type   tick, @function
tick:
        addi    s0, s0, 1
        li      t0, PIC
        sw      zero, 0xC(t0)           # EOI line 0
        iret

        .bss
        .balign 8
vectors:
        .space  64 * 8
