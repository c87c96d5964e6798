# gate_memo.s — the JIT's gate helpers remember a gate's checks and its frame's TLB hit between
# calls, and must find them again whenever what they came from changes inside the hot loop
# itself: the gate's descriptor made not present for one pass and the stack its frame goes
# on moved on every pass (a same-ring gate pushes its frame on the caller's sp), the TLB
# untouched; and the frame's page remapped, its TLB entry evicted, on every other pass.
# Every engine must agree; the sums and the frames left in memory say what ran.
        .include "check.inc"
        .include "paging.inc"

        .equ    G_SVC,  GATE_FREE       # ring 0 to ring 0
        .equ    PASSES, 40
        .equ    TABLE,  DATA_AREA + 0x8000  # a copy of the gate table, in a page of data
        .equ    SV,     TESTWIN + 0x2b000   # a stack page for frames (TLB slot 43)
        .equ    FA,     DATA_AREA + 0x10000 # two frames for it
        .equ    FB,     DATA_AREA + 0x11000
        .equ    EVICT,  0x2b000             # identity-mapped, TLB slot 43
        .equ    CALM,   0x2c000             # identity-mapped, TLB slot 44

main:
        paging_on
        set_gate G_SVC, svc_one, D_P + 0 * D_T + 0 * D_DPL
        # The gate table moved to a data page (the original shares a page with this code,
        # where a store would end the compiled loop at once).
        la      t0, gates
        li      t1, TABLE
        li      t2, NGATES * 2
1:      lw      t3, 0(t0)
        sw      t3, 0(t1)
        addi    t0, t0, 4
        addi    t1, t1, 4
        addi    t2, t2, -1
        bnez    t2, 1b
        li      t0, TABLE
        mtcr    gbase, t0

        # ---- the descriptor made not present for one pass in the middle (a gate fault,
        # recorded, resumed after the callg), present again for the next
        li      s4, TABLE + 8 * G_SVC
        li      s6, D_P + 0 * D_T + 0 * D_DPL
        li      a0, 0
        li      s1, PASSES
2:      callg   G_SVC
        addi    s1, s1, -1
        xori    t0, s1, PASSES / 2
        seqz    t0, t0                  # 1 (D_P) in the pass before the middle one
        xor     t0, s6, t0
        sw      t0, 4(s4)
        bnez    s1, 2b
        expect  a0, PASSES - 1, 1
        expect_exc_count 1, 8

        # ---- the frame's stack moved by 64 bytes on every pass; the service adds its sp
        # (the frame's address) to a0
        li      t0, D_P + 0 * D_T + 0 * D_DPL
        sw      t0, 4(s4)
        la      t0, svc_sp
        sw      t0, 0(s4)
        addi    sp, sp, -256
        srli    sp, sp, 7
        slli    sp, sp, 7               # S, bit 6 clear: S ^ 64 = S + 64
        mv      s5, sp
        li      a0, 0
        li      s1, PASSES
3:      callg   G_SVC
after_call:
        xori    sp, sp, 64
        addi    s1, s1, -1
        bnez    s1, 3b
        li      t0, PASSES
        mul     t0, t0, s5
        addi    t0, t0, (PASSES / 2) * (64 - 2 * 12)
        expect_eq a0, t0, 2             # 20 (S - 12) + 20 (S + 64 - 12)
        expect_eq sp, s5, 3             # an even number of moves
        # Both stacks got frames [return pc, ring 0, sp]: below S and below S + 64.
        la      t1, after_call
        lw      t0, -12(s5)
        expect_eq t0, t1, 4
        lw      t0, -4(s5)
        expect_eq t0, s5, 5
        addi    t2, s5, 64
        lw      t0, 52(s5)
        expect_eq t0, t1, 6
        lw      t0, 60(s5)
        expect_eq t0, t2, 7

        # ---- the frame's page remapped under the loop (FA, FB, FA, ...) on every other
        # pass, its TLB entry evicted by a load from a page in the same TLB slot: a call
        # after that must not reuse the frame's old TLB hit. The frame words left behind are
        # zeroed on every pass, so a frame written to the old page would be seen by `retg`.
        la      t0, svc_c
        sw      t0, 0(s4)
        mv      s5, sp
        li      s6, PT_TEST + 4 * ((SV >> 12) & 0x3FF)
        li      s7, FA ^ FB
        li      s8, FA + PTE_KERN       # the frame page's PTE
        sw      s8, 0(s6)
        li      t0, SV
        tlbinval t0
        li      s9, EVICT ^ CALM
        li      s3, CALM
        li      s10, FA + 0x7f4         # the frame's first word, through both pages
        li      s11, FB + 0x7f4
        li      sp, SV + 0x800
        li      a0, 0
        li      s1, PASSES
4:      callg   G_SVC
        sw      zero, 0(s10)
        sw      zero, 0(s11)
        andi    t0, s1, 1
        sub     t0, zero, t0            # all ones on odd passes, else 0
        and     t1, t0, s7
        xor     s8, s8, t1
        sw      s8, 0(s6)               # remapped on odd passes
        and     t1, t0, s9
        xor     t1, t1, s3
        lw      t2, 0(t1)               # EVICT on odd passes, else CALM
        addi    s1, s1, -1
        bnez    s1, 4b
        mv      sp, s5
        expect  a0, PASSES, 9
        pass

svc_one:
        addi    a0, a0, 1
        retg
svc_sp:
        add     a0, a0, sp
        retg
svc_c:
        addi    a0, a0, 1
        retg
