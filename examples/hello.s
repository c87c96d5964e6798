# hello.s — the smallest complete RF32 program: print a line on the UART, then halt.
# Run it:  cargo run --release -- run examples/hello.s
        .equ    UART, 0xF0002000        # UART register block; DATA is at offset 0

        .text
        .global _start
_start:
        la      t0, message
        li      t1, UART
1:      lbu     t2, 0(t0)               # next byte of the message
        beqz    t2, 2f                  # NUL ends it
        sw      t2, 0(t1)               # transmit
        addi    t0, t0, 1
        j       1b
2:      li      a0, 0                   # exit code
        halt

        .rodata
message:
        .asciz  "Hello from RF32 ring 0!\n"
