# Disk space for growing files. A file's data is one contiguous run of sectors (an extent).
# A file grows in place when the sectors after it are free; otherwise it moves, whole, to the
# first free run that is large enough (first fit over the candidate starts: the data area's
# start and the end of every file). Space freed by a removed or moved file is reused this way.

        .include "fs.inc"

        .section .fs.text, "ax"
# sectors_of(a0 = bytes) -> a0 = sectors they occupy.
        .global sectors_of
sectors_of:
        addi    a0, a0, SECTOR - 1
        srli    a0, a0, 9
        ret

# extent_free(a0 = first sector, a1 = sectors, a2 = slot to ignore) -> a0 = 1 if the run is
# inside the data area and no other file's extent overlaps it.
extent_free:
        la      t0, sb
        lw      t1, SB_DATA_START(t0)
        bltu    a0, t1, 8f
        add     t2, a0, a1                      # end of the run
        bltu    t2, a0, 8f
        lw      t1, SB_TOTAL(t0)
        bltu    t1, t2, 8f
        lw      t3, SB_FILE_COUNT(t0)
        la      t4, dir
        li      t5, 0                           # slot
1:      bgeu    t5, t3, 7f
        beq     t5, a2, 2f
        lw      t6, DE_LENGTH(t4)
        beqz    t6, 2f
        addi    t6, t6, SECTOR - 1
        srli    t6, t6, 9
        lw      t1, DE_START(t4)
        add     t6, t6, t1                      # [t1, t6) is that file's extent
        bgeu    t1, t2, 2f                      # starts after the run
        bgeu    a0, t6, 2f                      # ends before it
        j       8f
2:      addi    t4, t4, DE_SIZE
        addi    t5, t5, 1
        j       1b
7:      li      a0, 1
        ret
8:      li      a0, 0
        ret

# find_free(a0 = sectors, a1 = slot to ignore) -> a0 = the lowest free run's first sector, or -1.
find_free:
        enter   5
        mv      s0, a0
        mv      s1, a1
        li      s2, -1                          # best so far
        lw      a0, sb + SB_DATA_START
        li      s3, -1                          # candidate index: -1 = the data start
1:      mv      s4, a0
        mv      a1, s0
        mv      a2, s1
        call    extent_free
        beqz    a0, 2f
        bgeu    s4, s2, 2f
        mv      s2, s4
2:      addi    s3, s3, 1                       # next candidate: the end of file s3
        lw      t0, sb + SB_FILE_COUNT
        bgeu    s3, t0, 9f
        mv      a0, s3
        call    dir_entry
        lw      t0, DE_LENGTH(a0)
        lw      t1, DE_START(a0)
        mv      a0, t0
        mv      s4, t1
        call    sectors_of
        add     a0, a0, s4
        j       1b
9:      mv      a0, s2
        leave   5

# file_grow(a0 = slot, a1 = new length) -> 0, E_NOSPC or E_IO: makes room for the new length
# (the length itself is set by the caller once the data is written).
        .global file_grow
file_grow:
        enter   6
        mv      s0, a0
        call    dir_entry
        mv      s1, a0                          # s1 = entry
        mv      a0, a1
        call    sectors_of
        mv      s2, a0                          # s2 = sectors needed
        lw      a0, DE_LENGTH(s1)
        call    sectors_of
        mv      s3, a0                          # s3 = sectors held
        li      a0, 0
        bgeu    s3, s2, 9f
        beqz    s3, 2f                          # an empty file has no place yet
        lw      t0, DE_START(s1)                # in place?
        add     a0, t0, s3
        sub     a1, s2, s3
        mv      a2, s0
        call    extent_free
        bnez    a0, 8f
2:      mv      a0, s2
        mv      a1, s0
        call    find_free
        li      t0, -1
        li      t1, E_NOSPC
        beq     a0, t0, 7f
        mv      s4, a0                          # s4 = new start: move the data there
        li      s5, 0
3:      bgeu    s5, s3, 4f
        lw      a0, DE_START(s1)
        add     a0, a0, s5
        li      a1, 1
        la      a2, secbuf
        callg   D_DISK_READ
        bnez    a0, 6f
        add     a0, s4, s5
        li      a1, 1
        la      a2, secbuf
        callg   D_DISK_WRITE
        bnez    a0, 6f
        addi    s5, s5, 1
        j       3b
4:      sw      s4, DE_START(s1)
        mv      a0, s0
        call    dir_sync
        j       9f
6:      li      t1, E_IO
7:      mv      a0, t1
        j       9f
8:      li      a0, 0
9:      leave   6
