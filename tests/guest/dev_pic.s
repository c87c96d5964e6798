# dev_pic.s — interrupt priorities, masking and in-service blocking with real device lines:
#   line 0 timer (one-shot, short period), line 1 UART (CTRL written with TXIE while the TX
#   FIFO has room raises at once), line 2 disk (a bad command completes at once with an error).
# The handler logs each line it takes (DATA_AREA + 4 * n), acknowledges the device and EOIs.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    R_N, DATA_AREA
        .equ    R_LOG, DATA_AREA + 4
        .equ    R_AGAIN, DATA_AREA + 0x80       # re-raise line 1 from its own handler once

main:
        set_vec V_IRQ0 + 0, isr, D_P + 3 * D_DPL
        set_vec V_IRQ0 + 1, isr, D_P + 3 * D_DPL
        set_vec V_IRQ0 + 2, isr, D_P + 3 * D_DPL
        li      s1, PIC
        # raise all three with interrupts off
        li      t1, TIMER
        li      t0, 10
        sw      t0, TIMER_PERIOD(t1)
        li      t0, 5                   # enable | interrupt, one-shot
        sw      t0, TIMER_CTRL(t1)
1:      lw      t0, TIMER_STATUS(t1)
        beqz    t0, 1b
        li      t1, UART
        li      t0, UC_TXIE
        sw      t0, UART_CTRL(t1)
        li      t1, DISK
        li      t0, 1
        sw      t0, DISK_CTRL(t1)
        li      t0, 9
        sw      t0, DISK_CMD(t1)
        lw      t0, PIC_PENDING(s1)
        expect  t0, 7, 1                # raised, whatever ENABLE says
        # priorities: line 2 highest; lines 0 and 1 tie; line 1 masked
        li      t0, 5
        sw      t0, PIC_PRIO + 4 * 2(s1)
        li      t0, 3
        sw      t0, PIC_PRIO + 4 * 0(s1)
        sw      t0, PIC_PRIO + 4 * 1(s1)
        li      t0, 0x35                # only bits 3:0 are kept
        sw      t0, PIC_PRIO + 4 * 3(s1)
        lw      t0, PIC_PRIO + 4 * 3(s1)
        expect  t0, 5, 2
        li      t0, 0b101
        sw      t0, PIC_ENABLE(s1)
        ints_on
        nop
        ints_off
        expect_word R_N, 2, 3
        expect_word R_LOG + 0, 2, 4     # highest priority first
        expect_word R_LOG + 4, 0, 5
        lw      t0, PIC_PENDING(s1)
        expect  t0, 2, 6                # the masked line waits
        lw      t0, PIC_INSERVICE(s1)
        expect  t0, 0, 7
        # unmask line 1; its handler raises line 1 again while it is in service: delivered
        # once more, after the EOI
        li      t0, 1
        li      t1, R_AGAIN
        sw      t0, 0(t1)
        li      t0, 0b111
        sw      t0, PIC_ENABLE(s1)
        ints_on
        nop
        ints_off
        expect_word R_N, 4, 8
        expect_word R_LOG + 8, 1, 9
        expect_word R_LOG + 12, 1, 10
        # equal priorities: the lower line wins
        sw      zero, PIC_PRIO + 4 * 2(s1)
        sw      zero, PIC_PRIO + 4 * 0(s1)
        sw      zero, PIC_PRIO + 4 * 1(s1)
        li      t1, DISK
        li      t0, 9
        sw      t0, DISK_CMD(t1)        # line 2
        li      t1, UART
        li      t0, UC_TXIE
        sw      t0, UART_CTRL(t1)       # line 1
        ints_on
        nop
        ints_off
        expect_word R_N, 6, 11
        expect_word R_LOG + 16, 1, 12
        expect_word R_LOG + 20, 2, 13
        # EOI of a line not in service, and of a number >= 16, change nothing
        li      t0, 3
        sw      t0, PIC_EOI(s1)
        li      t0, 99
        sw      t0, PIC_EOI(s1)
        lw      t0, PIC_INSERVICE(s1)
        expect  t0, 0, 14
        pass

# Log the line, quiet its device, EOI.
isr:
        mtcr    scratch0, t0
        mtcr    scratch1, t1
        mtcr    scratch2, t2
        mfcr    t0, cause
        andi    t0, t0, 0xff
        addi    t0, t0, -32             # the line
        li      t1, R_N
        lw      t2, 0(t1)
        slli    t2, t2, 2
        add     t2, t2, t1
        sw      t0, 4(t2)               # R_LOG[n] = line
        lw      t2, 0(t1)
        addi    t2, t2, 1
        sw      t2, 0(t1)
        li      t1, 1
        beq     t0, t1, 2f
        li      t1, 2
        beq     t0, t1, 3f
        li      t1, TIMER               # line 0
        li      t2, 1
        sw      t2, TIMER_STATUS(t1)
        j       9f
2:      li      t1, UART                # line 1: TXIE off, or re-raise once
        li      t2, R_AGAIN
        lw      t2, 0(t2)
        beqz    t2, 1f
        li      t2, R_AGAIN
        sw      zero, 0(t2)
        li      t2, UC_TXIE
        sw      t2, UART_CTRL(t1)       # raises line 1 while it is in service
        j       9f
1:      sw      zero, UART_CTRL(t1)
        j       9f
3:      li      t1, DISK
        li      t2, 1
        sw      t2, DISK_ACK(t1)
9:      li      t1, PIC
        sw      t0, PIC_EOI(t1)
        mfcr    t2, scratch2
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
