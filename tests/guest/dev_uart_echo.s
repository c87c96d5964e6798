# dev_uart_echo.s — interrupt-driven echo: every byte received on the UART is sent back, until
# an EOT (0x04) arrives; then the program passes (exit code 0). Used with injected input, with
# piped standard input (`-serial stdio`) and with a TCP client (`-serial tcp:...`).

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    R_DONE, DATA_AREA

main:
        set_vec V_IRQ0 + IRQ_UART, uart_isr, D_P + 3 * D_DPL
        pic_enable IRQ_UART
        li      t1, UART
        li      t0, UC_RXIE
        sw      t0, UART_CTRL(t1)
        ints_on
1:      li      t2, R_DONE
        lw      t3, 0(t2)
        bnez    t3, 2f
        wfi
        j       1b
2:      pass

# UART interrupt: drain the RX FIFO, echoing; EOT ends the program.
uart_isr:
        mtcr    scratch0, t0
        mtcr    scratch1, t1
        mtcr    scratch2, t2
        li      t1, UART
1:      lw      t0, UART_STATUS(t1)
        andi    t0, t0, US_RX_READY
        beqz    t0, 3f
        lw      t0, UART_DATA(t1)
        li      t2, 4
        beq     t0, t2, 2f
        sw      t0, UART_DATA(t1)       # waits while the TX FIFO is full
        j       1b
2:      li      t2, R_DONE
        sw      t0, 0(t2)
        j       1b
3:      li      t1, PIC
        li      t0, IRQ_UART
        sw      t0, PIC_EOI(t1)
        mfcr    t2, scratch2
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
