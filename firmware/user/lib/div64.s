# div64.s: 64-bit numbers on a 32-bit CPU, just enough to print cycle counts.
#
# The cycle counter is 64 bits wide (a low and a high word) and RF32 only divides 32-bit
# numbers. Dividing by a small number (up to 65536) works like long division on paper with
# 16-bit "digits": the remainder carried into the next digit is below the divisor, so
# remainder * 65536 + digit always fits in 32 bits.

        .include "abi.inc"

        .text
        .global divu64, utoa64

# DIGIT q: divide the next 16-bit digit (in t0) by a2 with t2 the carried remainder;
# the quotient digit goes to q, the new remainder to t2.
        .macro  DIGIT q
        slli    t2, t2, 16
        or      t0, t0, t2
        divu    \q, t0, a2
        remu    t2, t0, a2
        .endm

# divu64(lo, hi, d) -> a0 = quotient low, a1 = quotient high, a2 = remainder. d must be
# 1..65536.
divu64:
        li      t2, 0           # remainder so far
        srli    t0, a1, 16      # the four 16-bit digits, most significant first
        DIGIT   t3
        andi    t0, a1, 0xffff
        DIGIT   t4
        srli    t0, a0, 16
        DIGIT   t5
        andi    t0, a0, 0xffff
        DIGIT   t6
        slli    a1, t3, 16      # put the quotient digits back together
        or      a1, a1, t4
        slli    a0, t5, 16
        or      a0, a0, t6
        mv      a2, t2
        ret

# utoa64(lo, hi, buf) -> a pointer to the decimal digits of the 64-bit number, which end
# with a NUL at buf + 23 (buf must hold 24 bytes; 2^64 has 20 digits).
utoa64:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        addi    s0, a2, 23      # s0 walks backwards from the end
        sb      zero, 0(s0)
1:      li      a2, 10          # one digit per division by 10
        call    divu64
        addi    a2, a2, '0'
        addi    s0, s0, -1
        sb      a2, 0(s0)
        or      t0, a0, a1      # until the quotient is 0
        bnez    t0, 1b
        mv      a0, s0
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret
