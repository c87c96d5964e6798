# The directory: finding, creating and removing entries, and writing them back.
# Entries in use are the first file_count slots (a removed entry's place is taken by the last).

        .include "fs.inc"

        .section .fs.text, "ax"
# copy_path(a0 = user path) -> a0 = 0, E_FAULT, E_NAMETOOLONG or E_INVAL: the name, checked
# by the kernel as it copies, lands in pathbuf; 1..NAME_MAX printable characters, no `/`.
        .global copy_path
copy_path:
        enter   0
        mv      a1, a0
        la      a0, pathbuf
        li      a2, NAME_MAX + 1
        callg   K_COPYSTR
        bltz    a0, 9f
        li      t0, E_INVAL
        beqz    a0, 8f
        la      t1, pathbuf
1:      lbu     t2, 0(t1)
        beqz    t2, 7f
        li      t3, '!'
        bltu    t2, t3, 8f                      # space and control characters
        li      t3, '~'
        bltu    t3, t2, 8f
        li      t3, '/'
        beq     t2, t3, 8f
        addi    t1, t1, 1
        j       1b
7:      li      a0, 0
        leave   0
8:      mv      a0, t0
9:      leave   0

# find_path(a0 = user path) -> a0 = the slot of that file, or E_FAULT, E_NAMETOOLONG,
# E_INVAL (copy_path) or E_NOENT. (For the calls that name an existing file.)
        .global find_path
find_path:
        enter   0
        call    copy_path
        bnez    a0, 9f
        la      a0, pathbuf
        call    dir_lookup
        bgez    a0, 9f
        li      a0, E_NOENT
9:      leave   0

# dir_entry(a0 = slot) -> a0 = its address in the directory buffer.
        .global dir_entry
dir_entry:
        slli    a0, a0, 5
        la      t0, dir
        add     a0, a0, t0
        ret

# dir_lookup(a0 = name) -> a0 = slot, or -1.
        .global dir_lookup
dir_lookup:
        enter   3
        mv      s0, a0
        li      s1, 0
        lw      s2, sb + SB_FILE_COUNT
1:      bgeu    s1, s2, 8f
        mv      a0, s1
        call    dir_entry
        mv      t0, s0                          # compare NUL-terminated names
2:      lbu     t1, 0(t0)
        lbu     t2, 0(a0)
        bne     t1, t2, 3f
        beqz    t1, 7f
        addi    t0, t0, 1
        addi    a0, a0, 1
        j       2b
3:      addi    s1, s1, 1
        j       1b
7:      mv      a0, s1
        leave   3
8:      li      a0, -1
        leave   3

# dir_create(a0 = name) -> a0 = slot of a new empty file, or E_NOSPC.
        .global dir_create
dir_create:
        enter   2
        mv      s0, a0
        la      t0, sb
        lw      s1, SB_FILE_COUNT(t0)
        lw      t1, SB_DIR_ENTRIES(t0)
        li      a0, E_NOSPC
        bgeu    s1, t1, 9f
        addi    t1, s1, 1
        sw      t1, SB_FILE_COUNT(t0)
        mv      a0, s1
        call    dir_entry
        li      t0, 0                           # name, NUL-padded to 24 bytes
1:      add     t1, s0, t0
        lbu     t1, 0(t1)
        add     t2, a0, t0
        sb      t1, 0(t2)
        addi    t0, t0, 1
        bnez    t1, 1b
2:      li      t3, DE_START
        bgeu    t0, t3, 3f
        add     t2, a0, t0
        sb      zero, 0(t2)
        addi    t0, t0, 1
        j       2b
3:      lw      t1, sb + SB_DATA_END            # an empty file "starts" where free space does
        sw      t1, DE_START(a0)
        sw      zero, DE_LENGTH(a0)
        mv      a0, s1
        call    dir_sync
        bnez    a0, 9f
        mv      a0, s1
9:      leave   2

# dir_remove(a0 = slot) -> 0 or E_IO: the last entry moves into its place; open descriptors
# follow the move (those of the removed file are closed).
        .global dir_remove
dir_remove:
        enter   3
        mv      s0, a0
        la      t0, sb
        lw      s1, SB_FILE_COUNT(t0)
        addi    s1, s1, -1                      # the last slot
        sw      s1, SB_FILE_COUNT(t0)
        mv      a0, s0
        li      a1, -1
        call    fds_retarget                    # file.s: close the removed file's descriptors
        mv      a0, s1
        mv      a1, s0
        call    fds_retarget                    # and move the last one's
        mv      a0, s1
        call    dir_entry
        mv      s2, a0
        mv      a0, s0
        call    dir_entry
        li      t0, 0
1:      add     t1, s2, t0                      # copy the last entry here, then clear it
        lw      t2, 0(t1)
        add     t3, a0, t0
        sw      t2, 0(t3)
        sw      zero, 0(t1)
        addi    t0, t0, 4
        li      t1, DE_SIZE
        bltu    t0, t1, 1b
        beq     s0, s1, 2f                      # (it was the last: cleared above)
        mv      a0, s0
        call    dir_sync
        bnez    a0, 9f
2:      mv      a0, s1
        call    dir_sync
9:      leave   3

# dir_sync(a0 = slot) -> 0 or E_IO: writes the directory sector holding the slot, and the
# superblock (with data_end recomputed).
        .global dir_sync
dir_sync:
        enter   1
        srli    s0, a0, 4                       # 16 entries per sector
        call    update_data_end
        lw      a0, sb + SB_DIR_START
        add     a0, a0, s0
        li      a1, 1
        slli    t0, s0, 9
        la      a2, dir
        add     a2, a2, t0
        callg   D_DISK_WRITE
        bnez    a0, 9f
        call    sb_write
9:      leave   1

# update_data_end(): data_end = the end of the highest file extent (data_start if none).
update_data_end:
        enter   0
        la      t0, sb
        lw      t1, SB_DATA_START(t0)
        lw      t2, SB_FILE_COUNT(t0)
        la      t3, dir
1:      beqz    t2, 3f
        lw      t4, DE_LENGTH(t3)
        beqz    t4, 2f
        addi    t4, t4, SECTOR - 1
        srli    t4, t4, 9
        lw      t5, DE_START(t3)
        add     t4, t4, t5
        bgeu    t1, t4, 2f
        mv      t1, t4
2:      addi    t3, t3, DE_SIZE
        addi    t2, t2, -1
        j       1b
3:      sw      t1, SB_DATA_END(t0)
        leave   0
