# muldiv.s — multiply (§5.2) and divide (§5.3): mul mulh mulhu div divu rem remu.
# Division truncates toward zero, the remainder takes the sign of the dividend,
# INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0 (no fault), and any division or remainder by
# zero raises DIVIDE (vector 7, detail 0, faddr 0, frame pc = the instruction) leaving rd
# unchanged.
        .include "check.inc"

main:
        # ---- mul: low 32 bits, same for signed and unsigned operands
        li      t0, 12345
        li      t1, 6789
        mul     t2, t0, t1
        expect  t2, 83810205, 1
        li      t0, 0x10000
        mul     t2, t0, t0
        expect  t2, 0, 2                # 2^32 wraps to 0
        li      t0, -1
        mul     t2, t0, t0
        expect  t2, 1, 3                # (-1)(-1) = 1, or 0xFFFFFFFF^2 mod 2^32 = 1
        li      t0, 0x12345678
        li      t1, 0x9ABCDEF0
        mul     t2, t0, t1
        expect  t2, 0x242D2080, 4
        li      t0, -3
        li      t1, 7
        mul     t2, t0, t1
        expect  t2, -21, 5

        # ---- mulh: high word of the signed 64-bit product
        li      t0, 0x12345678
        li      t1, 0x9ABCDEF0          # negative as a signed value
        mulh    t2, t0, t1
        expect  t2, 0xF8CC93D6, 10
        li      t0, 0x7FFFFFFF
        mulh    t2, t0, t0
        expect  t2, 0x3FFFFFFF, 11
        li      t0, 0x80000000
        mulh    t2, t0, t0              # (-2^31)^2 = 2^62
        expect  t2, 0x40000000, 12
        li      t0, -1
        li      t1, 1
        mulh    t2, t0, t1              # -1: high word all ones
        expect  t2, 0xFFFFFFFF, 13
        mulh    t2, t0, t0              # 1: high word 0
        expect  t2, 0, 14

        # ---- mulhu: high word of the unsigned 64-bit product
        li      t0, 0x12345678
        li      t1, 0x9ABCDEF0
        mulhu   t2, t0, t1
        expect  t2, 0x0B00EA4E, 20
        li      t0, 0xFFFFFFFF
        mulhu   t2, t0, t0              # 0xFFFFFFFE_00000001
        expect  t2, 0xFFFFFFFE, 21
        li      t0, 0x80000000
        li      t1, 2
        mulhu   t2, t0, t1
        expect  t2, 1, 22
        li      t0, -1
        li      t1, 1
        mulhu   t2, t0, t1              # unsigned: 0xFFFFFFFF * 1 fits in the low word
        expect  t2, 0, 23

        # ---- div: signed, truncates toward zero
        li      t0, -7
        li      t1, 2
        div     t2, t0, t1
        expect  t2, -3, 30
        li      t0, 7
        li      t1, -2
        div     t2, t0, t1
        expect  t2, -3, 31
        li      t0, -7
        li      t1, -2
        div     t2, t0, t1
        expect  t2, 3, 32
        li      t0, 0x80000000
        li      t1, -1
        div     t2, t0, t1
        expect  t2, 0x80000000, 33      # INT_MIN / -1 = INT_MIN, no fault
        li      t1, 1
        div     t2, t0, t1
        expect  t2, 0x80000000, 34
        li      t1, 5
        div     t2, zero, t1
        expect  t2, 0, 35

        # ---- divu: unsigned
        li      t0, 0xFFFFFFFF
        li      t1, 2
        divu    t2, t0, t1
        expect  t2, 0x7FFFFFFF, 40
        li      t0, -7                  # 0xFFFFFFF9
        divu    t2, t0, t1
        expect  t2, 0x7FFFFFFC, 41
        li      t1, -1
        divu    t2, t0, t1              # 0xFFFFFFF9 / 0xFFFFFFFF = 0
        expect  t2, 0, 42

        # ---- rem: sign of the dividend
        li      t0, -7
        li      t1, 2
        rem     t2, t0, t1
        expect  t2, -1, 50
        li      t0, 7
        li      t1, -2
        rem     t2, t0, t1
        expect  t2, 1, 51
        li      t0, -7
        li      t1, -2
        rem     t2, t0, t1
        expect  t2, -1, 52
        li      t0, 0x80000000
        li      t1, -1
        rem     t2, t0, t1
        expect  t2, 0, 53               # INT_MIN % -1 = 0, no fault

        # ---- remu
        li      t0, -7                  # 0xFFFFFFF9 is odd
        li      t1, 2
        remu    t2, t0, t1
        expect  t2, 1, 60
        li      t0, 10
        li      t1, 3
        remu    t2, t0, t1
        expect  t2, 1, 61
        li      t0, 5
        li      t1, -1
        remu    t2, t0, t1              # 5 < 0xFFFFFFFF
        expect  t2, 5, 62
        expect_exc_count 0, 63          # nothing above faulted

        # ---- by zero: DIVIDE, rd unchanged, frame pc = the instruction, faddr 0
        li      t0, 100
        li      t2, 0x5A5A5A5A
d0:     div     t2, t0, zero
        expect  t2, 0x5A5A5A5A, 70
        expect_fault 1, V_DIVIDE, 0, d0, 71
        expect_exc EXC_CRCAUSE, V_DIVIDE, 75
        expect_exc EXC_CRFADDR, 0, 76
d1:     divu    t2, t0, zero
        expect  t2, 0x5A5A5A5A, 80
        expect_fault 2, V_DIVIDE, 0, d1, 81
d2:     rem     t2, t0, zero
        expect  t2, 0x5A5A5A5A, 90
        expect_fault 3, V_DIVIDE, 0, d2, 91
d3:     remu    t2, t0, zero
        expect  t2, 0x5A5A5A5A, 100
        expect_fault 4, V_DIVIDE, 0, d3, 101
        # rd = rs1: the dividend survives too
        li      t1, 0
d4:     div     t0, t0, t1
        expect  t0, 100, 110
        expect_fault 5, V_DIVIDE, 0, d4, 111
        # INT_MIN / 0 is still a fault (the zero test comes first)
        li      t0, 0x80000000
d5:     rem     t2, t0, zero
        expect  t2, 0x5A5A5A5A, 120
        expect_fault 6, V_DIVIDE, 0, d5, 121
        pass
