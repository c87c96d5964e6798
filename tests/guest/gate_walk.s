# gate_walk.s — gates at the start of a block whose first fetch walked: the load before each
# gate evicts the code page's TLB entry (the same one of the 64 direct-mapped slots), so the
# gate's fetch misses. Its cycle count (which its ring-transition record reads), the walk's
# cycles, and, when it faults, the fault's cycles must be the interpreter's (the threaded
# engine runs gates inside its block chain). The last transition is such a gate's.
        .include "check.inc"
        .include "paging.inc"

        .equ    G_UP,   4               # ring 3 -> ring 0, back with retg
        .equ    G_LAST, 5               # ring 3 -> ring 0, where the program ends
        .equ    ROUNDS, 20

main:
        set_gate G_UP, up, D_P + 0 * D_T + 3 * D_DPL
        set_gate G_LAST, last, D_P + 0 * D_T + 3 * D_DPL
        paging_on
        clear_exc
        drop_to 3
        li      s0, 0                   # calls through G_UP
        li      s1, ROUNDS
        la      s2, round + 0x40000     # 64 pages on: the TLB slot of this code's page
round:
        lw      t0, 0(s2)               # evicts the code page's entry (the block ends)
        callg   G_UP                    # the next block's first op: its fetch walks
        lw      t0, 0(s2)
        callg   NGATES                  # the same, refused (beyond the limit): GATE_FAULT
        addi    s1, s1, -1
        bnez    s1, round
        lw      t0, 0(s2)
        callg   G_LAST

up:     addi    s0, s0, 1
        retg

last:   expect  s0, ROUNDS, 1
        expect_exc_count ROUNDS, 2
        pass
