# mem_uart_loop.s — writes the UART forever (stalling on the full FIFO at the line's rate).
        .include "check.inc"
main:   li      t0, UART
        li      t1, '.'
1:      sw      t1, 0(t0)
        j       1b
