# memcpy: fill 16 MiB with LCG-derived words, copy them word by word to a second 16 MiB buffer, and
# fold the copy into a checksum (h = h * 31 + word).
        .equ    EXPECTED, 0xa5b18440
        .equ    SIZE, 16 << 20
        .include "rt.inc"

        .text
main:
        la      s0, src
        li      t0, SIZE
        add     s2, s0, t0              # end of src = start of dst
        mv      s1, s2
        li      t0, 1                   # x
        li      t1, 1664525
        li      t2, 1013904223
        mv      t3, s0
1:      mul     t0, t0, t1              # x = lcg(x); word = x ^ (x >> 16)
        add     t0, t0, t2
        srli    t5, t0, 16
        xor     t5, t5, t0
        sw      t5, 0(t3)
        addi    t3, t3, 4
        bne     t3, s2, 1b

        mv      t3, s0                  # the copy
        mv      t4, s1
2:      lw      t5, 0(t3)
        sw      t5, 0(t4)
        addi    t3, t3, 4
        addi    t4, t4, 4
        bne     t3, s2, 2b

        li      a0, 0
        mv      t4, s1
        li      t0, SIZE
        add     t6, s1, t0
3:      lw      t5, 0(t4)
        slli    t2, a0, 5
        sub     t2, t2, a0
        add     a0, t2, t5
        addi    t4, t4, 4
        bne     t4, t6, 3b
        ret

        .bss
        .balign 4096
src:    .space  SIZE                    # dst follows it
dst:    .space  SIZE
