# gate_fast.s — gate frames at the edges of the frame-writing path: a callg/retg frame across a
# page boundary (two translations, two segments), and a frame written over code that has
# already been translated (the code must be the new words the next time it runs, also on the
# threaded engine, which runs gates without a full dispatch).
        .include "check.inc"

        .equ    G_SAME, 5               # ring 0 -> ring 0, no parameters

main:
        set_gate G_SAME, same_ring, D_P + 3 * D_DPL

        # ================================================= a frame across a page boundary
        li      a1, 0
        mv      s0, sp
        li      sp, DATA_AREA + 0x1008  # frame: DATA_AREA + 0xffc .. + 0x1007, two pages
g1:     callg   G_SAME
        mv      s2, sp
        mv      sp, s0
        expect  a1, 1, 1                # the gate ran once
        expect  s2, DATA_AREA + 0x1008, 2   # retg restored sp from the frame
        li      t0, DATA_AREA + 0xffc
        lw      t1, 0(t0)
        la      t2, g1 + 4
        expect_eq t1, t2, 3             # frame +0: return pc (first page)
        lw      t1, 4(t0)
        expect  t1, 0, 4                # frame +4: ring 0 (second page)
        lw      t1, 8(t0)
        expect  t1, DATA_AREA + 0x1008, 5   # frame +8: old sp

        # ================================================= a frame over translated code
        # The same translated block (this loop body, which follows the jal into victim) runs
        # twice; between the runs a gate frame overwrites victim's second word with 0 (the
        # frame's ring word), which is not an instruction.
        clear_exc
        resume_at v_done
        li      s3, 0
        la      t0, again               # enter through an indirect jump too: a block starts
        jr      t0                      # at `again` in both rounds
again:  li      a1, 0
        jal     ra, victim + 4          # the first time a1 = 7; the second time ILLEGAL
        addi    s3, s3, 1
        expect  s3, 1, 6                # a second round means the old code ran again
        expect  a1, 7, 7
        mv      s0, sp
        la      sp, victim + 12         # the frame lands on victim's three words
        callg   G_SAME
        mv      sp, s0
        la      t0, again               # back through an indirect jump, so that the block
        jr      t0                      # translated at `again` in the first round is reused
v_done:
        mv      sp, s0
        expect  s3, 1, 8
        expect_fault 1, V_ILLEGAL, victim + 4, victim + 4, 9
        pass

same_ring:
        addi    a1, a1, 1
        retg

        .balign 16
victim:
        addi    a1, zero, 5
        addi    a1, zero, 7
        ret
