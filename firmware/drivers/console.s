# The console driver (ring 1): the UART.
#
# Output is written straight to the transmit FIFO (the UART holds the CPU while it is full).
# Input is interrupt-driven: on each receive interrupt the kernel calls cons_intr, which moves
# the received bytes into this driver's buffer at once -- so Ctrl-C stops the foreground
# program even while nobody reads. cons_read takes bytes from the buffer and, when it is empty,
# sleeps until the next receive interrupt (gate K_IRQWAIT). It edits the line as it comes
# (echo, backspace) and hands it over when Enter is pressed, like a terminal in cooked mode.

        .include "machine.inc"
        .include "abi.inc"
        .include "lock.inc"

        .equ    CTRL_C, 3
        .equ    CTRL_D, 4
        .equ    BACKSPACE, 8
        .equ    DEL, 0x7F
        .equ    BUF_SIZE, 256                   # a power of two (the indices wrap with a mask)

        .section .drv.text, "ax"
# cons_putc(a0 = byte): also the kernel's way to print (it calls this directly).
        .global cons_putc
cons_putc:
        li      t0, UART
        sw      a0, UART_DATA(t0)
        ret

# cons_init(): a receive interrupt for each byte that arrives.
        .global cons_init
cons_init:
        li      t0, UART
        li      t1, UC_RXIE
        sw      t1, UART_CTRL(t0)
        ret

# cons_intr() -> a0 = 1 if Ctrl-C was typed: called by the kernel (ring 0, interrupts off) on
# the receive interrupt. Moves the received bytes into the buffer; a full buffer leaves them
# in the UART, which holds the line until they are read (no byte is lost). Ctrl-C is not
# stored but reported: the kernel stops the foreground program (cons_echo_ctrlc) or, with
# nobody in the foreground, cancels the line being typed (cons_cancel).
# Only this routine advances `tail`, only cons_read advances `head`; the indices run freely
# (mod 2^32) and the buffer is empty when they are equal.
        .global cons_intr
cons_intr:
        li      t0, UART
        li      a0, 0
1:      lw      t1, tail
        lw      t2, head
        sub     t2, t1, t2
        li      t3, BUF_SIZE
        bgeu    t2, t3, 9f                      # full
        lw      t2, UART_STATUS(t0)
        andi    t2, t2, US_RX_READY
        beqz    t2, 9f
        lw      t2, UART_DATA(t0)
        li      t3, CTRL_C
        bne     t2, t3, 2f
        li      a0, 1
        j       1b
2:      andi    t3, t1, BUF_SIZE - 1
        la      t4, buf
        add     t3, t3, t4
        sb      t2, 0(t3)
        addi    t1, t1, 1
        sw      t1, tail, t3
        j       1b
9:      ret

# cons_echo_ctrlc(): shows ^C (the kernel stopped the foreground program).
        .global cons_echo_ctrlc
cons_echo_ctrlc:
        la      a0, ctrlc_echo
        li      a1, 3
        j       echo_n

# cons_cancel(): called by the kernel (interrupts off) for a Ctrl-C with nobody in the
# foreground: puts a Ctrl-C in the buffer, which makes cons_read drop the line typed so far.
# (A full buffer drops the Ctrl-C instead.)
        .global cons_cancel
cons_cancel:
        lw      t1, tail
        lw      t2, head
        sub     t2, t1, t2
        li      t3, BUF_SIZE
        bgeu    t2, t3, 1f
        andi    t3, t1, BUF_SIZE - 1
        la      t4, buf
        add     t3, t3, t4
        li      t2, CTRL_C
        sb      t2, 0(t3)
        addi    t1, t1, 1
        sw      t1, tail, t3
1:      ret

# cons_write(a0 = buffer, a1 = length) gate -> length. (The file service checked the buffer.)
        .global cons_write
cons_write:
        li      t0, UART
        mv      t2, a1
1:      beqz    t2, 2f
        lbu     t1, 0(a0)
        sw      t1, UART_DATA(t0)
        addi    a0, a0, 1
        addi    t2, t2, -1
        j       1b
2:      mv      a0, a1
        retg

# cons_getc() -> a0 = the next byte typed, or E_INTR if the reader was killed while waiting.
cons_getc:
1:      lw      t0, head
        lw      t1, tail
        bne     t0, t1, 2f
        li      a0, IRQ_UART                    # empty: sleep until a byte arrives, unless
        la      a1, tail                        # one came since `tail` was read
        mv      a2, t1
        callg   K_IRQWAIT
        bgez    a0, 1b
        ret
2:      andi    t1, t0, BUF_SIZE - 1
        la      t2, buf
        add     t1, t1, t2
        lbu     a0, 0(t1)
        addi    t0, t0, 1
        sw      t0, head, t1
        ret

# cons_read(a0 = buffer, a1 = length) gate -> bytes of one line (with its '\n' if it fits),
# 0 for Ctrl-D at the start of a line, E_INTR if the reader was killed while waiting.
        .global cons_read
cons_read:
        addi    sp, sp, -16
        sw      s0, 0(sp)
        sw      s1, 4(sp)
        sw      s2, 8(sp)
        sw      ra, 12(sp)
        mv      s0, a0
        mv      s1, a1
        li      s2, 0                           # bytes in the line
        li      a0, 0
        beqz    s1, 9f
        lock_acquire cons_rx_lock               # one reader at a time gets whole lines
1:      call    cons_getc
        bltz    a0, 8f
        li      t1, '\r'
        bne     a0, t1, 3f
        li      a0, '\n'
3:      li      t1, '\n'
        beq     a0, t1, 6f
        li      t1, BACKSPACE
        beq     a0, t1, 4f
        li      t1, DEL
        beq     a0, t1, 4f
        li      t1, CTRL_D
        beq     a0, t1, 5f
        li      t1, CTRL_C                      # cancelled (^C was echoed): an empty line
        beq     a0, t1, 7f
        li      t1, ' '
        bltu    a0, t1, 1b                      # other control characters: ignored
        addi    t1, s1, -1                      # keep room for the '\n'
        bgeu    s2, t1, 1b
        add     t1, s0, s2
        sb      a0, 0(t1)
        addi    s2, s2, 1
        call    cons_putc                       # echo
        j       1b
4:      beqz    s2, 1b                          # backspace: erase one character on screen
        addi    s2, s2, -1
        la      a0, erase
        li      a1, 3
        call    echo_n
        j       1b
5:      bnez    s2, 1b                          # Ctrl-D: end of input only on an empty line
        li      a0, 0
        j       8f
6:      add     t1, s0, s2
        sb      a0, 0(t1)
        addi    s2, s2, 1
        call    cons_putc
        mv      a0, s2
        j       8f
7:      la      a0, ctrlc_echo                  # (echoed here, after the line's own echo)
        li      a1, 3
        call    echo_n
        li      t1, '\n'
        sb      t1, 0(s0)
        li      a0, 1
8:      mv      s0, a0
        lock_release cons_rx_lock
        mv      a0, s0
9:      lw      s0, 0(sp)
        lw      s1, 4(sp)
        lw      s2, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        retg

# echo_n(a0 = bytes, a1 = count).
echo_n:
        li      t0, UART
1:      beqz    a1, 2f
        lbu     t1, 0(a0)
        sw      t1, UART_DATA(t0)
        addi    a0, a0, 1
        addi    a1, a1, -1
        j       1b
2:      ret

        .section .drv.data, "aw"
erase:      .ascii  "\b \b"
ctrlc_echo: .ascii  "^C\n"
        .balign 4
cons_rx_lock: .word 0
head:       .word   0                           # next byte cons_read takes
tail:       .word   0                           # next free place cons_intr fills
buf:        .space  BUF_SIZE
