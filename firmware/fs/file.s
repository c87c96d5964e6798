# Open files: each process slot has a row of NOFILE descriptors, owned by the pid that last
# used the slot. A new pid finds a fresh row (0, 1, 2 = the console), so a process that exited
# leaves nothing behind to close.

        .include "fs.inc"

        .section .fs.text, "ax"
# fd_row() -> a0 = the calling process's row of descriptors.
        .global fd_row
fd_row:
        enter   1
        callg   K_SLOT                          # a0 = slot, a1 = pid
        li      t0, ROW_SIZE
        mul     t0, t0, a0
        la      s0, fdtab
        add     s0, s0, t0
        lw      t0, ROW_OWNER(s0)
        beq     t0, a1, 2f
        sw      a1, ROW_OWNER(s0)               # a new process in this slot
        addi    t0, s0, ROW_FDS
        li      t1, NOFILE
        li      t2, FD_CONSOLE
1:      sw      zero, FD_KIND(t0)
        sw      zero, FD_OFF(t0)
        li      t3, NOFILE - 3                  # the first three are the console
        bgeu    t3, t1, 11f
        sw      t2, FD_KIND(t0)
        li      t3, O_READ | O_WRITE
        sw      t3, FD_FLAGS(t0)
11:     addi    t0, t0, FD_SIZE
        addi    t1, t1, -1
        bnez    t1, 1b
2:      mv      a0, s0
        leave   1

# fd_get(a0 = descriptor) -> a0 = its open descriptor, or 0 (E_BADF for the caller).
        .global fd_get
fd_get:
        enter   1
        mv      s0, a0
        call    fd_row
        li      t0, NOFILE
        bgeu    s0, t0, 9f
        slli    t0, s0, 4                       # FD_SIZE = 16
        add     a0, a0, t0
        addi    a0, a0, ROW_FDS
        lw      t0, FD_KIND(a0)
        beqz    t0, 9f
        leave   1
9:      li      a0, 0
        leave   1

# fd_alloc() -> a0 = the lowest free descriptor number, or E_NFILE.
        .global fd_alloc
fd_alloc:
        enter   0
        call    fd_row
        addi    a0, a0, ROW_FDS
        li      t1, 0
1:      lw      t0, FD_KIND(a0)
        beqz    t0, 2f
        addi    a0, a0, FD_SIZE
        addi    t1, t1, 1
        li      t0, NOFILE
        bltu    t1, t0, 1b
        li      a0, E_NFILE
        leave   0
2:      mv      a0, t1
        leave   0

# fds_retarget(a0 = old slot, a1 = new slot or -1): every process's descriptors of file a0 now
# name a1 (or are closed, for -1).
        .global fds_retarget
fds_retarget:
        la      t0, fdtab + ROW_FDS
        li      t1, NPROC * NOFILE
1:      lw      t2, FD_KIND(t0)
        li      t3, FD_FILE
        bne     t2, t3, 3f
        lw      t2, FD_SLOT(t0)
        bne     t2, a0, 3f
        li      t3, -1
        bne     a1, t3, 2f
        sw      zero, FD_KIND(t0)
        j       3f
2:      sw      a1, FD_SLOT(t0)
3:      addi    t0, t0, FD_SIZE
        addi    t1, t1, -1
        li      t2, NOFILE                      # skip the owner word between rows
        remu    t2, t1, t2
        bnez    t2, 4f
        addi    t0, t0, ROW_FDS
4:      bnez    t1, 1b
        ret

        .section .fs.bss, "aw", @nobits
        .balign 4
fdtab:      .space  NPROC * ROW_SIZE
