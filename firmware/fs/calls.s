# The file service's system calls: open, close, read, write, seek, unlink, readdir, stat.
# Every buffer a program passes is checked by the kernel (K_CHECK) before it is touched.

        .include "fs.inc"

        .section .fs.text, "ax"
# open(a0 = path, a1 = flags) -> descriptor, or E_FAULT, E_NAMETOOLONG, E_INVAL, E_NOENT,
# E_NFILE, E_NOSPC, E_IO.
        .global fs_open
fs_open:
        enter   3
        mv      s0, a0
        mv      s1, a1
        bnez    s1, 1f
        li      s1, O_READ                      # no flags: read
1:      call    fs_begin
        bnez    a0, 9f
        mv      a0, s0
        call    copy_path
        bnez    a0, 8f
        call    fd_alloc
        bltz    a0, 8f
        mv      s2, a0
        la      a0, pathbuf
        call    dir_lookup
        bgez    a0, 2f
        andi    t0, s1, O_CREATE
        li      a0, E_NOENT
        beqz    t0, 8f
        la      a0, pathbuf
        call    dir_create
        bltz    a0, 8f
        j       3f
2:      andi    t0, s1, O_TRUNC
        beqz    t0, 3f
        mv      s0, a0
        call    dir_entry
        sw      zero, DE_LENGTH(a0)
        mv      a0, s0
        call    dir_sync
        bnez    a0, 8f
        mv      a0, s0
3:      mv      s0, a0                          # the slot: fill in the descriptor
        mv      a0, s2
        call    fd_get_free
        li      t0, FD_FILE
        sw      t0, FD_KIND(a0)
        sw      s0, FD_SLOT(a0)
        sw      zero, FD_OFF(a0)
        sw      s1, FD_FLAGS(a0)
        mv      a0, s2
8:      call    fs_end
9:      gate_leave 3

# fd_get_free(a0 = descriptor number) -> a0 = its (free) descriptor.
fd_get_free:
        enter   1
        mv      s0, a0
        call    fd_row
        slli    t0, s0, 4
        add     a0, a0, t0
        addi    a0, a0, ROW_FDS
        leave   1

# close(a0 = fd) -> 0 or E_BADF.
        .global fs_close
fs_close:
        enter   0
        call    fd_get
        beqz    a0, 9f
        sw      zero, FD_KIND(a0)
        li      a0, 0
        gate_leave 0
9:      li      a0, E_BADF
        gate_leave 0

# read(a0 = fd, a1 = buffer, a2 = length) -> bytes read (0 at the end), or an error.
        .global fs_read
fs_read:
        enter   4
        mv      s1, a1
        mv      s2, a2
        call    fd_get
        beqz    a0, 7f
        mv      s0, a0
        mv      a0, s1
        mv      a1, s2
        li      a2, 1
        callg   K_CHECK
        bnez    a0, 9f
        lw      t0, FD_KIND(s0)
        li      t1, FD_CONSOLE
        bne     t0, t1, 1f
        mv      a0, s1                          # the console: no lock (the reader may wait long)
        mv      a1, s2
        callg   D_CONS_READ
        j       9f
1:      lw      t0, FD_FLAGS(s0)
        andi    t0, t0, O_READ
        beqz    t0, 7f
        call    fs_begin
        bnez    a0, 9f
        lw      a0, FD_SLOT(s0)
        call    dir_entry
        lw      t0, DE_LENGTH(a0)
        lw      t1, FD_OFF(s0)
        li      s3, 0
        bgeu    t1, t0, 2f
        sub     s3, t0, t1                      # bytes left in the file
        bgeu    s2, s3, 2f
        mv      s3, s2
2:      mv      a0, s0                          # s3 = bytes to read
        mv      a1, s1
        mv      a2, s3
        li      a3, 0
        call    file_io
        bnez    a0, 8f
        lw      t0, FD_OFF(s0)
        add     t0, t0, s3
        sw      t0, FD_OFF(s0)
        mv      a0, s3
8:      call    fs_end
        j       9f
7:      li      a0, E_BADF
9:      gate_leave 4

# write(a0 = fd, a1 = buffer, a2 = length) -> bytes written, or an error.
        .global fs_write
fs_write:
        enter   4
        mv      s1, a1
        mv      s2, a2
        call    fd_get
        beqz    a0, 7f
        mv      s0, a0
        mv      a0, s1
        mv      a1, s2
        li      a2, 0
        callg   K_CHECK
        bnez    a0, 9f
        lw      t0, FD_KIND(s0)
        li      t1, FD_CONSOLE
        bne     t0, t1, 1f
        mv      a0, s1
        mv      a1, s2
        callg   D_CONS_WRITE
        j       9f
1:      lw      t0, FD_FLAGS(s0)
        andi    t1, t0, O_WRITE | O_APPEND
        beqz    t1, 7f
        call    fs_begin
        bnez    a0, 9f
        lw      a0, FD_SLOT(s0)
        call    dir_entry
        mv      s3, a0                          # s3 = the directory entry
        lw      t0, FD_FLAGS(s0)
        andi    t0, t0, O_APPEND
        beqz    t0, 2f
        lw      t0, DE_LENGTH(s3)
        sw      t0, FD_OFF(s0)
2:      lw      t0, FD_OFF(s0)
        add     a1, t0, s2                      # the new end
        li      a0, E_INVAL
        bltu    a1, t0, 8f
        lw      t1, DE_LENGTH(s3)
        bgeu    t1, a1, 3f
        lw      a0, FD_SLOT(s0)
        call    file_grow
        bnez    a0, 8f
3:      mv      a0, s0
        mv      a1, s1
        mv      a2, s2
        li      a3, 1
        call    file_io
        bnez    a0, 8f
        lw      t0, FD_OFF(s0)
        add     t0, t0, s2
        sw      t0, FD_OFF(s0)
        lw      t1, DE_LENGTH(s3)
        bgeu    t1, t0, 4f
        sw      t0, DE_LENGTH(s3)               # the file got longer
        lw      a0, FD_SLOT(s0)
        call    dir_sync
        bnez    a0, 8f
4:      mv      a0, s2
8:      call    fs_end
        j       9f
7:      li      a0, E_BADF
9:      gate_leave 4

# file_io(a0 = descriptor, a1 = user buffer, a2 = bytes, a3 = 1 write / 0 read) -> 0 or E_IO:
# moves bytes between the buffer and the file from the descriptor's offset, a sector at a time
# through secbuf (a partly written sector is read first; one past the old end starts zeroed).
file_io:
        enter   8
        mv      s1, a1
        mv      s2, a2
        mv      s7, a3
        lw      s3, FD_OFF(a0)                  # s3 = file position
        lw      a0, FD_SLOT(a0)
        call    dir_entry
        mv      s0, a0                          # s0 = entry
        lw      s6, DE_LENGTH(s0)               # the length before this write
1:      li      a0, 0
        beqz    s2, 9f
        srli    s4, s3, 9
        lw      t0, DE_START(s0)
        add     s4, s4, t0                      # s4 = sector
        andi    s5, s3, SECTOR - 1              # s5 = offset in it
        li      t0, SECTOR
        sub     t0, t0, s5
        bgeu    s2, t0, 2f
        mv      t0, s2
2:      sw      t0, chunk, t1
        # Fill secbuf: read it unless a write covers the whole sector or starts past the end.
        beqz    s7, 3f
        li      t1, SECTOR
        beq     t0, t1, 4f
        sub     t1, s3, s5                      # file position of the sector's start
        bltu    t1, s6, 3f
        la      t1, secbuf
        li      t2, SECTOR
21:     sw      zero, 0(t1)
        addi    t1, t1, 4
        addi    t2, t2, -4
        bnez    t2, 21b
        j       4f
3:      mv      a0, s4
        li      a1, 1
        la      a2, secbuf
        callg   D_DISK_READ
        bnez    a0, 8f
4:      lw      t0, chunk
        la      t1, secbuf
        add     t1, t1, s5
        mv      t2, s1
        beqz    s7, 5f
        mv      t3, t1                          # write: user -> secbuf
        mv      t1, t2
        mv      t2, t3
5:      beqz    t0, 6f                          # copy t0 bytes from t1 to t2
        lbu     t3, 0(t1)
        sb      t3, 0(t2)
        addi    t1, t1, 1
        addi    t2, t2, 1
        addi    t0, t0, -1
        j       5b
6:      beqz    s7, 7f
        mv      a0, s4
        li      a1, 1
        la      a2, secbuf
        callg   D_DISK_WRITE
        bnez    a0, 8f
7:      lw      t0, chunk
        add     s1, s1, t0
        add     s3, s3, t0
        sub     s2, s2, t0
        j       1b
8:      li      a0, E_IO
9:      leave   8

# seek(a0 = fd, a1 = offset) -> 0, E_BADF (the console, or not open), E_INVAL (past the end).
        .global fs_seek
fs_seek:
        enter   2
        mv      s1, a1
        call    fd_get
        beqz    a0, 7f
        mv      s0, a0
        lw      t0, FD_KIND(s0)
        li      t1, FD_FILE
        bne     t0, t1, 7f
        call    fs_begin
        bnez    a0, 9f
        lw      a0, FD_SLOT(s0)
        call    dir_entry
        lw      t0, DE_LENGTH(a0)
        li      a0, E_INVAL
        bltu    t0, s1, 8f
        sw      s1, FD_OFF(s0)
        li      a0, 0
8:      call    fs_end
        j       9f
7:      li      a0, E_BADF
9:      gate_leave 2

# unlink(a0 = path) -> 0, or an error.
        .global fs_unlink
fs_unlink:
        enter   1
        mv      s0, a0
        call    fs_begin
        bnez    a0, 9f
        mv      a0, s0
        call    find_path
        bltz    a0, 8f
        call    dir_remove
8:      call    fs_end
9:      gate_leave 1

# readdir(a0 = index, a1 = dirent*) -> 1 with the entry, 0 past the last one.
        .global fs_readdir
fs_readdir:
        enter   2
        mv      s0, a0
        mv      s1, a1
        mv      a0, s1
        li      a1, DIRENT_BYTES
        li      a2, 1
        callg   K_CHECK
        bnez    a0, 9f
        call    fs_begin
        bnez    a0, 9f
        lw      t0, sb + SB_FILE_COUNT
        li      a0, 0
        bgeu    s0, t0, 8f
        mv      a0, s0
        call    dir_entry
        mv      a1, s1
        call    fill_dirent
        li      a0, 1
8:      call    fs_end
9:      gate_leave 2

# stat(a0 = path, a1 = dirent*) -> 0 with the file's entry, or an error.
        .global fs_stat
fs_stat:
        enter   2
        mv      s0, a0
        mv      s1, a1
        mv      a0, s1
        li      a1, DIRENT_BYTES
        li      a2, 1
        callg   K_CHECK
        bnez    a0, 9f
        call    fs_begin
        bnez    a0, 9f
        mv      a0, s0
        call    find_path
        bltz    a0, 8f
        call    dir_entry
        mv      a1, s1
        call    fill_dirent
        li      a0, 0
8:      call    fs_end
9:      gate_leave 2

# fill_dirent(a0 = directory entry, a1 = the program's dirent): name and size, byte by byte
# (the program's record need not be aligned).
fill_dirent:
        li      t0, 0
1:      add     t1, a0, t0
        lbu     t2, 0(t1)
        add     t1, a1, t0
        sb      t2, 0(t1)
        addi    t0, t0, 1
        li      t1, DIRENT_SIZE
        bltu    t0, t1, 1b
        lw      t2, DE_LENGTH(a0)
        addi    t1, a1, DIRENT_SIZE
        li      t0, 4
2:      sb      t2, 0(t1)
        srli    t2, t2, 8
        addi    t1, t1, 1
        addi    t0, t0, -1
        bnez    t0, 2b
        ret

        .section .fs.bss, "aw", @nobits
        .balign 4
chunk:      .space  4                           # file_io: bytes in this sector
