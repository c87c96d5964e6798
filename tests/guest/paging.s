# paging.s — the MMU (§10): translation through a two-level table, page faults for each access
# kind (read / write / exec) and reason (not present / permission / ring) with the right cause
# detail and faddr, the check order, the accessed and dirty bits, and a failed walk changing
# nothing.
        .include "check.inc"
        .include "paging.inc"

        .equ    PG_A, TESTWIN + 0x0000  # test pages (virtual) ...
        .equ    PG_B, TESTWIN + 0x1000
        .equ    PG_C, TESTWIN + 0x2000
        .equ    PG_D, TESTWIN + 0x3000
        .equ    PG_E, TESTWIN + 0x4000
        .equ    FR_A, FRAMES + 0x0000   # ... and frames (physical)
        .equ    FR_B, FRAMES + 0x1000
        .equ    FR_C, FRAMES + 0x2000

main:
        paging_on
        expect_cr status, ST_PG, 1      # paging on, and still running: the identity map works

        # ================================================= translation, A and D bits
        li      t0, 0x11223344
        li      t1, FR_A + 0x124
        sw      t0, 0(t1)               # physical FR_A + 0x124 (identity-mapped)
        set_pte PG_A, FR_A + PTE_USER   # PG_A -> FR_A, A and D clear
        drop_to 3
        li      s0, PG_A
        lw      t0, 0x124(s0)           # virtual PG_A + 0x124 = physical FR_A + 0x124
        expect  t0, 0x11223344, 10
        rise_to 0
        expect_pte PG_A, FR_A + PTE_USER + PTE_A, 11            # read: A set, D not
        expect_word PT_DIR + 8, PT_TEST + PTE_P, 12             # never A/D in a PDE
        drop_to 3
        li      t0, 0x55667788
        sw      t0, 0x128(s0)
        rise_to 0
        expect_word FR_A + 0x128, 0x55667788, 13
        expect_pte PG_A, FR_A + PTE_USER + PTE_A + PTE_D, 14    # write: D set
        # a first access that writes sets A and D at once
        set_pte PG_B, FR_B + PTE_USER
        li      t0, 1
        li      t1, PG_B
        sw      t0, 0(t1)
        expect_pte PG_B, FR_B + PTE_USER + PTE_A + PTE_D, 15
        expect_word FR_B, 1, 16
        # reserved bits 11:8 are ignored and left alone
        set_pte PG_C, FR_C + PTE_USER + 0xF00
        li      t1, PG_C
        lw      t0, 0(t1)
        expect_pte PG_C, FR_C + PTE_USER + 0xF00 + PTE_A, 17

        # ================================================= not present (reason 0)
        clear_exc
        drop_to 3
        li      s0, PG_D                # PTE all zero
        li      t0, 0x77
n1:     lw      t0, 0x10(s0)
        expect  t0, 0x77, 20
        expect_fault 1, PF_R_NP, PG_D + 0x10, n1, 21
        expect_exc EXC_STATUS, 3 + ST_PG, 25
        expect_exc EXC_CRCAUSE, PF_R_NP, 26
        expect_exc EXC_CRFADDR, PG_D + 0x10, 27
n2:     sw      t0, 0x20(s0)
        expect_fault 2, PF_W_NP, PG_D + 0x20, n2, 28
        resume_at 1f
        jalr    ra, 0x40(s0)            # the jump retires; the fetch faults
        j       bad
1:      expect_fault 3, PF_X_NP, PG_D + 0x40, PG_D + 0x40, 32
        li      s1, 0x00C00000 + 0x344  # the directory entry is not present
n4:     lbu     t0, 0(s1)
        expect_fault 4, PF_R_NP, 0x00C00344, n4, 36
n5:     sb      t0, 1(s1)
        expect_fault 5, PF_W_NP, 0x00C00345, n5, 40
        li      s1, 0x40000000          # far beyond RAM: also just not present
n6:     lw      t0, 0(s1)
        expect_fault 6, PF_R_NP, 0x40000000, n6, 44
        # misaligned comes before translation
n7:     lw      t0, 2(s0)
        expect_fault 7, V_MISALIGNED, PG_D + 2, n7, 48
        rise_to 0

        # ================================================= permission (reason 1)
        clear_exc
        set_pte PG_D, FR_C + PTE_P + PTE_W + PTE_X + 3 * PTE_RING          # no R
        set_pte PG_E, FR_C + PTE_P + PTE_R + 3 * PTE_RING                  # R only
        drop_to 3
        li      s0, PG_D
        li      s1, PG_E
p1:     lw      t0, 0(s0)
        expect_fault 1, PF_R_PERM, PG_D, p1, 50
        lw      t0, 0(s1)               # readable
        li      t1, 0xABCD
p2:     sw      t1, 8(s1)
        expect_fault 2, PF_W_PERM, PG_E + 8, p2, 54
        resume_at 2f
        jalr    ra, 0(s1)               # not executable
        j       bad
2:      expect_fault 3, PF_X_PERM, PG_E, PG_E, 58
        sw      t1, 12(s0)              # PG_D is writable (and maps FR_C too)
        lw      t0, 12(s1)              # ... seen through PG_E
        expect  t0, 0xABCD, 62
        rise_to 0
        # ring 0 gets no exemption from R/W/X
p4:     sw      t1, 8(s1)
        expect_fault 4, PF_W_PERM, PG_E + 8, p4, 63
        expect_exc EXC_STATUS, 0 + ST_PG, 67
        # the failed write walked but changed nothing: D is still clear (A was set by the read)
        expect_pte PG_E, FR_C + PTE_P + PTE_R + 3 * PTE_RING + PTE_A, 68
        # cas needs W even when the compare fails
        li      t0, 0x12345678          # not the value in memory
p5:     cas     t0, t1, (s1)
        expect  t0, 0x12345678, 69
        expect_fault 5, PF_W_PERM, PG_E, p5, 70

        # ================================================= ring (reason 2): CPL > the PTE's ring
        clear_exc
        tlbflush
        set_pte PG_A, FR_A + PTE_P + PTE_R + PTE_W + PTE_X + 1 * PTE_RING  # ring 0-1 only
        set_pte PG_B, FR_B + PTE_P + PTE_R + PTE_W + PTE_X + 2 * PTE_RING  # ring 0-2
        set_pte PG_C, FR_C + PTE_P + PTE_W + 0 * PTE_RING                  # ring 0, no R
        li      t0, FR_A
        li      t1, 0xA4010000          # `jalr zero, 0(ra)` (a return), stored at FR_A
        sw      t1, 0(t0)
        drop_to 3
        li      s0, PG_A
q1:     lw      t0, 0(s0)
        expect_fault 1, PF_R_RING, PG_A, q1, 80
q2:     sw      t0, 4(s0)
        expect_fault 2, PF_W_RING, PG_A + 4, q2, 84
        resume_at 3f
        jalr    ra, 0(s0)
        j       bad
3:      expect_fault 3, PF_X_RING, PG_A, PG_A, 88
        li      s2, PG_C                # ring before permission: no R and ring 0
q4:     lw      t0, 0(s2)
        expect_fault 4, PF_R_RING, PG_C, q4, 92
        rise_to 2
        li      s1, PG_B                # ring 2 may use a ring-2 page ...
        lw      t0, 0(s1)
        expect_exc_count 4, 96
q5:     lw      t0, 0(s0)               # ... but not a ring-1 page
        expect_fault 5, PF_R_RING, PG_A, q5, 97
        expect_exc EXC_STATUS, 2 + ST_PG, 101
        rise_to 1
        lw      t0, 0(s0)               # ring 1 may use the ring-1 page, code included
        li      a1, 0
        jalr    ra, 0(s0)               # runs `jalr zero, 0(ra)` at PG_A: comes back here
        expect_exc_count 5, 102
        rise_to 0
        lw      t0, 0(s0)               # ring 0 may use every ring's page
        expect_exc_count 5, 103
        # a failed walk sets nothing: PG_C was never accessed successfully
        expect_pte PG_C, FR_C + PTE_P + PTE_W, 104

        # ================================================= a successful walk sticks even if the
        # access then fails on the bus: A is set and the translation cached
        clear_exc
        set_pte PG_D, 0x80000000 + PTE_USER     # a frame where there is no memory
        tlbflush
        li      s0, PG_D
x1:     lw      t0, 0x10(s0)
        expect_fault 1, V_BUS_ERROR, PG_D + 0x10, x1, 105
        expect_pte PG_D, 0x80000000 + PTE_USER + PTE_A, 109
        set_vec V_BUS_ERROR, bus_quick, D_P
        cyc_begin
x2:     lw      t0, 0x14(s0)            # a TLB hit this time: no walk, just the bus error
        sub     t0, s11, s10            # (bus_quick resumes here)
        addi    t0, t0, -2
        expect  t0, 12, 111
        reset_vec V_BUS_ERROR
        set_pte PG_D, 0
        tlbflush

        # ================================================= walk outside RAM: BUS_ERROR, faddr = va
        clear_exc
        li      t0, PT_DIR
        li      t1, 0xC0000000 + PTE_P  # PDE 5 points at a table outside RAM
        sw      t1, 20(t0)
        li      s0, 0x01400000 + 0x10   # va in directory slot 5
w1:     lw      t1, 0(s0)
        expect_fault 1, V_BUS_ERROR, 0x01400010, w1, 110
        sw      zero, 20(t0)

        # ================================================= cas always translates as a write: D is
        # set even when the compare fails (and nothing is stored)
        set_pte PG_C, FR_C + PTE_USER
        tlbflush
        li      s0, PG_C
        li      t0, FR_C
        li      t1, 0x600D
        sw      t1, 0(t0)
        li      t0, 0x12345             # not equal to the word
        li      t1, 0xBAD
        cas     t0, t1, (s0)
        expect  t0, 0x600D, 115
        expect_word FR_C, 0x600D, 116
        expect_pte PG_C, FR_C + PTE_USER + PTE_A + PTE_D, 117

        # ================================================= gates under paging: parameters are
        # read with the CALLER's ring, the frame written with the TARGET's ring (§8.2)
        clear_exc
        set_pte PG_A, FR_A + PTE_P + PTE_R + PTE_W + 0 * PTE_RING  # ring 0 data
        set_pte PG_B, FR_B + PTE_P + PTE_R + 3 * PTE_RING          # read-only
        tlbflush
        set_gate GATE_FREE, gate_ret, D_P + 0 * D_T + 3 * D_DPL + 1 * D_N
        set_gate GATE_FREE + 1, gate_ret, D_P + 1 * D_T + 3 * D_DPL
        drop_to 3
        li      sp, PG_A + 0x100        # a parameter on a page ring 3 may not read: the ring-0
g1:     callg   GATE_FREE               # callee could, but the read is made as ring 3
        li      sp, STACK3_HOME
        expect_fault 1, PF_R_RING, PG_A + 0x100, g1, 120
        rise_to 0
        li      t0, PG_A + 0x800        # ring 1's stack on a ring-0 page: ring 1 cannot write
        mtcr    sp1, t0
        drop_to 3
g2:     callg   GATE_FREE + 1
        expect_fault 2, PF_W_RING, PG_A + 0x800 - 12, g2, 124
        rise_to 0
        li      t0, PG_B + 0x800        # ring 1's stack on a read-only page
        mtcr    sp1, t0
        drop_to 3
g3:     callg   GATE_FREE + 1
        expect_fault 3, PF_W_PERM, PG_B + 0x800 - 12, g3, 128
        rise_to 0
        # an exception to ring 1 with that stack: the frame push faults -> double fault
        set_vec V_DIVIDE, rec_handler, D_P + 1 * D_T
        drop_to 3
        li      t0, 0
g4:     div     t1, t0, t0
        expect_fault 4, V_DOUBLE_FAULT + (V_DIVIDE << 8), 0, g4, 132
        expect_exc EXC_STATUS, 3 + ST_PG, 136
        rise_to 0
        reset_vec V_DIVIDE
        li      t0, SP1_TOP
        mtcr    sp1, t0
        pass

gate_ret:
        retg

# Vector 4 for the measurement: the count at entry in s11, resume after the access.
bus_quick:
        mfcr    s11, cycle
        lw      t0, 0(sp)
        addi    t0, t0, 4
        sw      t0, 0(sp)
        iret

bad:    li      a0, 999
        j       check_failed
