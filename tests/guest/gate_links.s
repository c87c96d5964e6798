# gate_links.s — the threaded engine remembers, per block ending in a gate, the block it went
# on to after the gate (its gate link). The link must give way whenever the block the lookup
# would find changes: the service's code rewritten by a store, its virtual page remapped to
# another frame, the gate table entry pointed elsewhere, the callers in another ring (another
# translation of the calling loop), a gate frame pushed into RAM never written before. Every
# engine must agree; the sums say which code ran.
        .include "check.inc"
        .include "paging.inc"

        .equ    G_SVC, GATE_FREE        # ring 0, callable from ring 3, no parameters
        .equ    SVC,   TESTWIN + 0x2b000    # the service's virtual page (TLB slot 43)
        .equ    FA,    FRAMES           # two frames for it
        .equ    FB,    FRAMES + 0x1000
        .equ    FRESH, 0x2F0000         # ring 0 stack top in RAM no one has written

        # Call gate G_SVC 40 times from one call site (the service adds to a0).
        .macro  calls
        call    calls40
        .endm

        # Copy the two words of service \src (addi, retg) to physical \dst.
        .macro  copy2 src, dst
        la      t0, \src
        li      t1, \dst
        lw      t2, 0(t0)
        sw      t2, 0(t1)
        lw      t2, 4(t0)
        sw      t2, 4(t1)
        .endm

        # Point gate G_SVC at address \entry (in register t0).
        .macro  svc_at
        la      gp, gates + 8 * G_SVC
        sw      t0, 0(gp)
        li      tp, D_P + 3 * D_DPL
        sw      tp, 4(gp)
        .endm

main:
        copy2   svc_one, FA
        copy2   svc_two, FB
        paging_on
        li      s0, SVC
        set_pte SVC, FA + PTE_USER
        tlbinval s0
        li      t0, SVC
        svc_at
        li      a0, 0
        calls                           # FA: +1 each
        expect  a0, 40, 1

        # ---- the service's page remapped to FB
        set_pte SVC, FB + PTE_USER
        tlbinval s0
        calls                           # FB: +2 each
        expect  a0, 120, 2

        # ---- FB's first instruction rewritten (through the identity map)
        la      t0, svc_three
        lw      t1, 0(t0)
        li      t0, FB
        sw      t1, 0(t0)
        calls                           # +3 each
        expect  a0, 240, 3

        # ---- the gate table entry pointed at another service
        la      t0, svc_local
        svc_at
        calls                           # +4 each
        expect  a0, 400, 4

        # ---- from ring 3, frames pushed into RAM never written
        li      t0, FRESH
        mtcr    sp0, t0
        drop_to 3
        calls                           # +4 each, ring 3 -> 0 -> 3
        expect  a0, 560, 5
        rise_to 0
        li      t0, SP0_TOP
        mtcr    sp0, t0
        li      t0, FRESH - 12
        lw      t1, 4(t0)
        expect  t1, 3, 6                # the last frame from ring 3: ring word 3

        # ---- back to the remapped, rewritten service, from ring 3
        li      t0, SVC
        svc_at
        drop_to 3
        calls                           # +3 each
        expect  a0, 680, 7
        rise_to 0
        pass

calls40:
        li      s1, 40
1:      callg   G_SVC
        addi    s1, s1, -1
        bnez    s1, 1b
        ret

svc_one:
        addi    a0, a0, 1
        retg
svc_two:
        addi    a0, a0, 2
        retg
svc_three:
        addi    a0, a0, 3
        retg

        .balign 4096
svc_local:
        addi    a0, a0, 4
        retg
