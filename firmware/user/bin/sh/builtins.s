# builtins.s: the shell's built-in commands in one table (name, function, help text), and
# run, which looks a command's name up in it and otherwise starts the program of that name.
# The commands themselves are in files.s, procs.s, system.s and rings.s; complain and usage
# print the messages they share.

        .include "sh.inc"

        .text
        .global run, builtins, complain, usage

# run(argc, background): run a built-in command if argv[0] names one, else the program.
run:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        sw      s1, 4(sp)
        sw      s2, 0(sp)
        mv      s0, a0
        mv      s1, a1
        la      s2, builtins
1:      lw      a0, 0(s2)               # the name; 0 ends the table
        beqz    a0, 2f
        lw      a1, argv
        call    strcmp
        beqz    a0, 3f
        addi    s2, s2, BUILTIN_BYTES
        j       1b
3:      lw      t0, 4(s2)               # found: call it with (argc, argv)
        mv      a0, s0
        la      a1, argv
        jalr    t0
        j       4f
2:      mv      a0, s1                  # not built in: a program
        call    run_program
4:      lw      s2, 0(sp)
        lw      s1, 4(sp)
        lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

# complain(cmd, name, code): print "cmd: name: message" on standard error.
complain:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      a0, 4(sp)
        sw      a1, 0(sp)
        mv      a0, a2
        call    strerror
        mv      a4, a0
        lw      a3, 0(sp)
        lw      a2, 4(sp)
        li      a0, STDERR
        la      a1, complain_fmt
        call    fprintf
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

# usage(text): print "usage: text" and a newline.
usage:
        mv      a1, a0
        la      a0, usage_fmt
        j       printf

        .data
# The built-in commands, BUILTIN_BYTES each: name, function, help text. BUILTIN adds one
# entry. Each function is called as cmd(argc, argv).
        .macro  BUILTIN name, func, help
        .pushsection .rodata
.Lname\@: .asciz "\name"
.Lhelp\@: .asciz \help
        .popsection
        .word   .Lname\@, \func, .Lhelp\@
        .endm
        .balign 4
builtins:
        BUILTIN help,     cmd_help,     "this list"
        BUILTIN ls,       cmd_ls,       "the files on the disk and their sizes"
        BUILTIN cat,      cmd_cat,      "cat FILE...: print files"
        BUILTIN echo,     cmd_echo,     "echo WORDS... [> FILE | >> FILE]: print words"
        BUILTIN rm,       cmd_rm,       "rm FILE...: remove files"
        BUILTIN ps,       cmd_ps,       "the processes"
        BUILTIN kill,     cmd_kill,     "kill PID: end a process"
        BUILTIN wait,     cmd_wait,     "wait for the background programs to finish"
        BUILTIN mem,      cmd_mem,      "memory in use and free"
        BUILTIN rings,    cmd_rings,    "who runs in which ring, and the gates between them"
        BUILTIN uname,    cmd_uname,    "the system's version"
        BUILTIN version,  cmd_uname,    "the same as uname"
        BUILTIN clear,    cmd_clear,    "clear the screen"
        BUILTIN sync,     cmd_sync,     "write everything to the disk"
        BUILTIN poweroff, cmd_poweroff, "sync and switch off"
        BUILTIN exit,     cmd_exit,     "exit [STATUS]: leave the shell"
        .word   0

        .rodata
complain_fmt:   .asciz "%s: %s: %s\n"
usage_fmt:      .asciz "usage: %s\n"
