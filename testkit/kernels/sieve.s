# sieve: sieve of Eratosthenes to 2,000,000, ten times (see docs/bench-kernels.md).
# Expected checksum 1,489,330.
        .equ    EXPECTED, 1489330
        .equ    N, 2000000
        .include "rt.inc"

        .text
main:
        li      s0, 0                   # total
        li      s1, 10                  # repeats
        la      s2, sieve
        li      s3, N
        add     s4, s2, s3              # &s[N]
1:      mv      t0, s2                  # s[i] = 1 for i in 0..=N
        li      t2, 1
2:      sb      t2, 0(t0)
        addi    t0, t0, 1
        bgeu    s4, t0, 2b
        sb      zero, 0(s2)
        sb      zero, 1(s2)
        li      t0, 2                   # i
3:      mul     t3, t0, t0
        bltu    s3, t3, 5f              # while i*i <= N
        add     t4, s2, t0
        lbu     t4, 0(t4)
        beqz    t4, 4f
        add     t5, s2, t3              # j = i*i
6:      sb      zero, 0(t5)             # s[j] = 0
        add     t5, t5, t0
        bgeu    s4, t5, 6b
4:      addi    t0, t0, 1
        j       3b
5:      mv      t0, s2                  # total += count of s[i] == 1
7:      lbu     t2, 0(t0)
        add     s0, s0, t2
        addi    t0, t0, 1
        bgeu    s4, t0, 7b
        addi    s1, s1, -1
        bnez    s1, 1b
        mv      a0, s0
        ret

        .bss
sieve:  .space  N + 1
