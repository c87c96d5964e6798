# dev_disk_read.s — reads sectors 10..12 back (after dev_disk_write.s in an earlier run) and
# checks the pattern.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    BUF, DATA_AREA + 0x2000

main:
        disk_cmd DC_READ, 10, 3, BUF
        expect  a0, 0, 1
        li      t0, BUF
        li      t1, 0xD15C0000
        li      t2, 384
1:      lw      t3, 0(t0)
        bne     t3, t1, 2f
        addi    t0, t0, 4
        addi    t1, t1, 1
        addi    t2, t2, -1
        bnez    t2, 1b
        pass
2:      li      a0, 2
        j       check_failed
