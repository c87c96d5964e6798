# gate_rules.s — the details of callg, retg and trap beyond the gate table (§8, §5.12):
# refusals in their order (LIMIT, unreadable descriptor, NOT_PRESENT, DPL, OUTWARD, BAD_ENTRY),
# parameter copying (0 and 15 words), what a gate keeps (IE, PG, every register but sp),
# precise faults on parameter reads and frame writes, retg's refusals (BAD_FRAME before
# RETURN_INWARD), and trap/brk.
        .include "check.inc"

        .equ    G_PROBE,  5             # gate numbers used here
        .equ    G_P15,    6
        .equ    G_P0,     7
        .equ    G_REGS,   8
        .equ    G_T1,     9
        .equ    G_P1T1,   10
        .equ    SENTINEL, 0x5E5E5E5E

main:
        # ================================================= LIMIT: N >= glimit, before any read
        clear_exc
g1:     callg   NGATES
        expect_fault 1, GF_LIMIT, 0, g1, 10
g2:     callg   0xFFFF
        expect_fault 2, GF_LIMIT, 0, g2, 14
        mtcr    glimit, zero            # no gates at all: even gate 0 is over the limit
g3:     callg   GATE_EXIT
        li      t0, NGATES
        mtcr    glimit, t0
        expect_fault 3, GF_LIMIT, 0, g3, 18
        li      t0, 0xC0000000          # limit comes before reading the (unreadable) table
        mtcr    gbase, t0
g4:     callg   NGATES + 1
        la      t0, gates
        mtcr    gbase, t0
        expect_fault 4, GF_LIMIT, 0, g4, 22

        # ================================================= unreadable descriptors: BUS_ERROR,
        # faddr = the descriptor's PHYSICAL address
        clear_exc
        li      t0, 0xC0000000          # not RAM or ROM
        mtcr    gbase, t0
g5:     callg   G_PROBE
        la      t0, gates
        mtcr    gbase, t0
        expect_fault 1, V_BUS_ERROR, 0xC0000000 + 8 * G_PROBE, g5, 30
        la      t0, gates + 2           # not 4-aligned
        mtcr    gbase, t0
g6:     callg   GATE_EXIT
        la      t0, gates
        mtcr    gbase, t0
        expect_fault 2, V_BUS_ERROR, gates + 2, g6, 34
        li      t0, 0x400000 - 4        # word 0 is the last RAM word, word 1 is past RAM
        mtcr    gbase, t0
g7:     callg   GATE_EXIT
        la      t0, gates
        mtcr    gbase, t0
        expect_fault 3, V_BUS_ERROR, 0x400000 - 4, g7, 38
        li      t0, ROM_BASE            # the ROM is readable (all zeros: not present)
        mtcr    gbase, t0
g8:     callg   GATE_EXIT
        la      t0, gates
        mtcr    gbase, t0
        expect_fault 4, GF_NOT_PRESENT, 0, g8, 42

        # ================================================= NOT_PRESENT, DPL, OUTWARD, BAD_ENTRY
        clear_exc
        set_gate G_PROBE, probe, 0 + 3 * D_DPL          # P = 0
        drop_to 3
g9:     callg   G_PROBE
        expect_fault 1, GF_NOT_PRESENT, 0, g9, 50
        rise_to 0
        set_gate G_PROBE, probe, 0 + 0 * D_DPL          # P = 0 and DPL 0: P is checked first
        drop_to 3
g10:    callg   G_PROBE
        expect_fault 2, GF_NOT_PRESENT, 0, g10, 54
        rise_to 0
        set_gate G_PROBE, probe + 2, D_P + 3 * D_DPL    # entry not 4-aligned
        drop_to 3
g11:    callg   G_PROBE
        expect_fault 3, GF_BAD_ENTRY, 0, g11, 58
        expect_exc EXC_STATUS, 3, 62
        rise_to 0
g12:    callg   G_PROBE                                 # also from ring 0
        expect_fault 4, GF_BAD_ENTRY, 0, g12, 63
        set_gate G_PROBE, probe + 1, D_P + 0 * D_DPL    # bad entry and DPL 0: DPL first
        drop_to 3
g13:    callg   G_PROBE
        expect_fault 5, GF_DPL, 0, g13, 67
        rise_to 0
        set_gate G_PROBE, probe + 1, D_P + 2 * D_T + 3 * D_DPL   # bad entry, outward: OUTWARD
        drop_to 1
g14:    callg   G_PROBE
        expect_fault 6, GF_OUTWARD, 0, g14, 71
        rise_to 0
        expect_word probe_hit, 0, 75    # none of them ran the probe

        # ================================================= 15 parameters, ring 3 -> ring 0
        clear_exc
        set_gate G_P15, copy_frame, D_P + 0 * D_T + 3 * D_DPL + 15 * D_N
        drop_to 3
        addi    sp, sp, -60             # parameter i = 0x100 + i, at 4*i(sp)
        li      t0, 0
1:      slli    t1, t0, 2
        add     t1, t1, sp
        addi    t2, t0, 0x100
        sw      t2, 0(t1)
        addi    t0, t0, 1
        li      t1, 15
        bne     t0, t1, 1b
        mv      s1, sp
g15:    callg   G_P15
        expect_eq sp, s1, 100
        addi    sp, sp, 60
        expect_word probe_sp, SP0_TOP - 4 * (3 + 15), 101
        expect_word probe_frame + 0, g15 + 4, 102
        expect_word probe_frame + 4, 3, 103
        expect_word probe_frame + 8, STACK3_HOME - 60, 104
        expect_word probe_frame + 12, 0x100, 105        # parameter 0
        expect_word probe_frame + 12 + 4 * 7, 0x107, 106
        expect_word probe_frame + 12 + 4 * 14, 0x10E, 107   # parameter 14, the last
        expect_word probe_hit, 1, 108
        expect_exc_count 0, 109
        # the caller's parameter words are still on its stack (the caller pops them)
        expect_word STACK3_HOME - 60, 0x100, 110
        expect_word STACK3_HOME - 4, 0x10E, 111

        # ================================================= 0 parameters: a 3-word frame
        rise_to 0
        li      t0, SENTINEL
        li      t1, SP0_TOP - 16        # the word just below where the frame will go
        sw      t0, 0(t1)
        set_gate G_P0, copy_frame, D_P + 0 * D_T + 3 * D_DPL
        drop_to 3
        mv      s1, sp
g16:    callg   G_P0
        expect_eq sp, s1, 120
        expect_word probe_sp, SP0_TOP - 12, 121
        expect_word probe_frame + 0, g16 + 4, 122
        expect_word probe_frame + 4, 3, 123
        expect_word probe_frame + 8, STACK3_HOME, 124
        expect_word SP0_TOP - 16, SENTINEL, 125         # nothing written below the frame

        # ================================================= a gate changes only sp and the ring;
        # IE and PG are kept (ring 0 -> ring 0 with IE set; no interrupt is pending)
        rise_to 0
        set_gate G_REGS, check_regs, D_P + 0 * D_T + 3 * D_DPL
        li      t0, ST_IE
        mtcr    status, t0
        li      a0, 0xA0
        li      a7, 0xA7
        li      t0, 0x70
        li      t6, 0x76
        li      s0, 0x80
        li      s11, 0x8B
        li      ra, 0x01
        mv      s1, sp
        callg   G_REGS                  # check_regs checks all of the above, and status
        expect_cr status, ST_IE, 130    # retg kept IE too
        mtcr    status, zero
        expect  ra, 0x01, 131
        expect  a0, 0xA0, 132
        expect_eq sp, s1, 133

        # ================================================= precise faults on frame accesses
        # ring 3 -> ring 1 gate; the faults are delivered to ring 0 on sp0, so they are not
        # disturbed by the broken ring-1 stack
        clear_exc
        set_gate G_T1, copy_frame, D_P + 1 * D_T + 3 * D_DPL
        set_gate G_P1T1, copy_frame, D_P + 1 * D_T + 3 * D_DPL + 1 * D_N
        la      gp, probe_hit
        sw      zero, 0(gp)
        li      t0, 0xC0000000          # sp1 not in RAM: the first frame word faults
        mtcr    sp1, t0
        drop_to 3
        mv      s1, sp
f1:     callg   G_T1
        expect_eq sp, s1, 140
        expect_fault 1, V_BUS_ERROR, 0xC0000000 - 12, f1, 141
        expect_exc EXC_STATUS, 3, 145   # still ring 3
        rise_to 0
        li      t0, SP1_TOP + 2         # misaligned sp1: MISALIGNED, faddr = the frame address
        mtcr    sp1, t0
        drop_to 3
f2:     callg   G_T1
        expect_fault 2, V_MISALIGNED, SP1_TOP + 2 - 12, f2, 146
        rise_to 0
        li      t0, SENTINEL            # frame straddling the end of RAM: all-or-nothing
        li      t1, 0x400000 - 4
        sw      t0, 0(t1)
        li      t0, 0x400000 + 8        # frame = 0x3FFFFFFC .. 0x400007
        mtcr    sp1, t0
        drop_to 3
f3:     callg   G_T1
        expect_fault 3, V_BUS_ERROR, 0x400000, f3, 150
        expect_word 0x400000 - 4, SENTINEL, 154         # the first word was not written
        # the parameter read comes before the frame writes: caller sp not in RAM
        li      sp, 0xC0000000
f4:     callg   G_P1T1
        li      sp, STACK3_HOME
        expect_fault 4, V_BUS_ERROR, 0xC0000000, f4, 155
        li      sp, STACK3_HOME + 2     # misaligned caller sp with a parameter
f5:     callg   G_P1T1
        li      sp, STACK3_HOME
        expect_fault 5, V_MISALIGNED, STACK3_HOME + 2, f5, 159
        expect_word probe_hit, 0, 163
        rise_to 0
        li      t0, SP1_TOP
        mtcr    sp1, t0

        # ================================================= retg
        clear_exc
        # outward: ring 1 -> ring 3 with a hand-made frame
        drop_to 1
        addi    sp, sp, -12
        la      t0, 2f
        sw      t0, 0(sp)
        li      t0, 3
        sw      t0, 4(sp)
        li      t0, STACK3_HOME - 0x100
        sw      t0, 8(sp)
        retg
        j       bad
2:      expect  sp, STACK3_HOME - 0x100, 200
r0:     mfcr    t0, status              # PRIVILEGE tells the ring: 3
        expect_fault 1, V_PRIVILEGE, r0, r0, 201
        expect_exc EXC_STATUS, 3, 205
        # inward: refused with RETURN_INWARD, nothing changes
        li      sp, STACK3_HOME
        addi    sp, sp, -12
        la      t0, bad
        sw      t0, 0(sp)
        sw      zero, 4(sp)             # ring 0 < CPL 3
        sw      zero, 8(sp)
        mv      s1, sp
r1:     retg
        expect_eq sp, s1, 210
        expect_fault 2, GF_RETURN_INWARD, 0, r1, 211
        expect_exc EXC_STATUS, 3, 215
        li      t0, 2
        sw      t0, 4(sp)               # ring 2 < 3: inward too
r2:     retg
        expect_fault 3, GF_RETURN_INWARD, 0, r2, 216
        li      t0, 4                   # bit 2 set: BAD_FRAME
        sw      t0, 4(sp)
r3:     retg
        expect_fault 4, GF_BAD_FRAME, 0, r3, 220
        li      t0, 0x100               # bad bits and ring 0: BAD_FRAME is checked first
        sw      t0, 4(sp)
r4:     retg
        expect_fault 5, GF_BAD_FRAME, 0, r4, 224
        li      t0, 0x80000003          # a top bit set with ring 3
        sw      t0, 4(sp)
r5:     retg
        expect_fault 6, GF_BAD_FRAME, 0, r5, 228
        expect_eq sp, s1, 232
        # the frame itself unreadable: faults at sp
        li      sp, 0xC0000000
r6:     retg
        li      sp, STACK3_HOME
        expect_fault 7, V_BUS_ERROR, 0xC0000000, r6, 233
        li      sp, STACK3_HOME - 14    # misaligned
r7:     retg
        li      sp, STACK3_HOME
        expect_fault 8, V_MISALIGNED, STACK3_HOME - 14, r7, 237
        # a frame straddling the end of RAM: the third word (sp) is not readable
        li      sp, 0x400000 - 8
r9:     retg
        li      sp, STACK3_HOME
        expect_fault 9, V_BUS_ERROR, 0x400000, r9, 250
        clear_exc
        # same ring is fine; a misaligned return pc faults at the next fetch, in the new ring
        addi    sp, sp, -12
        la      t0, r8 + 2
        sw      t0, 0(sp)
        li      t0, 3
        sw      t0, 4(sp)
        li      t0, STACK3_HOME
        sw      t0, 8(sp)
        resume_at 3f
        retg
r8:     j       bad
3:      expect_fault 1, V_MISALIGNED, r8 + 2, r8 + 2, 241
        expect_exc EXC_STATUS, 3, 245
        expect  sp, STACK3_HOME, 246
        rise_to 0

        # ================================================= trap and brk
        clear_exc
        set_vec 51, probe, 3 * D_DPL                    # not present
        set_vec 52, probe + 2, D_P + 3 * D_DPL          # entry not aligned
        drop_to 3
t1:     trap    51
        expect_fault 1, GF_NOT_PRESENT, 0, t1, 300
t2:     trap    52
        expect_fault 2, GF_BAD_ENTRY, 0, t2, 304
        # a trap to a low vector (DPL 3 here) is delivered with cause = V, frame pc = trap + 4
        resume_at 4f
t3:     trap    0
        j       bad
4:      expect_fault 3, 0, 0, t3 + 4, 308
        rise_to 0
        # brk has no DPL check: vector 8 with DPL 0 still takes brk from ring 3
        set_vec V_BREAKPOINT, rec_handler, D_P + 0 * D_DPL
        drop_to 3
t4:     brk
        expect_fault 4, V_BREAKPOINT, 0, t4 + 4, 312
        expect_exc EXC_STATUS, 3, 316
        # ... but trap 8 is refused by the same DPL
t5:     trap    V_BREAKPOINT
        expect_fault 5, GF_DPL, 0, t5, 317
        rise_to 0
        # brk through a not-present vector 8 is not a gate fault but a double fault
        set_vec V_BREAKPOINT, rec_handler, 0
        resume_at 5f
t6:     brk
        j       bad
5:      expect_fault 6, V_DOUBLE_FAULT + (V_BREAKPOINT << 8), 0, t6 + 4, 321
        reset_vec V_BREAKPOINT
        # trap's unreadable descriptor: BUS_ERROR, faddr = its physical address. Move the
        # vector table so that vector 50 is the first word past RAM (vectors 0-49 copied).
        la      t0, vectors
        li      t1, 0x400000 - 8 * 50
        li      t2, 100                 # words
6:      lw      t3, 0(t0)
        sw      t3, 0(t1)
        addi    t0, t0, 4
        addi    t1, t1, 4
        addi    t2, t2, -1
        bnez    t2, 6b
        li      t0, 0x400000 - 8 * 50
        mtcr    vbase, t0
t7:     trap    50
        la      t0, vectors
        mtcr    vbase, t0
        expect_fault 7, V_BUS_ERROR, 0x400000, t7, 325
        expect_word probe_hit, 0, 329
        pass

bad:    li      a0, 999
        j       check_failed

# Gate entries used above.
probe:  la      tp, probe_hit
        li      t0, 1
        sw      t0, 0(tp)
        retg

# Records sp and the first 18 words at sp (the largest gate frame), then returns.
copy_frame:
        la      tp, probe_hit
        li      t0, 1
        sw      t0, 0(tp)
        la      tp, probe_sp
        sw      sp, 0(tp)
        la      tp, probe_frame
        mv      t1, sp
        li      t2, 18
1:      lw      t0, 0(t1)
        sw      t0, 0(tp)
        addi    t1, t1, 4
        addi    tp, tp, 4
        addi    t2, t2, -1
        bnez    t2, 1b
        retg

# Ring 0, called from ring 0 with IE set: everything but sp must be as the caller left it.
check_regs:
        expect  a0, 0xA0, 400
        expect  a7, 0xA7, 401
        expect  t0, 0x70, 402
        expect  t6, 0x76, 403
        expect  s0, 0x80, 404
        expect  s11, 0x8B, 405
        expect  ra, 0x01, 406
        addi    t1, s1, -12             # same ring: the frame is right below the caller's sp
        expect_eq sp, t1, 407
        expect_cr status, ST_IE, 408    # ring 0, IE kept
        retg

        .data
        .balign 4
probe_hit:    .word 0
probe_sp:     .word 0
probe_frame:  .space 18 * 4
