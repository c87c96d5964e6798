# system.s: the shell's built-in commands about the system and the shell itself: help, mem,
# uname, clear, sync, poweroff and exit. Each is called as cmd(argc, argv).

        .include "sh.inc"
        .include "layout.inc"           # PAGE_SHIFT, for mem

        .text
        .global cmd_help, cmd_mem, cmd_uname, cmd_clear, cmd_sync, cmd_poweroff, cmd_exit

# help: the built-in commands with what they do, then the programs on the disk.
cmd_help:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        la      a0, help_head
        call    puts
        la      s0, builtins
1:      lw      a1, 0(s0)
        beqz    a1, 2f
        lw      a2, 8(s0)
        la      a0, help_fmt
        call    printf
        addi    s0, s0, BUILTIN_BYTES
        j       1b
2:      la      a0, help_progs
        call    print
        li      s0, 0                   # every file on the disk that is a program
3:      mv      a0, s0
        la      a1, rec
        call    readdir
        blez    a0, 4f
        addi    s0, s0, 1
        la      a0, rec + DIRENT_NAME
        call    is_program
        beqz    a0, 3b
        li      a0, ' '
        call    putc
        la      a0, rec + DIRENT_NAME
        call    print
        j       3b
4:      li      a0, '\n'
        call    putc
        la      a0, help_tail
        call    puts
        lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# is_program(name) -> 1 if the file starts like an executable (the ELF magic), else 0.
is_program:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      zero, 0(sp)             # the first word of the file
        li      a1, O_READ
        call    open
        bltz    a0, 2f
        mv      s0, a0
        mv      a1, sp
        li      a2, 4
        call    read
        mv      a0, s0
        call    close
2:      lw      t0, 0(sp)
        li      t1, 0x464c457f          # "\x7fELF" read as a little-endian word
        sub     t0, t0, t1
        seqz    a0, t0
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

# mem: how much memory there is, how much is free, how much the kernel image takes.
cmd_mem:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        la      a0, rec
        call    mem
        bltz    a0, 8f
        la      s0, rec
        la      a0, mem_total
        lw      a1, MI_TOTAL(s0)
        call    mem_line
        lw      a1, MI_TOTAL(s0)
        lw      t0, MI_FREE(s0)
        sub     a1, a1, t0
        la      a0, mem_used
        call    mem_line
        la      a0, mem_kernel
        lw      a1, MI_KERNEL(s0)
        call    mem_line
        la      a0, mem_free
        lw      a1, MI_FREE(s0)
        call    mem_line
        j       9f
8:      mv      a1, a0
        la      a0, mem_name
        call    perror
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# mem_line(label, pages): "label  N pages  K KiB".
mem_line:
        slli    a3, a1, PAGE_SHIFT - 10 # KiB = pages * (PAGE_SIZE / 1024)
        mv      a2, a1
        mv      a1, a0
        la      a0, mem_fmt
        j       printf

# uname: the kernel's version string.
cmd_uname:
        addi    sp, sp, -4
        sw      ra, 0(sp)
        la      a0, iobuf
        li      a1, IOBUF
        call    uname
        bltz    a0, 8f
        li      t0, IOBUF
        ble     a0, t0, 1f
        mv      a0, t0
1:      mv      a2, a0
        la      a1, iobuf
        li      a0, STDOUT
        call    write
        li      a0, '\n'
        call    putc
        j       9f
8:      mv      a1, a0
        la      a0, uname_name
        call    perror
9:      lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

# clear: clear the terminal (ANSI escape sequences: erase the screen, cursor home).
cmd_clear:
        la      a0, clear_seq
        j       print

# sync: make sure everything written has reached the disk.
cmd_sync:
        j       sync

# poweroff: write everything to the disk and switch the machine off.
cmd_poweroff:
        call    sync
        li      a0, 0
        call    poweroff

# exit [STATUS]: leave the shell.
cmd_exit:
        mv      t1, a0
        li      a0, 0
        li      t0, 2
        blt     t1, t0, 1f
        lw      a0, 4(a1)
        call    atoi
1:      call    exit

        .rodata
help_head:      .asciz "Built-in commands:"
help_fmt:       .asciz "  %-10s %s\n"
help_progs:     .asciz "Programs on the disk:"
help_tail:      .ascii "Type a program's name and its arguments to run it; end the line with &\n"
                .asciz "to run it in the background. Try: cat README"

mem_fmt:        .asciz "%-8s %8u pages %10u KiB\n"
mem_total:      .asciz "total"
mem_used:       .asciz "in use"
mem_kernel:     .asciz "kernel"
mem_free:       .asciz "free"
mem_name:       .asciz "mem"
uname_name:     .asciz "uname"
clear_seq:      .asciz "\e[2J\e[H"
