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
        .include "ring_table.inc"

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
        expect_probe_mfcr \target, \id
.Ldone\@:
        rise_to 0
        .endm

main:
        ring_table_rows
        pass

# The vector's handler, in its target ring.
probe:  probe_record
        # exception frame [pc][status][cause][faddr][old sp] -> retg frame [pc][ring][sp]
        lw      t0, 0(sp)
        sw      t0, 8(sp)               # pc over cause
        lw      t0, 4(sp)
        andi    t0, t0, 3
        sw      t0, 12(sp)              # ring over faddr; old sp already at +16
        addi    sp, sp, 8
        retg

        .data
        probe_data
