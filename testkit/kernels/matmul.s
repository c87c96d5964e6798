# matmul: 64x64 word matrix multiply, 200 times, ping-ponging between two result buffers
# (see docs/bench-kernels.md). Expected checksum 0x488f6651.
        .equ    EXPECTED, 0x488f6651
        .include "rt.inc"

        .text
main:
        la      s0, A
        la      s1, B
        la      s2, C
        li      t0, 1                   # x
        li      t1, 1664525
        li      t2, 1013904223
        li      t3, 0                   # byte offset of element i
        li      t4, 16384               # 4096 words
1:      mul     t0, t0, t1
        add     t0, t0, t2
        srli    t5, t0, 16
        add     t6, s0, t3
        sw      t5, 0(t6)               # A[i] = lcg(x) >> 16
        mul     t0, t0, t1
        add     t0, t0, t2
        srli    t5, t0, 16
        add     t6, s1, t3
        sw      t5, 0(t6)               # B[i] = lcg(x) >> 16
        addi    t3, t3, 4
        bne     t3, t4, 1b

        mv      s3, s0                  # src
        mv      s4, s2                  # dst
        li      s5, 200
2:      li      a0, 0                   # i * 256 (row offset in bytes)
        li      a6, 16384
3:      li      a1, 0                   # j * 4
        li      a7, 256
4:      add     t0, s3, a0              # &src[i][0]
        add     t1, s1, a1              # &B[0][j]
        li      t2, 0                   # sum
        addi    t3, t0, 256             # end of the row
5:      lw      t4, 0(t0)
        lw      t5, 0(t1)
        mul     t4, t4, t5
        add     t2, t2, t4
        addi    t0, t0, 4
        addi    t1, t1, 256
        bne     t0, t3, 5b
        add     t6, s4, a0
        add     t6, t6, a1
        sw      t2, 0(t6)               # dst[i][j] = sum
        addi    a1, a1, 4
        bne     a1, a7, 4b
        addi    a0, a0, 256
        bne     a0, a6, 3b
        mv      t0, s3                  # swap src, dst
        mv      s3, s4
        mv      s4, t0
        addi    s5, s5, -1
        bnez    s5, 2b

        li      a0, 0                   # h = h * 31 + src[i]
        mv      t0, s3
        addi    t1, s3, 16384
6:      lw      t2, 0(t0)
        slli    t3, a0, 5
        sub     t3, t3, a0
        add     a0, t3, t2
        addi    t0, t0, 4
        bne     t0, t1, 6b
        ret

        .bss
        .balign 4
A:      .space  16384
B:      .space  16384
C:      .space  16384
