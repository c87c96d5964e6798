# The file service (ring 2): RFFS on the disk, for programs, through gates.
#
# It keeps the superblock and the whole directory in memory, reads and writes file data a
# sector at a time through the disk driver's gates (ring 1), and writes every change through
# to the disk at once (sync only flushes the disk's cache to the host). One lock serializes
# everything that touches the disk. It mounts the disk the first time it is used.

        .include "fs.inc"

        .section .fs.text, "ax"
# fs_begin() -> a0 = 0 or an error: takes the lock and mounts on first use. On an error the
# lock is released again.
        .global fs_begin
fs_begin:
        enter   0
        lock_acquire fs_lock
        lw      t0, fs_mounted
        li      a0, 0
        bnez    t0, 1f
        call    mount
        beqz    a0, 1f
        mv      t3, a0
        lock_release fs_lock
        mv      a0, t3
1:      leave   0

# fs_end(a0 = result) -> a0: releases the lock.
        .global fs_end
fs_end:
        lock_release fs_lock
        ret

# mount() -> 0, E_NODEV (no disk) or E_IO (not RFFS, or a directory too large to hold).
mount:
        enter   2
        callg   D_DISK_INFO
        li      t0, E_NODEV
        beqz    a0, 9f
        li      a0, 0
        li      a1, 1
        la      a2, sb
        callg   D_DISK_READ
        bnez    a0, 9f
        la      s0, sb
        li      a0, E_IO
        lw      t0, SB_MAGIC(s0)
        li      t1, RFFS_MAGIC
        bne     t0, t1, 9f
        lw      t0, SB_VERSION(s0)
        li      t1, RFFS_VERSION
        bne     t0, t1, 9f
        lw      t0, SB_DIR_SECTORS(s0)
        beqz    t0, 9f
        li      t1, DIR_SECTORS_MAX
        bltu    t1, t0, 9f
        lw      t1, SB_FILE_COUNT(s0)           # the counts must fit the directory
        lw      t2, SB_DIR_ENTRIES(s0)
        bltu    t2, t1, 9f
        slli    t3, t0, 4
        bltu    t3, t2, 9f
        lw      a0, SB_DIR_START(s0)
        mv      a1, t0
        la      a2, dir
        callg   D_DISK_READ
        bnez    a0, 9f
        li      t0, 1
        sw      t0, fs_mounted, t1
        li      a0, 0
        leave   2
9:      leave   2

# sb_write() -> 0 or E_IO: the superblock back to sector 0.
        .global sb_write
sb_write:
        enter   0
        li      a0, 0
        li      a1, 1
        la      a2, sb
        callg   D_DISK_WRITE
        leave   0

# read_sectors(a0 = sector, a1 = count, a2 = buffer) -> 0 or E_IO, in commands of at most 256.
        .global read_sectors
read_sectors:
        enter   3
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
1:      li      a0, 0
        beqz    s1, 3f
        li      a1, 256
        bgeu    s1, a1, 2f
        mv      a1, s1
2:      sub     s1, s1, a1
        mv      a0, s0
        add     s0, s0, a1
        slli    t0, a1, 9
        mv      a2, s2
        add     s2, s2, t0
        callg   D_DISK_READ
        beqz    a0, 1b
3:      leave   3

# sync() gate -> 0 or E_IO: asks the disk to make written sectors durable.
        .global fs_sync
fs_sync:
        enter   0
        call    fs_begin
        bnez    a0, 9f
        callg   D_DISK_FLUSH
        call    fs_end
9:      gate_leave 0

        .section .fs.data, "aw"
        .balign 4
fs_lock:    .word   0
fs_mounted: .word   0

        .section .fs.bss, "aw", @nobits
        .balign 4
        .global sb, dir, secbuf, pathbuf
sb:         .space  SECTOR
dir:        .space  DIR_SECTORS_MAX * SECTOR
secbuf:     .space  SECTOR
pathbuf:    .space  32
