# gatecall: one million round trips through call gate 1 (ring 3 -> ring 0 -> ring 3 when run
# as a process; a same-ring gate call in ring 0). The gate's service adds 1 to a0.
        .equ    EXPECTED, 1000000
        .include "rt.inc"

        .text
main:
        li      a0, 0
        li      t0, 1000000
1:      callg   1
        addi    t0, t0, -1
        bnez    t0, 1b
        ret
