# parse.s: the shell's command line into words (argv), and a last "&", which asks for the
# background.

        .include "sh.inc"

        .text
        .global parse

# parse(n): the line holds n bytes from read. Make it a C string without its newline, keep a
# copy in argline for spawn, and split line into argv. A last word "&" asks for the
# background: it is dropped from both. Returns a0 = argc, a1 = 1 for "in the background".
parse:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        la      t0, line
        add     t1, t0, a0
        sb      zero, 0(t1)             # line[n] = 0
        lbu     t2, -1(t1)              # drop the newline (the console driver cuts a
        li      t3, '\n'                # line that is too long and keeps room for it)
        bne     t2, t3, 1f
        sb      zero, -1(t1)
1:      la      a0, argline
        la      a1, line
        call    strcpy
        la      a0, line
        la      a1, argv
        li      a2, ARGV_MAX
        call    split
        mv      s0, a0                  # argc
        li      a1, 0
        beqz    s0, 9f
        la      t0, argv                # is the last word "&"?
        slli    t1, s0, 2
        add     t1, t1, t0
        lw      t2, -4(t1)
        lbu     t3, 0(t2)
        li      t4, '&'
        bne     t3, t4, 3f
        lbu     t3, 1(t2)
        bnez    t3, 3f
        addi    s0, s0, -1              # yes: forget it
        la      a0, argline             # and cut argline at the last '&'
        call    cut_at_last_amp
        li      a1, 1
3:      la      t0, argv                # argv[argc] = 0
        slli    t1, s0, 2
        add     t1, t1, t0
        sw      zero, 0(t1)
        mv      a0, s0
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# cut_at_last_amp(s): end the string s at its last '&'.
cut_at_last_amp:
        li      t0, 0                   # the last '&' seen
        li      t2, '&'
1:      lbu     t1, 0(a0)
        beqz    t1, 2f
        bne     t1, t2, 3f
        mv      t0, a0
3:      addi    a0, a0, 1
        j       1b
2:      beqz    t0, 4f
        sb      zero, 0(t0)
4:      ret
