# dev_keyboard.s — key events (injected by the test: 'a' pressed and released, then a burst of
# 20 presses of 'b', more than the 16-event FIFO) arrive by interrupt; none is lost.
# DATA_AREA: +0 events read; +4.. the event words.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    N, 22
        .equ    R_N, DATA_AREA
        .equ    R_LOG, DATA_AREA + 4

main:
        set_vec V_IRQ0 + IRQ_KEYBOARD, kbd_isr, D_P + 3 * D_DPL
        pic_enable IRQ_KEYBOARD
        li      t1, KEYBOARD
        lw      t0, KBD_DATA(t1)
        expect  t0, 0, 1                # nothing yet
        li      t0, 1
        sw      t0, KBD_CTRL(t1)
        ints_on
1:      li      t1, R_N
        lw      t0, 0(t1)
        li      t2, N
        bgeu    t0, t2, 2f
        wfi
        j       1b
2:      ints_off
        expect_word R_N, N, 2
        expect_word R_LOG + 0, 0x80000061, 3        # 'a' pressed
        expect_word R_LOG + 4, 0x80000161, 4        # 'a' released
        expect_word R_LOG + 8, 0x80000062, 5        # 'b' ...
        expect_word R_LOG + 4 * 21, 0x80000062, 6
        pass

kbd_isr:
        mtcr    scratch0, t0
        mtcr    scratch1, t1
        mtcr    scratch2, t2
1:      li      t1, KEYBOARD
        lw      t0, KBD_STATUS(t1)
        andi    t0, t0, 1
        beqz    t0, 2f
        lw      t0, KBD_DATA(t1)
        li      t1, R_N
        lw      t2, 0(t1)
        addi    t2, t2, 1
        sw      t2, 0(t1)
        slli    t2, t2, 2
        add     t2, t2, t1
        sw      t0, 0(t2)               # R_LOG[n] (R_N + 4 * (n + 1))
        j       1b
2:      li      t1, PIC
        li      t0, IRQ_KEYBOARD
        sw      t0, PIC_EOI(t1)
        mfcr    t2, scratch2
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
