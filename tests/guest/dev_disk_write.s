# dev_disk_write.s — writes sectors 10..12 of a 128-sector disk with a pattern (word i of the
# three sectors = 0xD15C0000 + i), waiting for the completion interrupt, flushes, and powers
# off with code 0. dev_disk_read.s reads them back in a second run.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    BUF, DATA_AREA + 0x1000
        .equ    R_IRQS, DATA_AREA

main:
        li      s1, DISK
        lw      t0, DISK_STATUS(s1)
        expect  t0, DS_PRESENT, 1       # present, writable, idle
        lw      t0, DISK_CAPACITY(s1)
        expect  t0, 128, 2
        # the pattern
        li      t0, BUF
        li      t1, 0xD15C0000
        li      t2, 384
1:      sw      t1, 0(t0)
        addi    t0, t0, 4
        addi    t1, t1, 1
        addi    t2, t2, -1
        bnez    t2, 1b
        # WRITE, completion by interrupt
        set_vec V_IRQ0 + IRQ_DISK, disk_isr, D_P + 3 * D_DPL
        pic_enable IRQ_DISK
        li      t0, 1
        sw      t0, DISK_CTRL(s1)
        li      t0, 10
        sw      t0, DISK_SECTOR(s1)
        li      t0, 3
        sw      t0, DISK_COUNT(s1)
        li      t0, BUF
        sw      t0, DISK_ADDR(s1)
        li      t0, DC_WRITE
        sw      t0, DISK_CMD(s1)
        lw      t0, DISK_STATUS(s1)
        expect  t0, DS_PRESENT + DS_BUSY, 3
        ints_on
2:      li      t1, R_IRQS
        lw      t0, 0(t1)
        bnez    t0, 3f
        wfi
        j       2b
3:      ints_off
        lw      t0, DISK_ERROR(s1)
        expect  t0, 0, 4
        sw      zero, DISK_CTRL(s1)
        # FLUSH: the data is in the image file now
        disk_cmd DC_FLUSH, 0, 0, 0
        expect  a0, 0, 5
        li      t1, POWER
        sw      zero, POWER_OFF(t1)
        j       .

disk_isr:
        mtcr    scratch0, t0
        mtcr    scratch1, t1
        li      t1, DISK
        lw      t0, DISK_STATUS(t1)
        li      t1, R_IRQS
        sw      t0, 0(t1)               # STATUS at completion (DONE | PRESENT)
        li      t1, PIC
        li      t0, IRQ_DISK
        sw      t0, PIC_EOI(t1)
        mfcr    t1, scratch1
        mfcr    t0, scratch0
        iret
