# draw: paint a test picture on the framebuffer: eight colour bars over a grey ramp.
#
# A program cannot touch the framebuffer memory itself (devices need ring 1 or better); it
# asks the framebuffer driver in ring 1 to fill rectangles, with fbinfo() for the size and
# fbfill(x, y, w, h, 0x00RRGGBB) to paint. Run ringfort with --display window (or
# --screenshot FILE.png) to see the result.

        .include "abi.inc"

        .equ    BARS, 8
        .equ    STEPS, 16               # grey levels in the ramp

        .text
        .global main

# main: draw the bars, then the ramp, then say what was drawn.
main:
        addi    sp, sp, -20
        sw      ra, 16(sp)
        sw      s0, 12(sp)
        sw      s1, 8(sp)
        sw      s2, 4(sp)
        sw      s3, 0(sp)
        call    fbinfo
        bltz    a0, nofb
        mv      s0, a0                  # width
        mv      s1, a1                  # height
        srli    s2, s1, 2               # the bars take the top three quarters
        sub     s2, s1, s2              # s2 = bar height

        li      s3, 0                   # bar i: x = i * width / BARS
1:      mv      a0, s3
        li      a1, BARS
        call    column                  # a0 = x, a1 = w
        la      t0, colours
        slli    t1, s3, 2
        add     t0, t0, t1
        lw      a4, 0(t0)
        mv      a2, a1                  # fbfill(x, 0, w, bar height, colour)
        li      a1, 0
        mv      a3, s2
        call    fbfill
        bltz    a0, fail
        addi    s3, s3, 1
        li      t0, BARS
        blt     s3, t0, 1b

        li      s3, 0                   # step j: grey level j * 17 (0 .. 255)
2:      mv      a0, s3
        li      a1, STEPS
        call    column
        mv      a2, a1                  # w
        li      t0, 17
        mul     t0, s3, t0              # level
        li      t1, 0x010101            # the same level of red, green and blue
        mul     a4, t0, t1
        mv      a1, s2                  # y = bar height
        sub     a3, s1, s2              # h = the rest
        call    fbfill                  # fbfill(x, y, w, h, grey)
        bltz    a0, fail
        addi    s3, s3, 1
        li      t0, STEPS
        blt     s3, t0, 2b

        la      a0, done_fmt
        mv      a1, s0
        mv      a2, s1
        li      a3, BARS
        li      a4, STEPS
        call    printf
        li      a0, 0
        j       9f
nofb:   mv      a1, a0
        la      a0, nofb_text
        call    perror
        li      a0, 1
        j       9f
fail:   mv      a1, a0
        la      a0, fbfill_text
        call    perror
        li      a0, 1
9:      lw      s3, 0(sp)
        lw      s2, 4(sp)
        lw      s1, 8(sp)
        lw      s0, 12(sp)
        lw      ra, 16(sp)
        addi    sp, sp, 20
        ret

# column(i, n) -> a0 = x of column i of n across the screen, a1 = its width. Computing each
# edge as i * width / n makes the columns fill the screen exactly even when n does not
# divide the width. Uses the width in s0.
column:
        mul     t0, a0, s0
        divu    t0, t0, a1              # left edge
        addi    t1, a0, 1
        mul     t1, t1, s0
        divu    t1, t1, a1              # right edge
        mv      a0, t0
        sub     a1, t1, t0
        ret

        .rodata
        .balign 4
colours:                                # the classic test card, left to right
        .word   0xffffff, 0xffff00, 0x00ffff, 0x00ff00
        .word   0xff00ff, 0xff0000, 0x0000ff, 0x000000
done_fmt:
        .ascii  "draw: on the %dx%d framebuffer: %d colour bars (white, yellow, cyan, green,\n"
        .asciz  "magenta, red, blue, black) over a ramp of %d greys\n"
nofb_text:
        .asciz  "draw: fbinfo"
fbfill_text:
        .asciz  "draw: fbfill"
