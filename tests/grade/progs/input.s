# Echoes its serial input, upper-cased, until a newline; exit value: the bytes read.
        .text
        .global _start
_start: li      t0, 0xF0002000          # UART: DATA at 0, STATUS at 4
        li      a0, 0
1:      lw      t1, 4(t0)
        andi    t1, t1, 1               # RX ready
        beqz    t1, 1b
        lw      t2, 0(t0)
        addi    a0, a0, 1
        li      t3, 10
        beq     t2, t3, 2f
        addi    t2, t2, -32
2:      sw      t2, 0(t0)
        bne     t2, t3, 1b
        halt
