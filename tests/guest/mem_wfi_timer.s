# mem_wfi_timer.s — sleeps in `wfi` forever, woken by a fast periodic timer.
        .include "check.inc"
        .include "dev_regs.inc"
main:   set_vec V_IRQ0 + IRQ_TIMER, tick, D_P
        pic_enable IRQ_TIMER
        ints_on
        li      t1, TIMER
        li      t0, 500
        sw      t0, TIMER_PERIOD(t1)
        li      t0, 7                   # enable | periodic | interrupt
        sw      t0, TIMER_CTRL(t1)
1:      wfi
        j       1b

# Timer interrupt: acknowledge it at the timer and the PIC.
tick:   mtcr    scratch0, t0
        mtcr    scratch1, t1
        li      t1, TIMER
        sw      zero, TIMER_STATUS(t1)
        li      t1, PIC
        li      t0, IRQ_TIMER
        sw      t0, PIC_EOI(t1)
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
