# jumps.s — jal and jalr (§5.9): link values (pc + 4), rd = r0, jalr's target computed before
# rd is written, jalr not clearing low bits, and what a bad target does: the jump retires and
# the NEXT FETCH faults (MISALIGNED, or BUS_ERROR outside RAM/ROM) with faddr = frame pc = the
# bad address. Also ILLEGAL for words that do not decode (§3).
        .include "check.inc"

main:
        # ---- jal: rd = address of the jal + 4
j1:     jal     ra, f_ra                # f_ra sets a1 = 11 and returns through ra
        expect  a1, 11, 1
        expect  ra, j1 + 4, 2
j2:     jal     t0, 1f                  # any register can take the link
        j       bad
1:      expect  t0, j2 + 4, 3
        jal     zero, 2f                # rd = r0: a plain jump
        j       bad
2:      expect  zero, 0, 4
        li      t1, 3                   # a backward jal
        li      t2, 0
3:      addi    t2, t2, 1
        addi    t1, t1, -1
        beqz    t1, 4f
        jal     zero, 3b
4:      expect  t2, 3, 5

        # ---- jalr: t = rs1 + sext(imm); rd = pc + 4; pc = t
        li      a1, 0
        la      t1, f_t2
j3:     jalr    t2, 0(t1)               # f_t2 sets a1 = 22 and returns through t2
        expect  a1, 22, 10
        expect  t2, j3 + 4, 11
        la      t1, f_t2 - 8            # positive offset
j4:     jalr    t2, 8(t1)
        expect  t2, j4 + 4, 12
        la      t1, f_t2 + 12           # negative offset
j5:     jalr    t2, -12(t1)
        expect  t2, j5 + 4, 13
        la      t1, f_t2 + 1            # low bits are not cleared, but the SUM is aligned here
j6:     jalr    t2, -1(t1)
        expect  t2, j6 + 4, 14
        # rd = rs1: the target uses the old value
        la      t2, f_t2 - 4
j7:     jalr    t2, 4(t2)
        expect  t2, j7 + 4, 15
        # jalr zero: a plain indirect jump
        la      t1, 5f
        jalr    zero, 0(t1)
        j       bad
5:      expect_exc_count 0, 16

        # ---- a misaligned target: the jalr retires (link written), the fetch faults
        li      ra, 0
        la      t1, f_ra
        resume_at 6f
j8:     jalr    ra, 2(t1)
        j       bad
6:      expect  ra, j8 + 4, 20          # the jump itself retired
        expect_fault 1, V_MISALIGNED, f_ra + 2, f_ra + 2, 21
        expect_exc EXC_CRFADDR, f_ra + 2, 25
        la      t1, f_ra + 1
        resume_at 7f
        jalr    zero, 0(t1)
        j       bad
7:      expect_fault 2, V_MISALIGNED, f_ra + 1, f_ra + 1, 26

        # ---- fetches outside RAM and ROM: BUS_ERROR, faddr = frame pc = the pc
        li      t1, PIC                 # device registers never hold code
        resume_at 8f
        jalr    zero, 0(t1)
        j       bad
8:      expect_fault 3, V_BUS_ERROR, PIC, PIC, 30
        li      t1, 0xF1000000          # nor does the framebuffer
        resume_at 9f
        jalr    zero, 0(t1)
        j       bad
9:      expect_fault 4, V_BUS_ERROR, 0xF1000000, 0xF1000000, 34
        li      t1, 0x400000            # nor the hole past RAM
        resume_at 10f
        jalr    zero, 0(t1)
        j       bad
10:     expect_fault 5, V_BUS_ERROR, 0x400000, 0x400000, 38
        li      t1, ROM_BASE            # the (empty) ROM is fetchable: a zero word, ILLEGAL
        resume_at 11f
        jalr    zero, 0(t1)
        j       bad
11:     expect_fault 6, V_ILLEGAL, ROM_BASE, ROM_BASE, 42

        # ---- words that do not decode: ILLEGAL, faddr = frame pc = the word's address
        clear_exc
i1:     .word   0x00000000              # major opcode 0 (erased memory)
        expect_fault 1, V_ILLEGAL, i1, i1, 50
i2:     .word   0xFFFFFFFF              # major opcode 0x3F
        expect_fault 2, V_ILLEGAL, i2, i2, 54
i3:     .word   0x04000011              # R format, funct 17 is not assigned
        expect_fault 3, V_ILLEGAL, i3, i3, 58
i4:     .word   0x20A50020              # slli t0, t0, shamt with bit 5 set
        expect_fault 4, V_ILLEGAL, i4, i4, 62
i5:     .word   0xB8A00011              # mfcr t0, cr17: no such control register
        expect_fault 5, V_ILLEGAL, i5, i5, 66
i6:     .word   0xF4000001              # halt with a non-zero unused bit
        expect_fault 6, V_ILLEGAL, i6, i6, 70
        # ILLEGAL comes before PRIVILEGE: the same words in ring 3
        drop_to 3
i7:     .word   0xB8A00011
        expect_fault 7, V_ILLEGAL, i7, i7, 74
        expect_exc EXC_STATUS, 3, 78    # raised in ring 3
i8:     .word   0xF4000001
        expect_fault 8, V_ILLEGAL, i8, i8, 79
        pass

f_ra:   li      a1, 11
        jalr    zero, 0(ra)
f_t2:   li      a1, 22
        jalr    zero, 0(t2)
bad:    li      a0, 99
        j       check_failed
