# branches.s — every conditional branch (§5.8) taken and not taken, including the cases
# where signed and unsigned comparison disagree, and branch offsets backwards and forwards.
        .include "check.inc"

# br_taken op, a, b, id: `op a, b` (a and b loaded into t0, t1) must branch.
        .macro  br_taken op, a, b, id
        li      t0, \a
        li      t1, \b
        \op     t0, t1, .Ltaken\@
        li      a0, \id                 # fell through: fail
        j       check_failed
.Ltaken\@:
        .endm

# br_not op, a, b, id: `op a, b` must fall through.
        .macro  br_not op, a, b, id
        li      t0, \a
        li      t1, \b
        \op     t0, t1, .Lwrong\@
        j       .Lnext\@
.Lwrong\@:
        li      a0, \id
        j       check_failed
.Lnext\@:
        .endm

main:
        br_taken beq, 5, 5, 1
        br_not   beq, 5, 6, 2
        br_taken beq, 0x80000000, 0x80000000, 3
        br_not   beq, 0, 0x80000000, 4

        br_taken bne, 5, 6, 10
        br_not   bne, 7, 7, 11
        br_taken bne, 0xFFFFFFFF, 0x7FFFFFFF, 12

        br_taken blt, -1, 0, 20         # signed: -1 < 0
        br_not   blt, 0, -1, 21
        br_not   blt, 3, 3, 22          # strict
        br_taken blt, 0x80000000, 0x7FFFFFFF, 23
        br_not   blt, 0x7FFFFFFF, 0x80000000, 24

        br_taken bge, 0, -1, 30
        br_taken bge, 3, 3, 31          # equal counts
        br_not   bge, -1, 0, 32
        br_taken bge, 0x7FFFFFFF, 0x80000000, 33

        br_taken bltu, 0, 0xFFFFFFFF, 40        # unsigned: 0 < 0xFFFFFFFF
        br_not   bltu, 0xFFFFFFFF, 0, 41        # (signed it would be taken)
        br_not   bltu, 9, 9, 42
        br_taken bltu, 0x7FFFFFFF, 0x80000000, 43

        br_taken bgeu, 0xFFFFFFFF, 0, 50
        br_not   bgeu, 0, 0xFFFFFFFF, 51        # (signed it would be taken)
        br_taken bgeu, 9, 9, 52
        br_not   bgeu, 0x7FFFFFFF, 0x80000000, 53

        # ---- branches compare registers, r0 included
        li      t0, 0
        beq     t0, zero, 1f
        li      a0, 60
        j       check_failed
1:
        # ---- a backward branch: count down a loop
        li      t0, 5
        li      t1, 0
2:      addi    t1, t1, 1
        addi    t0, t0, -1
        bne     t0, zero, 2b
        expect  t1, 5, 61

        # ---- the target is relative to the branch itself: `beq zero, zero, .+8` skips one
        beq     zero, zero, . + 8
        j       bad
        # a branch to itself would spin; `. + 4` is the next instruction either way
        li      t2, 0
        beq     zero, zero, . + 4
        addi    t2, t2, 1
        expect  t2, 1, 62
        pass

bad:    li      a0, 63
        j       check_failed
