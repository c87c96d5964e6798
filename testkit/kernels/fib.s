# fib: naive doubly recursive fib(35), a real call with a stack frame per invocation
# (see docs/bench-kernels.md). Expected checksum 9,227,465.
        .equ    EXPECTED, 9227465
        .include "rt.inc"

        .text
main:
        addi    sp, sp, -4
        sw      ra, 0(sp)
        li      a0, 35
        call    fib
        lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

# fib(a0) -> a0
fib:
        li      t0, 2
        blt     a0, t0, 1f              # fib(n) = n for n < 2
        addi    sp, sp, -12
        sw      ra, 0(sp)
        sw      s0, 4(sp)
        sw      s1, 8(sp)
        mv      s0, a0
        addi    a0, a0, -1
        call    fib                     # fib(n-1)
        mv      s1, a0
        addi    a0, s0, -2
        call    fib                     # fib(n-2)
        add     a0, a0, s1
        lw      ra, 0(sp)
        lw      s0, 4(sp)
        lw      s1, 8(sp)
        addi    sp, sp, 12
1:      ret
