# cas.s — compare-and-swap (§5.10): `cas rd, rs2, (rs1)` stores rs2 if the word equals rd,
# and always returns the old word in rd. Faults: MISALIGNED, then (paging, see paging.s) a
# write page fault, then BUS_ERROR when the address is not RAM (ROM, device registers: cas has
# no I/O-privilege step).
        .include "check.inc"

main:
        la      s0, lock
        # ---- success: old == rd -> store; rd = old (so rd is unchanged)
        li      t0, 5
        sw      t0, 0(s0)               # lock = 5
        li      t1, 9
        cas     t0, t1, (s0)
        expect  t0, 5, 1
        expect_word lock, 9, 2
        # ---- failure: old != rd -> no store; rd = old
        li      t0, 5
        li      t1, 77
        cas     t0, t1, (s0)
        expect  t0, 9, 3
        expect_word lock, 9, 4
        # ---- a spin lock built on it (SPEC §5.10)
        sw      zero, 0(s0)
        li      t0, 0
        li      t1, 1
        cas     t0, t1, (s0)
        expect  t0, 0, 5                # acquired
        li      t0, 0
        cas     t0, t1, (s0)
        expect  t0, 1, 6                # already held
        # ---- rd = rs2
        li      t0, 1
        cas     t0, t0, (s0)
        expect  t0, 1, 7
        expect_word lock, 1, 8
        # ---- rd = zero: compares against 0, the old value is discarded
        li      t1, 0x55
        sw      zero, 0(s0)
        cas     zero, t1, (s0)
        expect_word lock, 0x55, 9
        expect  zero, 0, 10
        expect_exc_count 0, 11

        # ---- misaligned: MISALIGNED, faddr = the address, nothing changes
        li      t0, 0x55
        li      t1, 0x66
        addi    s1, s0, 2
c1:     cas     t0, t1, (s1)
        expect  t0, 0x55, 20
        expect_word lock, 0x55, 21
        expect_fault 1, V_MISALIGNED, lock + 2, c1, 22
        # ---- not RAM: BUS_ERROR (ROM, a device register even in ring 0 with iopl 0 OK)
        li      s1, ROM_BASE
c2:     cas     t0, t1, (s1)
        expect  t0, 0x55, 30
        expect_fault 2, V_BUS_ERROR, ROM_BASE, c2, 31
        li      s1, PIC + PIC_ENABLE
c3:     cas     t0, t1, (s1)
        expect_fault 3, V_BUS_ERROR, PIC + PIC_ENABLE, c3, 35
        li      s1, 0xC0000000
c4:     cas     t0, t1, (s1)
        expect_fault 4, V_BUS_ERROR, 0xC0000000, c4, 39
        li      s1, 0xF1000000          # the framebuffer is not RAM either
c6:     cas     t0, t1, (s1)
        expect_fault 5, V_BUS_ERROR, 0xF1000000, c6, 80
        clear_exc
        # in ring 3 with iopl 0, a device register is still a BUS_ERROR, not IO_PRIVILEGE
        drop_to 3
        li      s1, PIC + PIC_ENABLE
c5:     cas     t0, t1, (s1)
        expect_fault 1, V_BUS_ERROR, PIC + PIC_ENABLE, c5, 43
        expect_exc EXC_STATUS, 3, 47
        # and cas works from ring 3 on RAM (paging off: no page checks)
        li      t0, 0x55
        cas     t0, t1, (s0)
        expect  t0, 0x55, 48
        expect_word lock, 0x66, 49
        pass

        .data
        .balign 4
        .word   0
lock:   .word   0
        .word   0
