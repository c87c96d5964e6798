# cost: what a crossing of rings costs, in cycles, measured with the cycle counter (uptime).
#
#   cost              three measurements of 1000 rounds each:
#     getpid          ring 3 -> kernel (ring 0) -> ring 3: the cheapest system call
#     write 0 bytes   ring 3 -> file service (ring 2) -> ring 3, which itself asks the
#                     kernel who is calling (K_SLOT) and checks the buffer (K_CHECK)
#     yield           a context switch: this process and a child take turns, each yield
#                     switching to the other (one round = two switches)
#   cost yield-child  (the child's part: yield ROUNDS + 2 times, then exit)
#
# Each figure is the cycles of 1000 rounds divided by 1000 (per switch for yield), the loop's
# own three instructions included. The machine counts every cycle the same way on every
# engine, so the figures are exact and repeatable.

        .include "abi.inc"

        .equ    ROUNDS, 1000

        .text
        .global main

# main(argc, argv): the child's part when asked for, else the three measurements.
main:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        li      t0, 2
        blt     a0, t0, 1f
        call    child                           # any argument: be the yielding child
1:      la      a0, getpid_name
        la      a1, do_getpid
        li      a2, ROUNDS
        call    measure
        la      a0, write_name
        la      a1, do_write
        li      a2, ROUNDS
        call    measure
        la      a0, child_path                  # a partner to switch to
        la      a1, child_line
        call    spawn
        bltz    a0, 2f
        call    yield                           # let it start
        la      a0, yield_name
        la      a1, do_yield
        li      a2, 2 * ROUNDS                  # two switches per round
        call    measure
        li      a0, -1
        li      a1, 0
        call    wait
2:      li      a0, 0
        lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# measure(a0 = name, a1 = one round's routine, a2 = divisor): runs ROUNDS rounds between two
# readings of the cycle counter and prints the cycles per round (per a2-th part).
measure:
        addi    sp, sp, -20
        sw      ra, 16(sp)
        sw      s0, 12(sp)
        sw      s1, 8(sp)
        sw      s2, 4(sp)
        sw      s3, 0(sp)
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        call    uptime
        mv      s3, a0                          # (low word: a measurement is far shorter than 2^32)
        li      t0, ROUNDS
        sw      t0, left, t1
3:      jalr    s1
        lw      t0, left
        addi    t0, t0, -1
        sw      t0, left, t1
        bnez    t0, 3b
        call    uptime
        sub     a0, a0, s3
        divu    a2, a0, s2
        mv      a1, s0
        la      a0, result_fmt
        call    printf
        lw      s3, 0(sp)
        lw      s2, 4(sp)
        lw      s1, 8(sp)
        lw      s0, 12(sp)
        lw      ra, 16(sp)
        addi    sp, sp, 20
        ret

# One round of each measurement.
do_getpid:
        callg   SYS_GETPID
        ret
do_write:
        li      a0, STDOUT
        la      a1, result_fmt
        li      a2, 0
        callg   SYS_WRITE
        ret
do_yield:
        callg   SYS_YIELD
        ret

# child: the partner for the yield measurement. Never returns.
child:
        li      s0, ROUNDS + 2                  # (a few more than the parent needs)
1:      call    yield
        addi    s0, s0, -1
        bnez    s0, 1b
        li      a0, 0
        call    exit

        .rodata
getpid_name:    .asciz  "getpid (ring 3 -> 0 -> 3)"
write_name:     .asciz  "write of 0 bytes (ring 3 -> 2 -> 3)"
yield_name:     .asciz  "yield: one context switch"
child_path:     .asciz  "cost"
child_line:     .asciz  "cost yield-child"
result_fmt:     .asciz  "%-36s %5u cycles\n"

        .data
        .balign 4
left:           .word   0
