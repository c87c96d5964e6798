# spin [COUNT]: burn CPU time and say so now and then:
#
#   spin 7: 1
#   spin 7: 2
#
# Every SPIN_ITERS turns of an empty loop it prints its pid and how many times it has
# printed, forever or COUNT times. It never gives the CPU away, so if two spins run in the
# background (spin 5 & then spin 5 &) and their lines still take turns, that is the timer
# interrupt and the kernel's scheduler taking the CPU from one and giving it to the other:
# preemption.

        .include "abi.inc"

        .equ    SPIN_ITERS, 1 << 20     # about 4 million cycles (4 a turn): 40 ms

        .text
        .global main

# main(argc, argv): spin, printing every SPIN_ITERS turns, COUNT times (0 = forever).
main:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        sw      s1, 4(sp)
        sw      s2, 0(sp)
        li      s1, 0                   # COUNT: 0 = forever
        li      t0, 2
        blt     a0, t0, 1f
        lw      a0, 4(a1)
        call    atoi
        beqz    a1, usage
        mv      s1, a0
1:      call    getpid
        mv      s0, a0                  # pid
        li      s2, 0                   # lines printed
2:      li      t0, SPIN_ITERS          # the busy part
3:      addi    t0, t0, -1
        bnez    t0, 3b
        addi    s2, s2, 1
        la      a0, spin_fmt
        mv      a1, s0
        mv      a2, s2
        call    printf
        beqz    s1, 2b
        blt     s2, s1, 2b
        li      a0, 0
        j       9f
usage:
        la      a0, usage_text
        call    puts
        li      a0, 1
9:      lw      s2, 0(sp)
        lw      s1, 4(sp)
        lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

        .rodata
spin_fmt:
        .asciz  "spin %d: %d\n"
usage_text:
        .asciz  "usage: spin [COUNT]"
