# dev_rffs.s — a tiny RFFS reader (docs/disk-format.md), as a toy OS would have: check the
# superblock, find `hello.txt` in the directory, read its sectors, print it on the UART.

        .include "check.inc"
        .include "dev_regs.inc"

        .equ    SB, DATA_AREA                   # sector 0
        .equ    DIR, DATA_AREA + 0x1000         # the directory
        .equ    FILE, DATA_AREA + 0x10000       # the file

main:
        disk_cmd DC_READ, 0, 1, SB
        expect  a0, 0, 1
        li      s1, SB
        lw      t0, 0(s1)
        expect  t0, 0x53464652, 2               # "RFFS"
        lw      t0, 4(s1)
        expect  t0, 1, 3                        # version
        # read the directory: dir_start (+0x0C), dir_sectors (+0x10)
        li      t1, DISK
        lw      t0, 0x0C(s1)
        sw      t0, DISK_SECTOR(t1)
        lw      t0, 0x10(s1)
        sw      t0, DISK_COUNT(t1)
        li      t0, DIR
        sw      t0, DISK_ADDR(t1)
        li      t0, DC_READ
        sw      t0, DISK_CMD(t1)
1:      lw      t0, DISK_STATUS(t1)
        andi    t0, t0, DS_DONE
        beqz    t0, 1b
        lw      t0, DISK_ERROR(t1)
        expect  t0, 0, 4
        # look for the name among file_count (+0x18) entries of 32 bytes
        lw      s2, 0x18(s1)                    # entries left
        li      s3, DIR
2:      beqz    s2, 8f
        mv      a1, s3
        la      a2, wanted
        jal     streq
        bnez    a0, 3f
        addi    s3, s3, 32
        addi    s2, s2, -1
        j       2b
3:      lw      s4, 24(s3)                      # start sector
        lw      s5, 28(s3)                      # length in bytes
        addi    t0, s5, 511
        srli    t0, t0, 9                       # sectors
        beqz    t0, 5f
        li      t1, DISK
        sw      s4, DISK_SECTOR(t1)
        sw      t0, DISK_COUNT(t1)
        li      t0, FILE
        sw      t0, DISK_ADDR(t1)
        li      t0, DC_READ
        sw      t0, DISK_CMD(t1)
4:      lw      t0, DISK_STATUS(t1)
        andi    t0, t0, DS_DONE
        beqz    t0, 4b
        lw      t0, DISK_ERROR(t1)
        expect  t0, 0, 5
        # print it
5:      li      t1, UART
        li      t2, FILE
6:      beqz    s5, 7f
        lbu     t0, 0(t2)
        sw      t0, UART_DATA(t1)
        addi    t2, t2, 1
        addi    s5, s5, -1
        j       6b
7:      pass
8:      li      a0, 9                           # not found
        j       check_failed

# a0 = 1 if the NUL-terminated strings at a1 and a2 are equal.
streq:
        lbu     t0, 0(a1)
        lbu     t1, 0(a2)
        bne     t0, t1, 2f
        beqz    t0, 1f
        addi    a1, a1, 1
        addi    a2, a2, 1
        j       streq
1:      li      a0, 1
        ret
2:      li      a0, 0
        ret

        .rodata
wanted: .asciz  "hello.txt"
