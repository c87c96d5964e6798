# code_pages.s — instruction fetch through the MMU (§5.17, §10): code runs from whatever frame
# the TLB says, stale entries included; after tlbinval the new mapping (and its X bit and
# ring) apply, even to code that has already run; and a store into a frame holding code is
# seen by the next fetch through any alias. (These matter for an engine that caches decoded
# code: it must behave exactly like the interpreter.)
        .include "check.inc"
        .include "paging.inc"

        .equ    PX,  TESTWIN + 0x30000  # code pages (virtual), TLB slots 48 and 49
        .equ    PY,  TESTWIN + 0x31000
        .equ    F1,  FRAMES             # frames holding a tiny routine each
        .equ    F2,  FRAMES + 0x1000

        .equ    LI_A0, 0x09400000       # addi a0, zero, imm16 (OR in the value)
        .equ    RET,   0xA4010000       # jalr zero, 0(ra)

# call the routine at \reg three times (the first call may translate it, the others reuse it)
# and check it returned \value each time
        .macro  call3 reg, value, id
        li      a0, 0
        jalr    ra, 0(\reg)
        expect  a0, \value, \id
        li      a0, 0
        jalr    ra, 0(\reg)
        expect  a0, \value, \id
        li      a0, 0
        jalr    ra, 0(\reg)
        expect  a0, \value, \id
        .endm

main:
        li      t0, F1
        li      t1, LI_A0 + 1
        sw      t1, 0(t0)
        li      t1, RET
        sw      t1, 4(t0)
        li      t0, F2
        li      t1, LI_A0 + 2
        sw      t1, 0(t0)
        li      t1, RET
        sw      t1, 4(t0)
        paging_on
        li      s0, PX
        li      s1, PY

        # ---- a stale code translation is used until invalidated
        set_pte PX, F1 + PTE_USER
        call3   s0, 1, 1
        set_pte PX, F2 + PTE_USER       # remapped in memory only
        call3   s0, 1, 2                # the TLB still says F1
        tlbinval s0
        call3   s0, 2, 3                # now F2

        # ---- a store to the code's frame through another mapping: the next fetch sees it
        set_pte PY, F2 + PTE_USER       # PY aliases F2
        tlbinval s1
        call3   s1, 2, 4
        li      t0, LI_A0 + 7
        sw      t0, 0(s1)               # rewrite the first instruction through PY
        call3   s0, 7, 5                # PX runs the new code
        call3   s1, 7, 6
        li      t0, F2                  # and through the identity map (physical address)
        li      t1, LI_A0 + 8
        sw      t1, 0(t0)
        call3   s0, 8, 7

        # ---- the same code, now from ring 3: ring, X and present checks apply to every fetch
        clear_exc
        drop_to 3
        call3   s0, 8, 10               # user page: fine
        rise_to 0
        set_pte PX, F2 + PTE_KERN       # ring 0 only
        tlbinval s0
        call3   s0, 8, 11               # ring 0 may
        drop_to 3
        resume_at 1f
        jalr    ra, 0(s0)
        j       bad
1:      expect_fault 1, PF_X_RING, PX, PX, 12
        rise_to 0
        set_pte PX, F2 + PTE_P + PTE_R + PTE_W + 3 * PTE_RING      # not executable
        tlbinval s0
        resume_at 2f
        jalr    ra, 0(s0)               # not even for ring 0
        j       bad
2:      expect_fault 2, PF_X_PERM, PX, PX, 16
        set_pte PX, 0
        tlbinval s0
        resume_at 3f
        jalr    ra, 0(s0)
        j       bad
3:      expect_fault 3, PF_X_NP, PX, PX, 20
        set_pte PX, F2 + PTE_USER       # and back
        tlbinval s0
        call3   s0, 8, 24

        # ---- paging off: the same address is now physical, past the end of RAM (BUS_ERROR);
        # with paging back on, the TLB entry is still there
        mtcr    status, zero
        resume_at 4f
        jalr    ra, 0(s0)
        j       bad
4:      expect_fault 4, V_BUS_ERROR, PX, PX, 25
        li      t0, ST_PG
        mtcr    status, t0
        call3   s0, 8, 29
        pass

bad:    li      a0, 999
        j       check_failed
