# imm.s — register-immediate ALU (§5.4), shifts by immediate (§5.5) and upper immediates
# (§5.6). Remember the split: addi/slti/sltiu SIGN-extend their 16-bit immediate, andi/ori/xori
# ZERO-extend it. sltiu compares unsigned against the sign-extended value.
        .include "check.inc"

main:
        # ---- addi: sign-extended immediate, wraps
        addi    t0, zero, -1
        expect  t0, 0xFFFFFFFF, 1
        addi    t0, zero, -32768
        expect  t0, 0xFFFF8000, 2
        addi    t0, zero, 32767
        expect  t0, 0x00007FFF, 3
        li      t1, 0x7FFFFFFF
        addi    t0, t1, 1
        expect  t0, 0x80000000, 4
        li      t1, 0x10000
        addi    t0, t1, -1
        expect  t0, 0xFFFF, 5

        # ---- slti: signed compare with sext(imm)
        li      t1, -2
        slti    t0, t1, -1
        expect  t0, 1, 10               # -2 < -1
        slti    t0, zero, -1
        expect  t0, 0, 11               # 0 < -1 is false
        li      t1, 0x80000000
        slti    t0, t1, -32768
        expect  t0, 1, 12               # INT_MIN < -32768
        li      t1, 5
        slti    t0, t1, 5
        expect  t0, 0, 13

        # ---- sltiu: UNSIGNED compare with the SIGN-extended immediate
        sltiu   t0, zero, -1            # 0 < 0xFFFFFFFF
        expect  t0, 1, 20
        li      t1, 0xFFFFFFFE
        sltiu   t0, t1, -1              # 0xFFFFFFFE < 0xFFFFFFFF
        expect  t0, 1, 21
        li      t1, 0xFFFFFFFF
        sltiu   t0, t1, -1
        expect  t0, 0, 22
        li      t1, 0x80000000
        sltiu   t0, t1, -32768          # 0x80000000 < 0xFFFF8000 (a zero-extending
        expect  t0, 1, 23               # implementation would say 0x80000000 < 0x8000: false)
        li      t1, 0xFFFF8000
        sltiu   t0, t1, -32768
        expect  t0, 0, 24
        li      t1, 0x9000
        sltiu   t0, t1, 0x7FFF          # positive immediates are plain
        expect  t0, 0, 25
        sltiu   t0, zero, 1             # seqz idiom: rs == 0
        expect  t0, 1, 26
        li      t1, 5
        sltiu   t0, t1, 1
        expect  t0, 0, 27

        # ---- andi / ori / xori: zero-extended immediate
        li      t1, 0xFFFFFFFF
        andi    t0, t1, 0xFFFF
        expect  t0, 0x0000FFFF, 30
        andi    t0, t1, 0x8000
        expect  t0, 0x00008000, 31
        ori     t0, zero, 0xFFFF
        expect  t0, 0x0000FFFF, 32
        li      t1, 0x12340000
        ori     t0, t1, 0x8765
        expect  t0, 0x12348765, 33
        li      t1, 0xFFFFFFFF
        xori    t0, t1, 0xFFFF          # "not" of the low half only
        expect  t0, 0xFFFF0000, 34
        li      t1, 0x0000F0F0
        xori    t0, t1, 0xFF00
        expect  t0, 0x00000FF0, 35

        # ---- slli / srli / srai
        li      t1, 0x00000001
        slli    t0, t1, 31
        expect  t0, 0x80000000, 40
        li      t1, 0x12345678
        slli    t0, t1, 0
        expect  t0, 0x12345678, 41
        slli    t0, t1, 4
        expect  t0, 0x23456780, 42
        li      t1, 0x80000000
        srli    t0, t1, 31
        expect  t0, 1, 43
        srli    t0, t1, 0
        expect  t0, 0x80000000, 44
        srai    t0, t1, 31
        expect  t0, 0xFFFFFFFF, 45
        srai    t0, t1, 8
        expect  t0, 0xFF800000, 46
        li      t1, 0x40000000
        srai    t0, t1, 30
        expect  t0, 1, 47

        # ---- lui: imm << 16, low half zero
        li      t0, 0x1234          # garbage in the low half first
        lui     t0, 0xFFFF
        expect  t0, 0xFFFF0000, 50
        lui     t0, 0x8000
        expect  t0, 0x80000000, 51
        lui     t0, 0
        expect  t0, 0, 52
        lui     t0, 0x0001
        expect  t0, 0x00010000, 53

        # ---- auipc: the address of the auipc itself plus imm << 16
here0:  auipc   t0, 0
        expect  t0, here0, 60
here1:  auipc   t0, 1
        expect  t0, here1 + 0x10000, 61
here2:  auipc   t0, 0xFFFF              # wraps: here2 - 0x10000
        expect  t0, here2 + 0xFFFF0000, 62

        # ---- %hi / %lo pairs rebuild any constant
        lui     t0, %hi(0x12348765)
        addi    t0, t0, %lo(0x12348765) # %lo is negative here: %hi compensates
        expect  t0, 0x12348765, 70
        # pc-relative address of a label
pcrel:  auipc   t0, %hi(target - pcrel)
        addi    t0, t0, %lo(target - pcrel)
        expect  t0, target, 71

        # ---- writes to r0 are discarded
        addi    zero, zero, 5
        lui     zero, 0x1234
        auipc   zero, 1
        ori     zero, zero, 1
        expect  zero, 0, 80
        addi    t0, zero, 3
        expect  t0, 3, 81
        pass

target: nop
