# mem_smc_loop.s — rewrites its own code forever: each pass stores a new immediate into the
# `addi` at `patch` and then runs it, so the threaded engine translates that block again.
        .include "check.inc"
main:   la      s0, patch
        lw      s1, 0(s0)               # the addi's encoding
        li      s2, 0
1:      addi    s2, s2, 1
        andi    t0, s2, 0xFF
        slli    t0, t0, 16              # a new immediate each pass (imm16 in the top half)
        li      t1, 0xFFFF
        and     t2, s1, t1
        or      t2, t2, t0
        sw      t2, 0(s0)
patch:  addi    a1, zero, 0
        j       1b
