# crc32: bitwise CRC-32 of a 1 MiB LCG-filled buffer, repeated 8 times (see
# docs/bench-kernels.md). Expected checksum 0x29eff4f8.
        .equ    EXPECTED, 0x29eff4f8
        .include "rt.inc"

        .text
main:
        la      a0, buf
        li      t0, 12345               # x
        li      t1, 1664525
        li      t2, 1013904223
        li      t3, 0x100000            # 1 MiB
        add     t5, a0, t3              # end of buffer
        mv      t4, a0
1:      mul     t0, t0, t1              # x = lcg(x)
        add     t0, t0, t2
        srli    t6, t0, 24
        sb      t6, 0(t4)               # buf[i] = x >> 24
        addi    t4, t4, 1
        bne     t4, t5, 1b

        li      a1, -1                  # crc = 0xFFFFFFFF
        li      a2, 0xEDB88320
        li      a3, 8                   # passes over the buffer
2:      mv      t4, a0
3:      lbu     t6, 0(t4)
        xor     a1, a1, t6
        li      a4, 8
4:      andi    t0, a1, 1               # crc = (crc >> 1) ^ (poly & -(crc & 1))
        sub     t0, zero, t0
        and     t0, t0, a2
        srli    a1, a1, 1
        xor     a1, a1, t0
        addi    a4, a4, -1
        bnez    a4, 4b
        addi    t4, t4, 1
        bne     t4, t5, 3b
        addi    a3, a3, -1
        bnez    a3, 2b
        li      t0, -1
        xor     a0, a1, t0              # ~crc
        ret

        .bss
buf:    .space  0x100000
