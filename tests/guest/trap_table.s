# trap_table.s — `trap V` (§5.12) follows the same table as callg (§8.4, "the same table
# applies to trap V, minus LIMIT and without parameters"): for each caller ring, vector DPL
# and vector target ring, the trap is delivered (exception frame on the caller's stack or
# below spT) or refused with GATE_FAULT(DPL / OUTWARD) at the trap itself.
#
# A delivered trap pushes the 5-word exception frame [pc = trap + 4][old status][cause = V]
# [faddr 0][old sp]. The probe handler (running in the vector's target ring, where `iret` may be
# privileged) records sp and the frame, tries `mfcr` (works only in ring 0), then turns the
# frame into a `retg` frame [pc][ring][sp] and returns with retg.
        .include "check.inc"

        .equ    SAME,   1
        .equ    SWITCH, 2
        .equ    DPL,    GF_DPL
        .equ    OUTW,   GF_OUTWARD
        .equ    VEC,    50              # the vector under test

        .macro  row caller, dpl, target, result, id
        set_vec VEC, probe, D_P + (\target) * D_T + (\dpl) * D_DPL
        clear_exc
        la      gp, probe_hit
        sw      zero, 0(gp)
        drop_to \caller
        mv      s1, sp
.Ltrap\@:
        trap    VEC
        expect_eq sp, s1, \id
        li      t0, \result
        li      t1, SAME
        beq     t0, t1, .Lok\@
        li      t1, SWITCH
        beq     t0, t1, .Lok\@
        expect_word probe_hit, 0, \id+1
        expect_fault 1, \result, 0, .Ltrap\@, \id+2     # frame pc = the trap itself
        expect_exc EXC_STATUS, \caller, \id+6
        j       .Ldone\@
.Lok\@:
        expect_word probe_hit, 1, \id+7
        li      t1, SAME
        beq     t0, t1, .Lsame\@
        expect_word probe_sp, SP0_TOP - 0x10000 * (\target) - 20, \id+8
        j       .Lframe\@
.Lsame\@:
        expect_word probe_sp, STACK0_HOME - 0x10000 * (\caller) - 20, \id+8
.Lframe\@:
        expect_word probe_frame + 0, .Ltrap\@ + 4, \id+9        # the next instruction
        expect_word probe_frame + 4, \caller, \id+10            # old status: ring, IE 0, PG 0
        expect_word probe_frame + 8, VEC, \id+11                # cause: vector, detail 0
        expect_word probe_frame + 12, 0, \id+12                 # faddr 0
        expect_word probe_frame + 16, STACK0_HOME - 0x10000 * (\caller), \id+13
        expect_exc_count (\target != 0), \id+14
        expect_word probe_status, 0xFFFFFFFF * (\target != 0), \id+15
        li      t0, \target
        beqz    t0, .Ldone\@
        expect_exc EXC_CAUSE, V_PRIVILEGE, \id+16
        expect_exc EXC_STATUS, \target, \id+17
.Ldone\@:
        rise_to 0
        .endm

main:
        #    caller DPL target result    id
        row     0,  0,  0,  SAME,     1000
        row     0,  0,  1,  OUTW,     1020
        row     0,  0,  2,  OUTW,     1040
        row     0,  0,  3,  OUTW,     1060
        row     0,  1,  0,  SAME,     1080
        row     0,  1,  1,  OUTW,     1100
        row     0,  1,  2,  OUTW,     1120
        row     0,  1,  3,  OUTW,     1140
        row     0,  2,  0,  SAME,     1160
        row     0,  2,  1,  OUTW,     1180
        row     0,  2,  2,  OUTW,     1200
        row     0,  2,  3,  OUTW,     1220
        row     0,  3,  0,  SAME,     1240
        row     0,  3,  1,  OUTW,     1260
        row     0,  3,  2,  OUTW,     1280
        row     0,  3,  3,  OUTW,     1300

        row     1,  0,  0,  DPL,      2000
        row     1,  0,  1,  DPL,      2020
        row     1,  0,  2,  DPL,      2040
        row     1,  0,  3,  DPL,      2060
        row     1,  1,  0,  SWITCH,   2080
        row     1,  1,  1,  SAME,     2100
        row     1,  1,  2,  OUTW,     2120
        row     1,  1,  3,  OUTW,     2140
        row     1,  2,  0,  SWITCH,   2160
        row     1,  2,  1,  SAME,     2180
        row     1,  2,  2,  OUTW,     2200
        row     1,  2,  3,  OUTW,     2220
        row     1,  3,  0,  SWITCH,   2240
        row     1,  3,  1,  SAME,     2260
        row     1,  3,  2,  OUTW,     2280
        row     1,  3,  3,  OUTW,     2300

        row     2,  0,  0,  DPL,      3000
        row     2,  0,  1,  DPL,      3020
        row     2,  0,  2,  DPL,      3040
        row     2,  0,  3,  DPL,      3060
        row     2,  1,  0,  DPL,      3080
        row     2,  1,  1,  DPL,      3100
        row     2,  1,  2,  DPL,      3120
        row     2,  1,  3,  DPL,      3140
        row     2,  2,  0,  SWITCH,   3160
        row     2,  2,  1,  SWITCH,   3180
        row     2,  2,  2,  SAME,     3200
        row     2,  2,  3,  OUTW,     3220
        row     2,  3,  0,  SWITCH,   3240
        row     2,  3,  1,  SWITCH,   3260
        row     2,  3,  2,  SAME,     3280
        row     2,  3,  3,  OUTW,     3300

        row     3,  0,  0,  DPL,      4000
        row     3,  0,  1,  DPL,      4020
        row     3,  0,  2,  DPL,      4040
        row     3,  0,  3,  DPL,      4060
        row     3,  1,  0,  DPL,      4080
        row     3,  1,  1,  DPL,      4100
        row     3,  1,  2,  DPL,      4120
        row     3,  1,  3,  DPL,      4140
        row     3,  2,  0,  DPL,      4160
        row     3,  2,  1,  DPL,      4180
        row     3,  2,  2,  DPL,      4200
        row     3,  2,  3,  DPL,      4220
        row     3,  3,  0,  SWITCH,   4240
        row     3,  3,  1,  SWITCH,   4260
        row     3,  3,  2,  SWITCH,   4280
        row     3,  3,  3,  SAME,     4300
        pass

# The vector's handler, in its target ring.
probe:  la      tp, probe_hit
        li      t0, 1
        sw      t0, 0(tp)
        la      tp, probe_sp
        sw      sp, 0(tp)
        la      tp, probe_frame
        lw      t0, 0(sp)
        sw      t0, 0(tp)
        lw      t0, 4(sp)
        sw      t0, 4(tp)
        lw      t0, 8(sp)
        sw      t0, 8(tp)
        lw      t0, 12(sp)
        sw      t0, 12(tp)
        lw      t0, 16(sp)
        sw      t0, 16(tp)
        li      t0, -1
        mfcr    t0, status
        la      tp, probe_status
        sw      t0, 0(tp)
        # exception frame [pc][status][cause][faddr][old sp] -> retg frame [pc][ring][sp]
        lw      t0, 0(sp)
        sw      t0, 8(sp)               # pc over cause
        lw      t0, 4(sp)
        andi    t0, t0, 3
        sw      t0, 12(sp)              # ring over faddr; old sp already at +16
        addi    sp, sp, 8
        retg

        .data
        .balign 4
probe_hit:    .word 0
probe_sp:     .word 0
probe_frame:  .space 20
probe_status: .word 0
