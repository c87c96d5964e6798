# Console output for the boot ROM: the UART, polled (no interrupts exist yet).

        .include "machine.inc"

        .text
# rom_puts(a0 = NUL-terminated string): writes it to the UART.
        .global rom_puts
rom_puts:
        li      t0, UART
1:      lbu     t1, 0(a0)
        beqz    t1, 2f
        sw      t1, UART_DATA(t0)               # waits while the transmit FIFO is full
        addi    a0, a0, 1
        j       1b
2:      ret

# rom_putdec(a0 = unsigned number): writes it in decimal.
        .global rom_putdec
rom_putdec:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        addi    t2, sp, 11                      # digits go backwards from sp+10; sp+11 = NUL
        sb      zero, 0(t2)
        li      t1, 10
1:      remu    t0, a0, t1
        divu    a0, a0, t1
        addi    t0, t0, '0'
        addi    t2, t2, -1
        sb      t0, 0(t2)
        bnez    a0, 1b
        mv      a0, t2
        call    rom_puts
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret
