# gate_table.s — every row of SPEC.md §8.4's gate table: a `callg` through a present gate with
# an aligned entry, from each caller ring (0-3), for each DPL (0-3) and target ring (0-3).
#
# Each row drops to the caller ring, pushes two parameter words, and calls gate GATE_FREE,
# which copies 2 parameters into `probe`. For an allowed call the probe (running in the target
# ring) records its sp and the frame it finds there, and tries `mfcr` — which works only in
# ring 0, so the exception log tells which ring it ran in — then returns with `retg`.
# The row then checks, from the caller's ring:
#   * allowed, "same stack": frame right below the caller's sp;
#     allowed, "switch to spT": frame right below the value of control register spT;
#   * the frame: [return pc = callg + 4][caller ring][caller sp][param 0][param 1];
#   * back in the caller's ring with the caller's sp;
#   * refused: GATE_FAULT with the rule as detail (DPL or OUTWARD), frame pc = the callg,
#     faddr 0, raised in the caller's ring; the probe never ran; sp unchanged.
        .include "check.inc"
        .include "ring_table.inc"

        .equ    SAME,   1               # allowed, frame on the caller's stack
        .equ    SWITCH, 2               # allowed, frame below spT
        .equ    DPL,    GF_DPL          # refused
        .equ    OUTW,   GF_OUTWARD      # refused

# row caller, dpl, target, result, id — one cell of the table; checks \id .. \id+19.
        .macro  row caller, dpl, target, result, id
        set_gate GATE_FREE, probe, D_P + (\target) * D_T + (\dpl) * D_DPL + 2 * D_N
        clear_exc
        la      gp, probe_hit
        sw      zero, 0(gp)
        drop_to \caller                 # sp = the caller ring's own stack
        addi    sp, sp, -8
        li      t0, 0x10000 + \id       # parameter words
        sw      t0, 0(sp)
        li      t0, 0x20000 + \id
        sw      t0, 4(sp)
        mv      s1, sp                  # the caller's sp at the callg
.Lcall\@:
        callg   GATE_FREE
        expect_eq sp, s1, \id           # back (or never left) with the caller's sp
        addi    sp, sp, 8
        li      t0, \result
        li      t1, SAME
        beq     t0, t1, .Lok\@
        li      t1, SWITCH
        beq     t0, t1, .Lok\@
        # refused
        expect_word probe_hit, 0, \id+1
        expect_fault 1, \result, 0, .Lcall\@, \id+2
        expect_exc EXC_STATUS, \caller, \id+6
        j       .Ldone\@
.Lok\@:
        expect_word probe_hit, 1, \id+7
        li      t1, SAME
        beq     t0, t1, .Lsame\@
        expect_word probe_sp, SP0_TOP - 0x10000 * (\target) - 20, \id+8
        j       .Lframe\@
.Lsame\@:
        expect_word probe_sp, STACK0_HOME - 0x10000 * (\caller) - 8 - 20, \id+8
.Lframe\@:
        expect_word probe_frame + 0, .Lcall\@ + 4, \id+9
        expect_word probe_frame + 4, \caller, \id+10
        expect_word probe_frame + 8, STACK0_HOME - 0x10000 * (\caller) - 8, \id+11
        expect_word probe_frame + 12, 0x10000 + \id, \id+12
        expect_word probe_frame + 16, 0x20000 + \id, \id+13
        expect_probe_mfcr \target, \id
.Ldone\@:
        rise_to 0
        .endm

main:
        ring_table_rows
        pass

# The gate's entry, in whatever ring the gate names.
probe:  probe_record
        retg

        .data
        probe_data
