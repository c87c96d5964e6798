# dev_reset.s — POWER.RESET resets the devices (SPEC §13) but not RAM: the first pass arms the
# timer, enables PIC lines and the UART's RX interrupt, notes the RTC time and resets; the second
# pass (told apart by a RAM flag) finds every device back in its reset state and the clock
# still running forward.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    R_FLAG, DATA_AREA
        .equ    R_TIME, DATA_AREA + 4

main:
        li      t1, R_FLAG
        lw      t0, 0(t1)
        bnez    t0, second
        li      t0, 1
        sw      t0, 0(t1)
        li      t1, UART
        li      t0, 'R'
        sw      t0, UART_DATA(t1)
        li      t0, UC_RXIE
        sw      t0, UART_CTRL(t1)
        li      t1, TIMER
        li      t0, 1000
        sw      t0, TIMER_PERIOD(t1)
        li      t0, 7
        sw      t0, TIMER_CTRL(t1)
        li      t1, PIC
        li      t0, 0xffff
        sw      t0, PIC_ENABLE(t1)
        li      t1, RTC
        lw      t0, RTC_SECONDS_LO(t1)
        lw      t0, RTC_NANOS(t1)
        li      t1, R_TIME
        sw      t0, 0(t1)
        li      t1, POWER
        li      t0, 1
        sw      t0, POWER_RESET(t1)
        li      a0, 99                  # not reached
        j       check_failed

second:
        li      t1, TIMER
        lw      t0, TIMER_CTRL(t1)
        expect  t0, 0, 1
        li      t1, PIC
        lw      t0, PIC_ENABLE(t1)
        expect  t0, 0, 2
        lw      t0, PIC_PENDING(t1)
        expect  t0, 0, 3
        li      t1, UART
        lw      t0, UART_CTRL(t1)
        expect  t0, 0, 4
        li      t1, RTC
        lw      t0, RTC_SECONDS_LO(t1)
        lw      t0, RTC_NANOS(t1)
        li      t1, R_TIME
        lw      t1, 0(t1)
        sltu    t0, t1, t0              # later than before the reset
        expect  t0, 1, 5
        mfcr    t0, cycle
        li      t1, 10000
        sltu    t0, t0, t1              # while the cycle counter restarted
        expect  t0, 1, 6
        li      t1, UART
        li      t0, 'S'
        sw      t0, UART_DATA(t1)
        pass
