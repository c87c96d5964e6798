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
        # the probe's mfcr: works in ring 0, else PRIVILEGE raised in the target ring
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

# The gate's entry, in whatever ring the gate names.
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
        mfcr    t0, status              # ring 0: t0 = status (0); else PRIVILEGE, t0 stays -1
        la      tp, probe_status
        sw      t0, 0(tp)
        retg

        .data
        .balign 4
probe_hit:    .word 0
probe_sp:     .word 0
probe_frame:  .space 20
probe_status: .word 0
