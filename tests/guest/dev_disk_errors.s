# dev_disk_errors.s — every malformed command is a device error status (never a crash), and a
# command while busy is ignored. Runs with a 128-sector disk and 4 MiB of RAM.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    BUF, DATA_AREA

main:
        disk_cmd DC_READ, 127, 2, BUF           # runs past the end
        expect  a0, DE_OUT_OF_RANGE, 1
        disk_cmd DC_WRITE, 0xFFFFFFFF, 1, BUF   # far past the end
        expect  a0, DE_OUT_OF_RANGE, 2
        disk_cmd DC_READ, 128, 1, BUF           # one past the last sector
        expect  a0, DE_OUT_OF_RANGE, 3
        disk_cmd DC_READ, 127, 1, BUF           # the last sector is fine
        expect  a0, 0, 4
        disk_cmd DC_READ, 0, 0, BUF             # no sectors
        expect  a0, DE_BAD_COUNT, 5
        disk_cmd DC_READ, 0, 257, BUF           # too many
        expect  a0, DE_BAD_COUNT, 6
        disk_cmd DC_READ, 0, 1, 0x3FFF00        # DMA buffer runs off the end of RAM
        expect  a0, DE_BAD_ADDRESS, 7
        disk_cmd DC_WRITE, 0, 1, 0xF0000000     # DMA from the MMIO window
        expect  a0, DE_BAD_ADDRESS, 8
        disk_cmd DC_READ, 0, 1, 0xFFFFFF00      # wraps around
        expect  a0, DE_BAD_ADDRESS, 9
        disk_cmd 9, 0, 1, BUF                   # no such command
        expect  a0, DE_BAD_COMMAND, 10
        # a command while busy is ignored: the READ completes normally
        li      s1, DISK
        li      t0, 0
        sw      t0, DISK_SECTOR(s1)
        li      t0, 1
        sw      t0, DISK_COUNT(s1)
        li      t0, BUF
        sw      t0, DISK_ADDR(s1)
        li      t0, DC_READ
        sw      t0, DISK_CMD(s1)
        li      t0, 9
        sw      t0, DISK_CMD(s1)                # ignored
        lw      t0, DISK_STATUS(s1)
        expect  t0, DS_PRESENT + DS_BUSY, 11
1:      lw      t0, DISK_STATUS(s1)
        andi    t0, t0, DS_DONE
        beqz    t0, 1b
        lw      t0, DISK_ERROR(s1)
        expect  t0, 0, 12
        # the registers read back
        lw      t0, DISK_SECTOR(s1)
        expect  t0, 0, 13
        lw      t0, DISK_ADDR(s1)
        expect  t0, BUF, 14
        pass
