# dev_uart_flood.s — UART FIFOs under pressure. The test injects 100 bytes at cycle 0, more
# than the 16-byte RX FIFO holds: the rest is held, not dropped. The program waits until the
# FIFO is full, then reads everything (to DATA_AREA + 0x100), then sends it all back without
# looking at STATUS (stores to a full TX FIFO wait), then checks the TX-space interrupt.
#
# DATA_AREA: +0 bytes read, +4 TX-space interrupts taken; +0x100.. the bytes.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    N, 100
        .equ    R_COUNT, DATA_AREA
        .equ    R_TXIRQ, DATA_AREA + 4
        .equ    BUF, DATA_AREA + 0x100

main:
        li      s1, UART
        # wait until the RX FIFO is full (16 byte times and a bit)
1:      lw      t0, UART_RXCOUNT(s1)
        li      t1, 16
        bne     t0, t1, 1b
        lw      t0, UART_STATUS(s1)
        andi    t0, t0, US_RX_HELD
        expect  t0, US_RX_HELD, 1       # more input waiting beyond the FIFO
        # read all N bytes
        li      s2, BUF
        li      s3, 0
2:      lw      t0, UART_STATUS(s1)
        andi    t0, t0, US_RX_READY
        beqz    t0, 2b
        lw      t0, UART_DATA(s1)
        add     t1, s2, s3
        sb      t0, 0(t1)
        addi    s3, s3, 1
        li      t1, N
        bne     s3, t1, 2b
        li      t1, R_COUNT
        sw      s3, 0(t1)
        lw      t0, UART_STATUS(s1)
        expect  t0, US_TX_SPACE + US_TX_EMPTY, 2   # nothing more received, nothing held
        set_vec V_IRQ0 + IRQ_UART, tx_isr, D_P + 3 * D_DPL
        pic_enable IRQ_UART
        # send them all back, blind
        li      s3, 0
3:      add     t1, s2, s3
        lbu     t0, 0(t1)
        sw      t0, UART_DATA(s1)
        addi    s3, s3, 1
        li      t1, N
        bne     s3, t1, 3b
        # TX-space interrupt: taken when the next byte leaves (a byte time after the store)
        li      t0, UC_TXIE
        sw      t0, UART_CTRL(s1)       # FIFO full: nothing raised yet
        lw      t0, UART_TXCOUNT(s1)
        expect  t0, 16, 3               # the FIFO is still full
        li      t1, PIC
        lw      t0, PIC_PENDING(t1)
        expect  t0, 0, 4
        ints_on
5:      li      t1, R_TXIRQ
        lw      t0, 0(t1)
        bnez    t0, 6f
        wfi
        j       5b
6:      expect  t0, 1, 5
        # wait for the line to go idle
4:      lw      t0, UART_STATUS(s1)
        andi    t0, t0, US_TX_EMPTY
        beqz    t0, 4b
        pass

# TX space: count it, switch the interrupt off, EOI.
tx_isr:
        mtcr    scratch0, t0
        mtcr    scratch1, t1
        li      t1, R_TXIRQ
        lw      t0, 0(t1)
        addi    t0, t0, 1
        sw      t0, 0(t1)
        li      t1, UART
        sw      zero, UART_CTRL(t1)
        li      t1, PIC
        li      t0, IRQ_UART
        sw      t0, PIC_EOI(t1)
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
