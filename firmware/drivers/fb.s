# The framebuffer driver (ring 1): its size, and filling rectangles, for programs (gate DPL 3).
# 32 bits per pixel, 0x00RRGGBB.

        .include "machine.inc"
        .include "layout.inc"
        .include "abi.inc"

        .section .drv.text, "ax"
# fbinfo() gate -> a0 = width, a1 = height.
        .global fb_info
fb_info:
        li      t0, FBCTL
        lw      a0, FB_WIDTH(t0)
        lw      a1, FB_HEIGHT(t0)
        retg

# fbfill(a0 = x, a1 = y, a2 = width, a3 = height, a4 = colour) gate -> 0, or E_INVAL when the
# rectangle is not inside the screen (or not inside the part the kernel maps).
        .global fb_fill
fb_fill:
        li      t0, FBCTL
        lw      t1, FB_WIDTH(t0)
        lw      t2, FB_HEIGHT(t0)
        lw      t3, FB_PITCH(t0)
        add     t4, a0, a2                      # right edge
        bltu    t4, a0, 9f
        bltu    t1, t4, 9f
        add     t4, a1, a3                      # bottom edge
        bltu    t4, a1, 9f
        bltu    t2, t4, 9f
        mul     t5, t4, t3                      # the last byte used must be in the mapped pages
        li      t6, FB_PAGES * PAGE_SIZE
        bltu    t6, t5, 9f
        mul     t5, a1, t3                      # first row
        li      t6, FB_BASE
        add     t5, t5, t6
        slli    t6, a0, 2
        add     t5, t5, t6                      # t5 = first pixel of the row
1:      beqz    a3, 8f
        mv      t6, t5
        mv      t4, a2
2:      beqz    t4, 3f
        sw      a4, 0(t6)
        addi    t6, t6, 4
        addi    t4, t4, -1
        j       2b
3:      add     t5, t5, t3
        addi    a3, a3, -1
        j       1b
8:      li      a0, 0
        retg
9:      li      a0, E_INVAL
        retg
