# spawn: starts a program file. The file service reads the whole file (an ELF executable) into
# its exec buffer, then asks the kernel (K_EXEC) to build a process from it. The caller's
# argument line goes to the kernel as it is: the kernel copies it, checked.

        .include "fs.inc"

        .section .fs.text, "ax"
# spawn(a0 = path, a1 = argument line or 0) -> pid, or an error (E_NOENT, E_TOOBIG,
# E_NOEXEC, E_NOPROC, E_NOMEM, E_FAULT ...).
        .global fs_spawn
fs_spawn:
        enter   2
        mv      s0, a0
        mv      s1, a1
        call    fs_begin
        bnez    a0, 9f
        mv      a0, s0
        call    find_path
        bltz    a0, 8f
        call    dir_entry
        lw      s0, DE_LENGTH(a0)
        li      t0, EXEC_MAX
        li      t1, E_TOOBIG
        bltu    t0, s0, 6f
        li      t1, E_NOEXEC
        beqz    s0, 6f
        lw      t0, DE_START(a0)
        mv      a0, s0
        call    sectors_of
        mv      a1, a0
        mv      a0, t0
        la      a2, exec_buf
        call    read_sectors
        bnez    a0, 8f
        la      a0, exec_buf
        mv      a1, s0
        mv      a2, s1
        la      a3, pathbuf
        callg   K_EXEC
        j       8f
6:      mv      a0, t1
8:      call    fs_end
9:      gate_leave 2

        .section .fs.bss, "aw", @nobits
        .balign 4
exec_buf:   .space  EXEC_MAX
