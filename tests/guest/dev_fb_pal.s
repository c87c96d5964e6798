# dev_fb_pal.s — 8-bit palette mode: a 32x16 picture of four vertical stripes (indices 1..4,
# 8 pixels wide each), palette 1 red, 2 green, 3 blue, 4 = 0x00123456 (set through the
# auto-incrementing PAL_DATA); index 0 (untouched memory) keeps its reset grey 0.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    W, 32
        .equ    H, 16

main:
        li      s1, FBCTL
        li      t0, W
        sw      t0, FB_WIDTH(s1)
        li      t0, H
        sw      t0, FB_HEIGHT(s1)
        li      t0, 1
        sw      t0, FB_MODE(s1)
        lw      t0, FB_PITCH(s1)
        expect  t0, W, 1
        li      t0, 1
        sw      t0, FB_PAL_INDEX(s1)
        li      t0, 0xFF0000
        sw      t0, FB_PAL_DATA(s1)
        li      t0, 0x00FF00
        sw      t0, FB_PAL_DATA(s1)
        li      t0, 0x0000FF
        sw      t0, FB_PAL_DATA(s1)
        li      t0, 0x123456
        sw      t0, FB_PAL_DATA(s1)
        lw      t0, FB_PAL_INDEX(s1)
        expect  t0, 5, 2
        li      t0, 2
        sw      t0, FB_PAL_INDEX(s1)
        lw      t0, FB_PAL_DATA(s1)
        expect  t0, 0x00FF00, 3
        lw      t0, FB_PAL_INDEX(s1)
        expect  t0, 2, 4                        # reads do not advance
        # stripes, skipping row 0 (left as index 0)
        li      s2, 1                           # y
1:      li      s3, 0                           # x
2:      srli    t1, s3, 3
        addi    t1, t1, 1                       # index = x / 8 + 1
        li      t0, W
        mul     t0, t0, s2
        add     t0, t0, s3
        li      t2, FB
        add     t0, t0, t2
        sb      t1, 0(t0)
        addi    s3, s3, 1
        li      t0, W
        bne     s3, t0, 2b
        addi    s2, s2, 1
        li      t0, H
        bne     s2, t0, 1b
        pass
