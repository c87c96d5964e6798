# sh: the shell. It reads a command line, splits it into words and either runs a built-in
# command or starts the program of that name from the disk and waits for it.
#
#   $ ls                    built-in: list the files
#   $ hello a b             a program: spawn("hello", "hello a b"), then wait for it
#   $ spin 5 &              a program in the background: prints [pid], no waiting
#   $ echo hi > f           echo can write to a file (> empties it first, >> appends)
#
# Before each prompt the shell collects background programs that have finished and prints
# "[pid] done (status N)". When the input ends (Ctrl-D, or the end of piped input) it syncs
# the disk and powers the machine off.
#
# The shell is an ordinary ring-3 program: everything it does goes through the gates in
# lib/sys.s, and it can do nothing a program could not.
#
# The shell is in several files, one job each:
#   main.s      this loop: prompt, read a line, run it; the end of input; the shared buffers
#   parse.s     the line into words, and a last "&"
#   builtins.s  the table of built-in commands; a line runs a built-in or else a program
#   run.s       starting a program, waiting for it, collecting finished background ones
#   files.s     the built-ins ls, cat, echo, rm
#   procs.s     the built-ins ps, kill, wait
#   system.s    the built-ins help, mem, uname, clear, sync, poweroff, exit
#   rings.s     the built-in rings: who runs in which ring, and the gate table
#   sh.inc      the sizes they share

        .include "sh.inc"

        .text
        .global main

# main: show the motd, then read and run commands until the input ends.
main:
        la      a0, motd_name           # greet with the motd, if the disk has one
        call    cat_file_quiet
loop:
        call    reap
        la      a0, prompt
        call    print
        li      a0, STDIN
        la      a1, line
        li      a2, LINE_MAX
        call    read
        blez    a0, end_of_input
        call    parse                   # a0 = argc, a1 = 1 if it ends with &
        beqz    a0, loop                # an empty line
        call    run
        j       loop

end_of_input:
        la      a0, bye
        call    puts
        call    sync
        li      a0, 0
        call    poweroff

        .rodata
motd_name:      .asciz "motd"
prompt:         .asciz "$ "
bye:            .asciz "\nend of input: sync and power off"

# The buffers the shell's files share.
        .global line, argline, argv, rec, status, iobuf
        .bss
        .balign 4
line:   .space  LINE_MAX + 1            # the command line, split into words in place
argline: .space LINE_MAX + 1            # the whole command line, for spawn
        .balign 4
argv:   .space  (ARGV_MAX + 1) * 4      # the words, then 0
rec:    .space  64                      # a dirent, procinfo, meminfo or gateinfo
status: .space  4                       # a child's exit status, from wait
iobuf:  .space  IOBUF
