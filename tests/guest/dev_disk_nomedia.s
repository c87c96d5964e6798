# dev_disk_nomedia.s — without -drive the controller is there but empty: NO_MEDIUM.

        .include "check.inc"
        .include "dev_regs.inc"

main:
        li      s1, DISK
        lw      t0, DISK_STATUS(s1)
        expect  t0, 0, 1
        lw      t0, DISK_CAPACITY(s1)
        expect  t0, 0, 2
        disk_cmd DC_READ, 0, 1, DATA_AREA
        expect  a0, DE_NO_MEDIUM, 3
        pass
