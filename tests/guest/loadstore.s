# loadstore.s — loads and stores (§5.7): sign/zero extension of lb/lh/lbu/lhu, little-endian
# byte order, negative offsets, partial stores, loads into r0, and the access checks in their
# order: MISALIGNED (faddr = the virtual address, nothing written, rd unchanged), then the bus
# (BUS_ERROR for unmapped addresses, writes to ROM, non-word device accesses).
        .include "check.inc"

main:
        la      s0, bytes
        # ---- sign / zero extension
        lb      t0, 0(s0)               # 0x80
        expect  t0, 0xFFFFFF80, 1
        lbu     t0, 0(s0)
        expect  t0, 0x00000080, 2
        lb      t0, 1(s0)               # 0x7F
        expect  t0, 0x0000007F, 3
        lbu     t0, 1(s0)
        expect  t0, 0x0000007F, 4
        lb      t0, 2(s0)               # 0xFF
        expect  t0, 0xFFFFFFFF, 5
        lbu     t0, 2(s0)
        expect  t0, 0x000000FF, 6
        lh      t0, 4(s0)               # half 0x8001
        expect  t0, 0xFFFF8001, 7
        lhu     t0, 4(s0)
        expect  t0, 0x00008001, 8
        lh      t0, 6(s0)               # half 0x7FFE
        expect  t0, 0x00007FFE, 9
        lhu     t0, 6(s0)
        expect  t0, 0x00007FFE, 10

        # ---- little endian: the byte at the lowest address is the least significant
        la      s1, word
        lw      t0, 0(s1)
        expect  t0, 0x44332211, 20
        lbu     t0, 0(s1)
        expect  t0, 0x11, 21
        lbu     t0, 3(s1)
        expect  t0, 0x44, 22
        lhu     t0, 2(s1)
        expect  t0, 0x4433, 23
        lw      t0, -4(s1)              # negative offset: the word before
        expect  t0, 0xCAFEF00D, 24
        addi    t1, s1, 8
        lh      t0, -6(t1)              # 2(s1)
        expect  t0, 0x4433, 25

        # ---- stores write only their width
        la      s2, scratch
        li      t0, 0xFFFFFFFF
        sw      t0, 0(s2)
        li      t1, 0x12345678
        sb      t1, 1(s2)               # only the low byte, 0x78, at byte 1
        expect_word scratch, 0xFFFF78FF, 30
        sh      t1, 2(s2)               # only 0x5678 at bytes 2-3
        expect_word scratch, 0x567878FF, 31
        sw      t1, 4(s2)
        expect_word scratch + 4, 0x12345678, 32
        sw      zero, 0(s2)             # storing r0 stores 0
        expect_word scratch, 0, 33
        li      t1, 0xAB
        sb      t1, -1(s2)              # negative offset: the byte before `scratch`
        lbu     t0, -1(s2)
        expect  t0, 0xAB, 34

        # ---- a load into r0 still performs the access (r0 stays 0)
        lw      zero, 0(s1)
        expect  zero, 0, 40
        expect_exc_count 0, 41

        # ---- misaligned data accesses: MISALIGNED, faddr = the address, nothing changes
        li      t0, 0x77777777
m1:     lh      t0, 1(s0)
        expect  t0, 0x77777777, 50      # rd unchanged
        expect_fault 1, V_MISALIGNED, bytes + 1, m1, 51
m2:     lhu     t0, 3(s0)
        expect_fault 2, V_MISALIGNED, bytes + 3, m2, 55
m3:     lw      t0, 2(s1)
        expect  t0, 0x77777777, 59
        expect_fault 3, V_MISALIGNED, word + 2, m3, 60
m4:     lw      t0, 1(s1)
        expect_fault 4, V_MISALIGNED, word + 1, m4, 64
m5:     lw      t0, 3(s1)
        expect_fault 5, V_MISALIGNED, word + 3, m5, 68
        li      t1, 0x5555AAAA
m6:     sw      t1, 2(s2)
        expect_word scratch, 0, 72      # nothing written
        expect_fault 6, V_MISALIGNED, scratch + 2, m6, 73
m7:     sh      t1, 1(s2)
        expect_word scratch, 0, 77
        expect_fault 7, V_MISALIGNED, scratch + 1, m7, 78
m8:     lw      zero, 2(s1)             # even into r0
        expect_fault 8, V_MISALIGNED, word + 2, m8, 82
        lb      t0, 3(s1)               # bytes are never misaligned
        expect  t0, 0x44, 86
        sb      t1, 3(s2)
        expect_exc_count 8, 87
        # the check order: misaligned comes before the bus (an unmapped, misaligned address)
        li      s3, 0xC0000002
m9:     lw      t0, 0(s3)
        expect_fault 9, V_MISALIGNED, 0xC0000002, m9, 88

        # ---- bus errors: faddr = the (virtual = physical) address
        clear_exc
        li      s3, 0xC0000000          # nothing there
        li      t0, 0x77777777
b1:     lw      t0, 0(s3)
        expect  t0, 0x77777777, 100
        expect_fault 1, V_BUS_ERROR, 0xC0000000, b1, 101
b2:     sw      t0, 4(s3)
        expect_fault 2, V_BUS_ERROR, 0xC0000004, b2, 105
        li      s3, 0x400000            # the first byte past 4 MiB of RAM
b3:     lbu     t0, 0(s3)
        expect_fault 3, V_BUS_ERROR, 0x400000, b3, 109
        lbu     t0, -1(s3)              # the last byte of RAM is fine
        expect_exc_count 3, 113
        li      s3, ROM_BASE            # ROM: readable, not writable
        lw      t0, 0(s3)               # (no ROM image: reads 0)
        expect  t0, 0, 114
        expect_exc_count 3, 115
b4:     sw      t1, 0(s3)
        expect_fault 4, V_BUS_ERROR, ROM_BASE, b4, 116
b5:     sb      t1, 1(s3)
        expect_fault 5, V_BUS_ERROR, ROM_BASE + 1, b5, 120
        li      s3, PIC                 # device registers: word accesses only
b6:     lb      t0, PIC_ENABLE(s3)
        expect_fault 6, V_BUS_ERROR, PIC + PIC_ENABLE, b6, 124
b7:     sh      t1, PIC_ENABLE(s3)
        expect_fault 7, V_BUS_ERROR, PIC + PIC_ENABLE, b7, 128
b8:     lw      t0, 0x800(s3)           # an offset the PIC does not define
        expect_fault 8, V_BUS_ERROR, PIC + 0x800, b8, 132
        li      s3, 0xF0009000          # a block with no device behind it
b9:     lw      t0, 0(s3)
        expect_fault 9, V_BUS_ERROR, 0xF0009000, b9, 136
        li      s3, PIC
        lw      t0, PIC_ENABLE(s3)      # a word access to a defined register works
        expect  t0, 0, 140
        expect_exc_count 9, 141
        pass

        .data
        .balign 4
bytes:  .byte   0x80, 0x7F, 0xFF, 0x01
        .half   0x8001, 0x7FFE
        .word   0xCAFEF00D
word:   .byte   0x11, 0x22, 0x33, 0x44
        .word   0
        .word   0
scratch:
        .word   0, 0
