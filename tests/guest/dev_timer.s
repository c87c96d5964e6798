# dev_timer.s — a periodic timer interrupt arrives at exactly the cycles SPEC §11.4 predicts.
#
# The program arms the timer (periodic, interrupt on) with a store whose start cycle it reads
# just before, then sleeps in `wfi`. The store retires at s0 + 2 (the mfcr) + 6 (sw + MMIO
# latency), so tick k (k = 1, 2, ...) is delivered at  s0 + 8 + k * PERIOD.  The handler
# records the count it sees first thing (delivery + EXCEPTION_ENTRY 12 + the 2 of its mtcr).
#
# Results at DATA_AREA: +0 s0, +4 ticks taken, +16.. the handler's cycle readings (low words).

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    PERIOD, 5000
        .equ    NTICKS, 5
        .equ    R_ARM,   DATA_AREA
        .equ    R_TICKS, DATA_AREA + 4
        .equ    R_LOG,   DATA_AREA + 16

main:
        set_vec V_IRQ0 + IRQ_TIMER, tick, D_P + 3 * D_DPL
        pic_enable IRQ_TIMER
        ints_on
        li      t1, TIMER
        li      t0, PERIOD
        sw      t0, TIMER_PERIOD(t1)
        li      t0, 7                   # enable | periodic | interrupt
        mfcr    s0, cycle
        sw      t0, TIMER_CTRL(t1)      # armed: deadline = s0 + 8 + PERIOD
        li      t2, R_ARM
        sw      s0, 0(t2)
1:      li      t2, R_TICKS
        lw      t3, 0(t2)
        li      t4, NTICKS
        bgeu    t3, t4, 2f
        wfi
        j       1b
2:      li      t1, TIMER
        sw      zero, TIMER_CTRL(t1)    # stop
        lw      t0, TIMER_STATUS(t1)
        expect  t0, 1, 1                # fired
        pass

# Timer interrupt (ring 0): log the cycle, count, EOI.
tick:
        mtcr    scratch0, t0
        mfcr    t0, cycle               # = delivery + 12 + 2
        mtcr    scratch1, t1
        mtcr    scratch2, t2
        li      t1, R_TICKS
        lw      t2, 0(t1)
        addi    t2, t2, 1
        sw      t2, 0(t1)
        slli    t2, t2, 2
        li      t1, R_LOG - 4
        add     t1, t1, t2
        sw      t0, 0(t1)
        li      t1, PIC
        li      t0, IRQ_TIMER
        sw      t0, PIC_EOI(t1)
        mfcr    t2, scratch2
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
