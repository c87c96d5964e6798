# dev_fb.s — draws into a 64x48 32-bit framebuffer: a background, a red rectangle, a few
# pixels written with byte and half-word stores; reads pixels back. The test compares the
# screenshot with the same picture computed on the host.
#
#   background 0x00203040; rectangle x 8..23, y 4..11 = 0x00FF0000;
#   pixel (0,0): sb 0xFF into byte 0 -> 0x002030FF; pixel (1,0): sh 0xABCD -> 0x0020ABCD;
#   pixel (63,47) = 0x0000FF00.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    W, 64
        .equ    H, 48

main:
        li      s1, FBCTL
        lw      t0, FB_WIDTH(s1)
        expect  t0, 640, 1                      # reset geometry
        lw      t0, FB_HEIGHT(s1)
        expect  t0, 480, 2
        li      t0, W
        sw      t0, FB_WIDTH(s1)
        li      t0, H
        sw      t0, FB_HEIGHT(s1)
        lw      t0, FB_PITCH(s1)
        expect  t0, W * 4, 3
        lw      t0, FB_CTRL(s1)
        expect  t0, 1, 4                        # display enabled
        # background
        li      t0, FB
        li      t1, 0x00203040
        li      t2, W * H
1:      sw      t1, 0(t0)
        addi    t0, t0, 4
        addi    t2, t2, -1
        bnez    t2, 1b
        # rectangle
        li      s2, 4                           # y
2:      li      s3, 8                           # x
3:      li      t0, W
        mul     t0, t0, s2
        add     t0, t0, s3
        slli    t0, t0, 2
        li      t1, FB
        add     t0, t0, t1
        li      t1, 0x00FF0000
        sw      t1, 0(t0)
        addi    s3, s3, 1
        li      t1, 24
        bne     s3, t1, 3b
        addi    s2, s2, 1
        li      t1, 12
        bne     s2, t1, 2b
        # narrow stores
        li      t0, FB
        li      t1, 0xFF
        sb      t1, 0(t0)
        li      t1, 0xABCD
        sh      t1, 4(t0)
        li      t1, 0x0000FF00
        li      t2, FB + 4 * (W * H - 1)
        sw      t1, 0(t2)
        # read back, every width
        lw      t1, 0(t0)
        expect  t1, 0x002030FF, 5
        lhu     t1, 4(t0)
        expect  t1, 0xABCD, 6
        lbu     t1, 6(t0)
        expect  t1, 0x20, 7
        li      t0, FB + 4 * (W * 5 + 10)
        lw      t1, 0(t0)
        expect  t1, 0x00FF0000, 8
        pass
