# privilege.s — rings 1, 2 and 3 (§7): each of the seven sensitive instructions (mfcr, mtcr,
# iret, halt, wfi, tlbflush, tlbinval) raises PRIVILEGE (vector 2, faddr = frame pc = the
# instruction) outside ring 0 and has no effect; and device (MMIO / framebuffer) accesses need
# CPL <= iopl, else IO_PRIVILEGE (vector 9, faddr = the address).
        .include "check.inc"

# priv_was: the instruction at \at (just executed in ring \ring) must have raised PRIVILEGE,
# exception number \n since clear_exc. Uses ids \id .. \id+4.
        .macro  priv_was n, ring, at, id
        expect_fault \n, V_PRIVILEGE, \at, \at, \id
        expect_exc EXC_STATUS, \ring, \id+4     # old status: ring \ring, IE 0, PG 0
        .endm

# all_priv: the seven instructions in ring \ring (the program is already there).
        .macro  all_priv ring, id
        clear_exc
        li      t0, 0x5A5A5A5A
1:      mfcr    t0, status
        priv_was 1, \ring, 1b, \id
        expect  t0, 0x5A5A5A5A, \id+5           # rd unchanged
        li      t1, 0                           # would make this ring 0 if it executed
2:      mtcr    status, t1
        priv_was 2, \ring, 2b, \id+10
3:      mtcr    iopl, t0
        priv_was 3, \ring, 3b, \id+20
        mv      s1, sp
4:      iret
        priv_was 4, \ring, 4b, \id+30
        expect_eq sp, s1, \id+35                # no frame was popped
5:      halt                                    # the machine does not stop
        priv_was 5, \ring, 5b, \id+40
6:      wfi                                     # nor sleep
        priv_was 6, \ring, 6b, \id+50
7:      tlbflush
        priv_was 7, \ring, 7b, \id+60
8:      tlbinval t0
        priv_was 8, \ring, 8b, \id+70
9:      mfcr    t0, cycle                       # even reading the cycle counter
        priv_was 9, \ring, 9b, \id+80
        .endm

main:
        drop_to 1
        all_priv 1, 100
        drop_to 2
        all_priv 2, 200
        drop_to 3
        all_priv 3, 300
        # the mtcr attempts changed nothing: back in ring 0, iopl is still 0
        rise_to 0
        expect_cr iopl, 0, 400
        expect_cr status, 0, 401

        # ---- iopl: device accesses need CPL <= iopl
        clear_exc
        li      s0, PIC
        li      t0, 7
        sw      t0, PIC_PRIO + 4 * 3(s0)        # ring 0 may always: PRIORITY[3] = 7
        drop_to 3                               # iopl 0, ring 3
        li      t0, 0x11111111
a1:     lw      t0, PIC_PRIO + 4 * 3(s0)
        expect  t0, 0x11111111, 500             # rd unchanged
        expect_fault 1, V_IO_PRIVILEGE, PIC + PIC_PRIO + 12, a1, 501
        expect_exc EXC_STATUS, 3, 505
        li      t1, 2
a2:     sw      t1, PIC_PRIO + 4 * 3(s0)
        expect_fault 2, V_IO_PRIVILEGE, PIC + PIC_PRIO + 12, a2, 506
        # IO_PRIVILEGE comes before the bus checks (width, undefined register) ...
a3:     lb      t0, PIC_PRIO(s0)
        expect_fault 3, V_IO_PRIVILEGE, PIC + PIC_PRIO, a3, 510
a4:     lw      t0, 0x800(s0)
        expect_fault 4, V_IO_PRIVILEGE, PIC + 0x800, a4, 514
        # ... but after the alignment check
a5:     lw      t0, PIC_PRIO + 2(s0)
        expect_fault 5, V_MISALIGNED, PIC + PIC_PRIO + 2, a5, 518
        # the framebuffer is a device window too
        li      s1, 0xF1000000
a6:     sb      t1, 0(s1)
        expect_fault 6, V_IO_PRIVILEGE, 0xF1000000, a6, 522
        # ring 1 with iopl 0: refused as well
        rise_to 0
        drop_to 1
a7:     lw      t0, PIC_ENABLE(s0)
        expect_fault 7, V_IO_PRIVILEGE, PIC + PIC_ENABLE, a7, 526
        expect_exc EXC_STATUS, 1, 530

        # iopl = 1: ring 1 may, ring 2 and 3 may not
        rise_to 0
        li      t0, 0xFFFFFFF5                  # only bits 1:0 are kept: iopl = 1
        mtcr    iopl, t0
        expect_cr iopl, 1, 540
        drop_to 1
        lw      t0, PIC_PRIO + 4 * 3(s0)        # ring 1 reads PRIORITY[3]
        expect  t0, 7, 541
        li      t1, 9
        sw      t1, PIC_PRIO + 4 * 3(s0)        # and writes it
        lw      t0, PIC_PRIO + 4 * 3(s0)
        expect  t0, 9, 542
        li      t1, 0xAB
        sb      t1, 0(s1)                       # any width in the framebuffer
        lbu     t0, 0(s1)
        expect  t0, 0xAB, 539
        expect_exc_count 7, 543                 # nothing faulted
        drop_to 2
a8:     lw      t0, PIC_PRIO + 4 * 3(s0)
        expect_fault 8, V_IO_PRIVILEGE, PIC + PIC_PRIO + 12, a8, 544
        expect_exc EXC_STATUS, 2, 548
        drop_to 3
a9:     sw      t1, PIC_ENABLE(s0)
        expect_fault 9, V_IO_PRIVILEGE, PIC + PIC_ENABLE, a9, 549
        # iopl = 3: ring 3 may too
        rise_to 0
        li      t0, 3
        mtcr    iopl, t0
        drop_to 3
        lw      t0, PIC_PRIO + 4 * 3(s0)
        expect  t0, 9, 560
        expect_exc_count 9, 561
        pass
