# dev_disk_ro.s — a read-only disk: STATUS says so, WRITE fails with READ_ONLY and changes
# nothing, READ and FLUSH work.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    BUF, DATA_AREA

main:
        li      s1, DISK
        lw      t0, DISK_STATUS(s1)
        expect  t0, DS_PRESENT + DS_READONLY, 1
        li      t0, BUF
        li      t1, 0x55AA55AA
        sw      t1, 0(t0)
        disk_cmd DC_WRITE, 0, 1, BUF
        expect  a0, DE_READ_ONLY, 2
        lw      t0, DISK_STATUS(s1)
        expect  t0, DS_PRESENT + DS_READONLY + DS_DONE + DS_ERROR, 3
        li      t0, 1
        sw      t0, DISK_ACK(s1)
        lw      t0, DISK_STATUS(s1)
        expect  t0, DS_PRESENT + DS_READONLY, 4
        disk_cmd DC_READ, 0, 2, BUF
        expect  a0, 0, 5
        disk_cmd DC_FLUSH, 0, 0, 0
        expect  a0, 0, 6
        pass
