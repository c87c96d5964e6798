# uptime: how long the machine has been running, in cycles and in seconds:
#
#   up 123456789 cycles = 1.23 s
#
# uptime() returns the 64-bit cycle counter. A timer tick is TICK_CYCLES cycles (10 ms), so
# cycles / TICK_CYCLES are hundredths of a second.

        .include "abi.inc"
        .include "layout.inc"

        .text
        .global main

# main: print the cycle count and the seconds it makes.
main:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      s1, 0(sp)
        call    uptime
        mv      s0, a0                  # cycles, low and high
        mv      s1, a1
        la      a0, up_text
        call    print
        mv      a0, s0
        mv      a1, s1
        call    print_u64
        mv      a0, s0                  # ticks = cycles / 1000 / (TICK_CYCLES / 1000):
        mv      a1, s1                  # divu64 divides by at most 65536 at a time
        li      a2, 1000
        call    divu64
        li      a2, TICK_CYCLES / 1000
        call    divu64
        li      t0, TICKS_PER_SECOND
        divu    a1, a0, t0
        remu    a2, a0, t0
        la      a0, seconds_fmt
        call    printf
        li      a0, 0
        lw      s1, 0(sp)
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

        .rodata
up_text:        .asciz "up "
seconds_fmt:    .asciz " cycles = %u.%02u s\n"
