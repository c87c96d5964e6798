# dev_rtc.s — the real-time clock with base 2026-01-01T00:00:00Z (1767225600, set by the test
# or `-rtc base=2026-01-01T00:00:00`): time = base + cycles / 100 MHz. An alarm two seconds
# after the base interrupts at exactly cycle 200,000,000 (the test checks the delivery).

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    BASE, 1767225600
        .equ    R_FIRED, DATA_AREA

main:
        li      s1, RTC
        lw      t0, RTC_CLOCK_HZ(s1)
        expect  t0, 100000000, 1
        lw      t0, RTC_SECONDS_LO(s1)  # latches HI and NANOS
        expect  t0, BASE, 2
        lw      t0, RTC_SECONDS_HI(s1)
        expect  t0, 0, 3
        lw      t1, RTC_NANOS(s1)
        li      t2, 1000000
        sltu    t0, t1, t2              # well under a millisecond into the run
        expect  t0, 1, 4
        beqz    t1, 9f                  # and not zero: cycles have passed
        # alarm at BASE + 2
        set_vec V_IRQ0 + IRQ_RTC, alarm, D_P + 3 * D_DPL
        pic_enable IRQ_RTC
        li      t0, BASE + 2
        sw      t0, RTC_ALARM_LO(s1)
        sw      zero, RTC_ALARM_HI(s1)
        li      t0, 1
        sw      t0, RTC_CTRL(s1)
        ints_on
1:      li      t1, R_FIRED
        lw      t0, 0(t1)
        bnez    t0, 2f
        wfi
        j       1b
2:      ints_off
        lw      t0, RTC_SECONDS_LO(s1)
        expect  t0, BASE + 2, 5
        lw      t0, RTC_CTRL(s1)
        expect  t0, 0, 6                # one-shot: disarmed
        lw      t0, RTC_STATUS(s1)
        expect  t0, 1, 7
        li      t0, 1
        sw      t0, RTC_STATUS(s1)      # write 1 to clear
        lw      t0, RTC_STATUS(s1)
        expect  t0, 0, 8
        pass
9:      li      a0, 10
        j       check_failed

alarm:
        mtcr    scratch0, t0
        mtcr    scratch1, t1
        li      t1, R_FIRED
        li      t0, 1
        sw      t0, 0(t1)
        li      t1, PIC
        li      t0, IRQ_RTC
        sw      t0, PIC_EOI(t1)
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
