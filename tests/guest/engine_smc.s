# Self-modifying code: the loop body patches its own `addi` (in the same page, later in the
# same block) from +1 to +100 after the first iteration. Both engines must see the patched
# instruction from the next iteration on: a0 = 1 + 100 * 4 = 401.
        .text
        .global _start
_start:
        li      a0, 0
        li      t0, 5                   # iterations
        la      t1, patch
        la      t2, new_insn
        lw      t2, 0(t2)               # the encoding of `addi a0, a0, 100`
loop:
        sw      t2, 0(t1)               # patch the instruction two slots ahead
        nop
patch:  addi    a0, a0, 1               # becomes addi a0, a0, 100 after the first store
        addi    t0, t0, -1
        bnez    t0, loop
        # The first iteration already ran the patched instruction (the store precedes it),
        # so a0 = 5 * 100.
        li      t3, 500
        sub     a0, a0, t3
        halt

        .rodata
new_insn:
        addi    a0, a0, 100
