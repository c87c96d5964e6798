# dev_window.s — an interactive check of `-display window`: draws a picture (a gradient with
# a white frame), switches the camera on (the window shows its marker), and prints the key code
# of every key pressed in the window on the UART. Pressing `q` switches the camera off and
# powers off with code 0.
#
#   ringfort run tests/guest/dev_window.s -display window        (built with --features window)

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    W, 320
        .equ    H, 200

main:
        li      s1, FBCTL
        li      t0, W
        sw      t0, FB_WIDTH(s1)
        li      t0, H
        sw      t0, FB_HEIGHT(s1)
        # gradient: red = x, green = y, blue = 0x80; a white border
        li      s2, 0                           # y
1:      li      s3, 0                           # x
2:      slli    t1, s3, 16
        andi    t2, s2, 0xff
        slli    t2, t2, 8
        or      t1, t1, t2
        ori     t1, t1, 0x80
        beqz    s2, 3f
        beqz    s3, 3f
        li      t2, H - 1
        beq     s2, t2, 3f
        li      t2, W - 1
        beq     s3, t2, 3f
        j       4f
3:      li      t1, 0xFFFFFF
4:      li      t0, W
        mul     t0, t0, s2
        add     t0, t0, s3
        slli    t0, t0, 2
        li      t2, FB
        add     t0, t0, t2
        sw      t1, 0(t0)
        addi    s3, s3, 1
        li      t0, W
        bne     s3, t0, 2b
        addi    s2, s2, 1
        li      t0, H
        bne     s2, t0, 1b
        # camera on
        li      t1, CAMERA
        li      t0, CC_ON
        sw      t0, CAM_CTRL(t1)
        # keys
        set_vec V_IRQ0 + IRQ_KEYBOARD, kbd_isr, D_P + 3 * D_DPL
        pic_enable IRQ_KEYBOARD
        li      t1, KEYBOARD
        li      t0, 1
        sw      t0, KBD_CTRL(t1)
        ints_on
5:      wfi
        j       5b

kbd_isr:
        li      t1, KEYBOARD
1:      lw      t0, KBD_STATUS(t1)
        andi    t0, t0, 1
        beqz    t0, 3f
        lw      t0, KBD_DATA(t1)
        andi    t2, t0, 0x100
        bnez    t2, 1b                          # releases: ignore
        andi    t0, t0, 0xff
        li      t2, 'q'
        beq     t0, t2, 4f
        li      t2, UART
        sw      t0, UART_DATA(t2)
        j       1b
3:      li      t1, PIC
        li      t0, IRQ_KEYBOARD
        sw      t0, PIC_EOI(t1)
        iret
4:      li      t1, CAMERA
        sw      zero, CAM_CTRL(t1)
        li      t1, UART
        li      t0, '\n'
        sw      t0, UART_DATA(t1)
        li      t1, POWER
        sw      zero, POWER_OFF(t1)
        j       .
