# alu.s — register-register ALU instructions (SPEC.md §5.1): add sub and or xor sll srl sra
# slt sltu, with their edge cases: wrap-around, shift amounts taken from rs2 & 31 (so a shift
# by 32 is a shift by 0), signed against unsigned comparison, and writes to r0 being dropped.
        .include "check.inc"

main:
        # ---- add / sub wrap modulo 2^32
        li      t0, 0x7FFFFFFF
        li      t1, 1
        add     t2, t0, t1
        expect  t2, 0x80000000, 1       # INT_MAX + 1 = INT_MIN
        li      t0, 0xFFFFFFFF
        add     t2, t0, t1
        expect  t2, 0, 2                # -1 + 1 = 0
        sub     t2, zero, t1
        expect  t2, 0xFFFFFFFF, 3       # 0 - 1 = -1
        li      t0, 0x80000000
        sub     t2, t0, t1
        expect  t2, 0x7FFFFFFF, 4       # INT_MIN - 1 = INT_MAX
        li      t0, 21
        add     t0, t0, t0              # rd = rs1 = rs2
        expect  t0, 42, 5

        # ---- logic
        li      t0, 0xF0F0F0F0
        li      t1, 0xFF00FF00
        and     t2, t0, t1
        expect  t2, 0xF000F000, 10
        or      t2, t0, t1
        expect  t2, 0xFFF0FFF0, 11
        xor     t2, t0, t1
        expect  t2, 0x0FF00FF0, 12
        xor     t2, t0, t0
        expect  t2, 0, 13

        # ---- sll: amount = rs2 & 31
        li      t0, 1
        li      t1, 31
        sll     t2, t0, t1
        expect  t2, 0x80000000, 20
        li      t1, 32                  # 32 & 31 = 0: unchanged
        sll     t2, t0, t1
        expect  t2, 1, 21
        li      t1, 33                  # 33 & 31 = 1
        sll     t2, t0, t1
        expect  t2, 2, 22
        li      t1, -1                  # 0xFFFFFFFF & 31 = 31
        sll     t2, t0, t1
        expect  t2, 0x80000000, 23
        li      t0, 0x12345678
        sll     t2, t0, zero
        expect  t2, 0x12345678, 24

        # ---- srl: logical
        li      t0, 0x80000000
        li      t1, 31
        srl     t2, t0, t1
        expect  t2, 1, 30
        li      t1, 32
        srl     t2, t0, t1
        expect  t2, 0x80000000, 31      # by 0
        li      t1, 36                  # by 4
        srl     t2, t0, t1
        expect  t2, 0x08000000, 32
        li      t1, 0x7FFFFFE4          # & 31 = 4
        srl     t2, t0, t1
        expect  t2, 0x08000000, 33

        # ---- sra: arithmetic
        li      t0, 0x80000000
        li      t1, 31
        sra     t2, t0, t1
        expect  t2, 0xFFFFFFFF, 40
        li      t1, 4
        sra     t2, t0, t1
        expect  t2, 0xF8000000, 41
        li      t1, 32
        sra     t2, t0, t1
        expect  t2, 0x80000000, 42      # by 0
        li      t0, 0x7FFFFFFF
        li      t1, 35                  # by 3, positive value: zeroes shifted in
        sra     t2, t0, t1
        expect  t2, 0x0FFFFFFF, 43
        li      t0, -16
        li      t1, 2
        sra     t2, t0, t1
        expect  t2, -4, 44

        # ---- slt: signed
        li      t0, -1
        li      t1, 1
        slt     t2, t0, t1
        expect  t2, 1, 50               # -1 < 1
        slt     t2, t1, t0
        expect  t2, 0, 51               # 1 < -1 is false
        slt     t2, t0, t0
        expect  t2, 0, 52               # equal
        li      t0, 0x80000000
        li      t1, 0x7FFFFFFF
        slt     t2, t0, t1
        expect  t2, 1, 53               # INT_MIN < INT_MAX
        slt     t2, t1, t0
        expect  t2, 0, 54

        # ---- sltu: unsigned
        li      t0, -1
        li      t1, 1
        sltu    t2, t1, t0
        expect  t2, 1, 60               # 1 < 0xFFFFFFFF
        sltu    t2, t0, t1
        expect  t2, 0, 61
        sltu    t2, t1, t1
        expect  t2, 0, 62
        li      t0, 0x80000000
        sltu    t2, zero, t0
        expect  t2, 1, 63
        sltu    t2, t0, zero
        expect  t2, 0, 64               # nothing is below 0
        sltu    t2, zero, t1            # snez idiom
        expect  t2, 1, 65

        # ---- writes to r0 are discarded; r0 always reads 0
        li      t0, 5
        li      t1, 7
        add     zero, t0, t1
        expect  zero, 0, 70
        or      t2, zero, zero
        expect  t2, 0, 71
        sub     zero, zero, t0
        expect  zero, 0, 72
        sll     zero, t1, t0
        slt     zero, zero, t1
        sltu    zero, zero, t1
        xor     zero, t0, t1
        add     t2, zero, t1            # reads 0 + 7
        expect  t2, 7, 73
        pass
