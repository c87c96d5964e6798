# tlb.s — the modeled TLB (§10.4, §10.5, §12): 64 direct-mapped entries, filled by every
# successful walk and used as they are even after the PTE in memory changed ("stale entries are
# architecturally visible") until tlbinval / tlbflush / a write to ptbase; toggling PG does not
# flush; a write through an entry whose cached D is clear re-walks. Costs: a walk adds 10
# cycles to the instruction that needs it (fetch or data), a hit adds nothing.
        .include "check.inc"
        .include "paging.inc"

        # test pages in TLB slots 32-35 (vpn 0x820-0x823), away from the code's slots
        .equ    PX,   TESTWIN + 0x20000
        .equ    PY,   TESTWIN + 0x21000
        .equ    PZ,   TESTWIN + 0x22000
        .equ    PC_,  TESTWIN + 0x23000
        .equ    PX2,  PX + 0x40000      # vpn 0x860: the same slot (32) as PX
        .equ    F1,   FRAMES + 0x0000
        .equ    F2,   FRAMES + 0x1000
        .equ    F3,   FRAMES + 0x2000

main:
        paging_on
        li      t0, 0x1111
        li      t1, F1
        sw      t0, 0(t1)
        li      t0, 0x2222
        li      t1, F2
        sw      t0, 0(t1)
        li      t0, 0x3333
        li      t1, F3
        sw      t0, 0(t1)
        li      s0, PX
        li      s1, PY
        li      s2, PX2

        # ================================================= a miss costs a walk, a hit does not
        set_pte PX, F1 + PTE_USER
        set_pte PX2, F3 + PTE_USER
        tlbflush
        cyc_begin
        lw      t0, 0(s0)               # miss: 1 + 10
        cyc_end 11, 1
        expect  t0, 0x1111, 2
        cyc_begin
        lw      t0, 4(s0)               # hit (same page): 1
        cyc_end 1, 3
        # a store through the entry filled by a read: D is clear, so it re-walks (sets D)
        cyc_begin
        sw      t0, 8(s0)               # 1 + 10
        cyc_end 11, 4
        expect_pte PX, F1 + PTE_USER + PTE_A + PTE_D, 5
        cyc_begin
        sw      t0, 12(s0)              # now D is cached: 1
        cyc_end 1, 6
        # direct-mapped: PX2 (vpn 0x860) and PX (vpn 0x820) share slot 32 and evict each other
        cyc_begin
        lw      t0, 0(s2)               # miss, evicts PX
        lw      t1, 0(s0)               # miss, evicts PX2
        lw      t2, 0(s0)               # hit
        cyc_end 11 + 11 + 1, 7
        expect  t0, 0x3333, 8
        # a walk is charged even when the access then faults (not present; no fill)
        tlbflush
        set_vec V_PAGE_FAULT, pf_quick, D_P
        li      s3, PZ                  # PTE 0: not present
        sw      zero, -4(sp)            # the frame's stack page: cached, with D (a frame push
                                        # that walked would add its own 10)
        cyc_begin
        lw      t0, 0(s3)               # walk 10, then delivery 12; pf_quick reads the count
1:      sub     s11, s11, s10           # (pf_quick resumes after the lw)
        addi    s11, s11, -2
        expect  s11, 10 + 12, 9
        # the same with the stack page not cached: the frame push walks too (+10)
        addi    t1, sp, -4
        tlbinval t1
        cyc_begin
        lw      t0, 0(s3)
2:      sub     s11, s11, s10
        addi    s11, s11, -2
        expect  s11, 10 + 10 + 12, 14
        reset_vec V_PAGE_FAULT

        # ================================================= fetch walks are charged to the
        # instruction fetched: a routine on a page whose translation is not cached
        li      t0, F2 + 0x100
        li      t1, 0x094A0001          # addi a0, a0, 1   (at F2 + 0x100)
        sw      t1, 0(t0)
        li      t1, 0xA4010000          # jalr zero, 0(ra) (at F2 + 0x104)
        sw      t1, 4(t0)
        set_pte PY, F2 + PTE_USER
        li      a0, 0
        cyc_begin
        jalr    ra, 0x100(s1)           # 1 + 2 taken
                                        # addi: 1 + 10 (fetch walk), jalr back: 1 + 2
        cyc_end 3 + 11 + 3, 10
        expect  a0, 1, 11
        cyc_begin
        jalr    ra, 0x100(s1)           # warm: 3 + 1 + 3
        cyc_end 7, 12
        expect  a0, 2, 13

        # ================================================= stale entries
        # PX -> F1 is cached. Point the PTE at F2: the TLB still says F1.
        lw      t0, 0(s0)
        set_pte PX, F2 + PTE_USER
        lw      t0, 0(s0)
        expect  t0, 0x1111, 20          # stale, but architecturally correct
        li      t1, PX + 0x40000        # tlbinval of another page in the same slot: no effect
        tlbinval t1
        lw      t0, 0(s0)
        expect  t0, 0x1111, 21
        tlbinval s0                     # now the next access walks and sees F2
        cyc_begin
        lw      t0, 0(s0)
        cyc_end 11, 22
        expect  t0, 0x2222, 23
        # back to F1, cached F2; tlbflush drops it
        set_pte PX, F1 + PTE_USER
        lw      t0, 0(s0)
        expect  t0, 0x2222, 24
        tlbflush
        lw      t0, 0(s0)
        expect  t0, 0x1111, 25
        # writing ptbase (even the same value) flushes everything
        set_pte PX, F2 + PTE_USER
        lw      t0, 0(s0)
        expect  t0, 0x1111, 26
        li      t1, PT_DIR
        mtcr    ptbase, t1
        cyc_begin
        lw      t0, 0(s0)
        cyc_end 11, 27
        expect  t0, 0x2222, 28
        # toggling PG does not flush
        set_pte PX, F1 + PTE_USER
        mtcr    status, zero            # paging off (identity: the code keeps running)
        mtcr    status, zero
        li      t1, ST_PG
        mtcr    status, t1              # paging on again
        lw      t0, 0(s0)
        expect  t0, 0x2222, 29          # still the stale F2 entry
        # tlbinval works with paging off too
        mtcr    status, zero
        tlbinval s0
        li      t1, ST_PG
        mtcr    status, t1
        lw      t0, 0(s0)
        expect  t0, 0x1111, 30

        # ================================================= stale permissions and ring
        clear_exc
        set_pte PZ, F3 + PTE_P + PTE_R + 3 * PTE_RING   # read-only
        li      s3, PZ
        lw      t0, 0(s3)               # cached: R only
        set_pte PZ, F3 + PTE_USER       # now writable in memory ...
s1w:    sw      t0, 0(s3)               # ... but the cached bits say no: PF_W_PERM
        expect_fault 1, PF_W_PERM, PZ, s1w, 40
        tlbinval s3
        sw      t0, 0(s3)               # walks, sees W
        expect_exc_count 1, 44
        # a downgrade is not seen until invalidated: ring 3 keeps using a page made ring 0
        drop_to 3
        lw      t0, 0(s3)               # cached for ring 3
        rise_to 0
        set_pte PZ, F3 + PTE_KERN
        drop_to 3
        lw      t0, 0(s3)               # stale: allowed
        expect_exc_count 1, 45
        rise_to 0
        tlbinval s3
        drop_to 3
s2r:    lw      t0, 0(s3)               # now the walk sees ring 0
        expect_fault 2, PF_R_RING, PZ, s2r, 46
        rise_to 0
        # a removed page is still readable through the TLB, but a write with a clean cached
        # entry re-walks and faults (§10.5)
        set_pte PZ, F3 + PTE_USER
        tlbinval s3
        lw      t0, 0(s3)               # cached, D clear
        set_pte PZ, 0                   # removed
        lw      t0, 0(s3)               # still translates
        expect_exc_count 2, 50
s3w:    sw      t0, 0(s3)
        expect_fault 3, PF_W_NP, PZ, s3w, 51
        # the failed re-walk left the (stale) entry alone: reads still hit
        lw      t0, 0(s3)
        expect_exc_count 3, 55
        pass

# Vector 5 for the "walk then fault" measurements: read the count first thing, then resume
# after the faulting instruction.
        .balign 64
pf_quick:
        mfcr    s11, cycle
        lw      t0, 0(sp)               # frame pc: the lw; resume after it
        addi    t0, t0, 4
        sw      t0, 0(sp)
        iret
