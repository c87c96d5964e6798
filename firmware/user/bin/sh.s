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

        .include "abi.inc"
        .include "layout.inc"

        .equ    LINE_MAX, ARGLINE_MAX   # longest command line
        .equ    IOBUF, 128              # cat's buffer

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

# parse(n): the line holds n bytes from read. Make it a C string without its newline, keep a
# copy in argline for spawn, and split line into argv. A last word "&" asks for the
# background: it is dropped from both. Returns a0 = argc, a1 = 1 for "in the background".
parse:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        la      t0, line
        add     t1, t0, a0
        sb      zero, 0(t1)             # line[n] = 0
        lbu     t2, -1(t1)              # drop the newline (the console driver cuts a
        li      t3, '\n'                # line that is too long and keeps room for it)
        bne     t2, t3, 1f
        sb      zero, -1(t1)
1:      la      a0, argline
        la      a1, line
        call    strcpy
        la      a0, line
        la      a1, argv
        li      a2, ARGV_MAX
        call    split
        mv      s0, a0                  # argc
        li      a1, 0
        beqz    s0, 9f
        la      t0, argv                # is the last word "&"?
        slli    t1, s0, 2
        add     t1, t1, t0
        lw      t2, -4(t1)
        lbu     t3, 0(t2)
        li      t4, '&'
        bne     t3, t4, 3f
        lbu     t3, 1(t2)
        bnez    t3, 3f
        addi    s0, s0, -1              # yes: forget it
        la      a0, argline             # and cut argline at the last '&'
        call    cut_at_last_amp
        li      a1, 1
3:      la      t0, argv                # argv[argc] = 0
        slli    t1, s0, 2
        add     t1, t1, t0
        sw      zero, 0(t1)
        mv      a0, s0
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# cut_at_last_amp(s): end the string s at its last '&'.
cut_at_last_amp:
        li      t0, 0                   # the last '&' seen
        li      t2, '&'
1:      lbu     t1, 0(a0)
        beqz    t1, 2f
        bne     t1, t2, 3f
        mv      t0, a0
3:      addi    a0, a0, 1
        j       1b
2:      beqz    t0, 4f
        sb      zero, 0(t0)
4:      ret

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

# run_program(background): start the program argv[0] with the command line argline. In the
# foreground wait for it and report a nonzero exit status; in the background print its pid.
run_program:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        mv      s0, a0
        lw      a0, argv
        la      a1, argline
        call    spawn
        bltz    a0, 8f
        beqz    s0, 1f
        mv      a1, a0                  # background: [pid]
        la      a0, started_fmt
        call    printf
        j       9f
1:      la      a1, status              # foreground: wait(pid, &status)
        call    wait
        bltz    a0, 7f
        lw      a1, status
        beqz    a1, 9f
        la      a0, status_fmt
        call    printf
        j       9f
7:      mv      a1, a0                  # wait failed
        la      a0, wait_name
        call    perror
        j       9f
8:      mv      a2, a0                  # spawn failed: "sh: NAME: no such file"
        lw      a1, argv
        la      a0, sh_name
        call    complain
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# reap: collect background children that have finished, so they do not stay zombies, and
# say so. wait() would block while a child still runs, so first look for our zombie
# children in the process list; waiting for one of those returns at once.
reap:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      s1, 0(sp)
        call    getpid
        mv      s1, a0                  # our pid
1:      li      s0, 0                   # i: the process list, from the start
2:      mv      a0, s0
        la      a1, rec
        call    ps
        blez    a0, 9f                  # end of the list
        addi    s0, s0, 1
        la      t0, rec
        lw      t1, PI_PARENT(t0)
        bne     t1, s1, 2b
        lw      t1, PI_STATE(t0)
        li      t2, PSTATE_ZOMBIE
        bne     t1, t2, 2b
        lw      a0, PI_PID(t0)          # our child, finished
        la      a1, status
        call    wait
        blez    a0, 2b
        mv      a1, a0
        lw      a2, status
        la      a0, done_fmt
        call    printf
        j       1b                      # the list changed: look again
9:      lw      s1, 0(sp)
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
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

# ---------------------------------------------------------------------------------------
# Built-in commands. Each is called as cmd(argc, argv).

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

# ls: one line per file: its name and size in bytes.
cmd_ls:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        li      s0, 0
1:      mv      a0, s0
        la      a1, rec
        call    readdir
        beqz    a0, 9f
        bltz    a0, 8f
        la      a1, rec + DIRENT_NAME
        lw      a2, rec + DIRENT_SIZE
        la      a0, ls_fmt
        call    printf
        addi    s0, s0, 1
        j       1b
8:      mv      a1, a0
        la      a0, ls_name
        call    perror
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

# cat FILE...: print each file.
cmd_cat:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      s1, 0(sp)
        mv      s0, a0
        addi    s1, a1, 4               # argv + 1
        li      t0, 2
        bge     s0, t0, 1f
        la      a0, cat_usage
        call    usage
        j       9f
1:      addi    s0, s0, -1              # files left
2:      beqz    s0, 9f
        lw      a0, 0(s1)
        call    cat_file
        addi    s1, s1, 4
        addi    s0, s0, -1
        j       2b
9:      lw      s1, 0(sp)
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

# cat_file(name): copy a file to standard output; complain if it cannot be read.
# cat_file_quiet(name): the same, but a missing file is not worth a word.
cat_file:
        li      a1, 0
        j       1f
cat_file_quiet:
        li      a1, 1
1:      addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        sw      s1, 4(sp)
        sw      s2, 0(sp)
        mv      s1, a0                  # name
        mv      s2, a1                  # quiet
        li      a1, O_READ
        call    open
        mv      s0, a0                  # fd
        bgez    s0, 2f
        bnez    s2, 9f
        mv      a2, s0
        j       8f
2:      mv      a0, s0                  # copy until read returns 0
        la      a1, iobuf
        li      a2, IOBUF
        call    read
        blez    a0, 3f
        mv      a2, a0
        li      a0, STDOUT
        la      a1, iobuf
        call    write
        j       2b
3:      mv      s2, a0                  # 0, or an error code
        mv      a0, s0
        call    close
        beqz    s2, 9f
        mv      a2, s2
8:      la      a0, cat_name            # "cat: NAME: message"
        mv      a1, s1
        call    complain
9:      lw      s2, 0(sp)
        lw      s1, 4(sp)
        lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

# echo WORDS... [> FILE | >> FILE]: print the words separated by spaces, on standard output
# or into FILE (> empties it first, >> appends). "> FILE" and ">FILE" both work.
cmd_echo:
        addi    sp, sp, -20
        sw      ra, 16(sp)
        sw      s0, 12(sp)
        sw      s1, 8(sp)
        sw      s2, 4(sp)
        sw      s3, 0(sp)
        mv      s0, a0                  # argc
        mv      s1, a1                  # argv
        li      s2, STDOUT              # where the words go
        mv      s3, a0                  # how many argv entries to print (up to a '>')
        li      t0, 1                   # look for a word that starts with '>'
1:      bge     t0, s0, 4f
        slli    t1, t0, 2
        add     t1, t1, s1
        lw      t2, 0(t1)               # argv[i]
        lbu     t3, 0(t2)
        li      t4, '>'
        beq     t3, t4, 2f
        addi    t0, t0, 1
        j       1b
2:      mv      s3, t0                  # print argv[1 .. i-1]
        li      a1, O_WRITE | O_CREATE | O_TRUNC
        addi    a0, t2, 1               # the name follows '>' ...
        lbu     t3, 1(t2)
        bne     t3, t4, 3f
        li      a1, O_WRITE | O_CREATE | O_APPEND
        addi    a0, t2, 2               # ... or '>>'
3:      lbu     t3, 0(a0)
        bnez    t3, 5f
        lw      a0, 4(t1)               # ... or is the next word
        bnez    a0, 5f
        la      a0, echo_usage
        call    usage
        j       9f
5:      sw      a0, 0(t1)               # remember the name (argv[i]) for an error message
        call    open
        bltz    a0, 7f
        mv      s2, a0
4:      li      s0, 1                   # now s0 = i, from 1 to s3 - 1
6:      bge     s0, s3, 8f
        li      t0, 1
        beq     s0, t0, 10f
        mv      a0, s2                  # a space between words
        li      a1, ' '
        call    fputc
10:     slli    t0, s0, 2
        add     t0, t0, s1
        lw      a1, 0(t0)
        mv      a0, s2
        call    fprint
        addi    s0, s0, 1
        j       6b
8:      mv      a0, s2
        li      a1, '\n'
        call    fputc
        li      t0, STDOUT
        beq     s2, t0, 9f
        mv      a0, s2
        call    close
        j       9f
7:      mv      a2, a0                  # open failed
        slli    t0, s3, 2
        add     t0, t0, s1
        lw      a1, 0(t0)
        la      a0, echo_name
        call    complain
9:      lw      s3, 0(sp)
        lw      s2, 4(sp)
        lw      s1, 8(sp)
        lw      s0, 12(sp)
        lw      ra, 16(sp)
        addi    sp, sp, 20
        ret

# rm FILE...: remove files.
cmd_rm:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      s1, 0(sp)
        addi    s0, a0, -1              # files
        addi    s1, a1, 4
        bgtz    s0, 1f
        la      a0, rm_usage
        call    usage
        j       9f
1:      beqz    s0, 9f
        lw      a0, 0(s1)
        call    unlink
        bgez    a0, 2f
        mv      a2, a0
        lw      a1, 0(s1)
        la      a0, rm_name
        call    complain
2:      addi    s1, s1, 4
        addi    s0, s0, -1
        j       1b
9:      lw      s1, 0(sp)
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

# ps: one line per process: pid, parent, state, the ring it last ran in, cycles, name.
cmd_ps:
        addi    sp, sp, -32
        sw      ra, 28(sp)
        sw      s0, 24(sp)              # 0..23(sp): digits of the cycle count
        la      a0, ps_head
        call    puts
        li      s0, 0
1:      mv      a0, s0
        la      a1, rec
        call    ps
        blez    a0, 9f
        addi    s0, s0, 1
        la      t0, rec
        lw      a0, PI_CYCLES(t0)
        lw      a1, PI_CYCLESH(t0)
        mv      a2, sp
        call    utoa64
        mv      a5, a0                  # cycles, as text
        la      t0, rec
        lw      a0, PI_STATE(t0)
        call    state_name
        mv      a3, a0
        la      t0, rec
        lw      a1, PI_PID(t0)
        lw      a2, PI_PARENT(t0)
        lw      a4, PI_RING(t0)
        addi    a6, t0, PI_NAME
        la      a0, ps_fmt
        call    printf
        j       1b
9:      lw      s0, 24(sp)
        lw      ra, 28(sp)
        addi    sp, sp, 32
        ret

# state_name(state) -> "runnable", "running", "sleeping", "zombie" or "?".
state_name:
        addi    t0, a0, -PSTATE_RUNNABLE
        li      t1, PSTATE_ZOMBIE - PSTATE_RUNNABLE + 1
        bgeu    t0, t1, 1f
        slli    t0, t0, 2
        la      t1, state_names
        add     t0, t0, t1
        lw      a0, 0(t0)
        ret
1:      la      a0, question
        ret

# kill PID: end a process (its exit status becomes KILLED_BASE).
cmd_kill:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        li      t0, 2
        bne     a0, t0, 8f
        lw      s0, 4(a1)               # the pid, as text
        mv      a0, s0
        call    atoi
        beqz    a1, 8f
        call    kill
        bgez    a0, 9f
        mv      a2, a0
        mv      a1, s0
        la      a0, kill_name
        call    complain
        j       9f
8:      la      a0, kill_usage
        call    usage
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
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

# rings: who runs in which ring, and the live gate table: for every present gate its number,
# name, entry address, the routine and ring it enters, and the outermost ring that may call
# it (its DPL). The names come from abi.inc (lib/gates.s); everything else is read from the
# descriptors the CPU uses, through gateinfo.
cmd_rings:
        addi    sp, sp, -40
        sw      ra, 36(sp)
        sw      s0, 32(sp)
        sw      s1, 28(sp)
        sw      s2, 24(sp)
        sw      s3, 20(sp)              # 0..15(sp): gates served per ring
        sw      zero, 0(sp)
        sw      zero, 4(sp)
        sw      zero, 8(sp)
        sw      zero, 12(sp)
        li      s2, 0                   # gates ring 3 may call
        la      a0, rings_head
        call    puts
        li      s0, 1                   # gate number
1:      mv      a0, s0
        la      a1, rec
        call    gateinfo
        blez    a0, 5f
        la      t0, rec
        lw      s1, GI_FLAGS(t0)
        andi    t1, s1, 1               # not present: skip
        beqz    t1, 4f
        srli    s3, s1, 1               # s3 = target ring
        andi    s3, s3, 3
        slli    t1, s3, 2               # count it for its ring
        add     t1, t1, sp
        lw      t2, 0(t1)
        addi    t2, t2, 1
        sw      t2, 0(t1)
        srli    s1, s1, 3               # s1 = DPL
        andi    s1, s1, 3
        li      t1, RING_USER
        bne     s1, t1, 2f
        addi    s2, s2, 1
2:      mv      a0, s0
        call    gate_name
        sw      a0, 16(sp)
        mv      a0, s0
        call    gate_handler
        mv      a4, a0
        mv      a0, s3
        call    ring_owner
        mv      a6, a0
        la      t0, rec
        lw      a3, GI_ENTRY(t0)
        lw      a2, 16(sp)
        mv      a1, s0
        mv      a5, s3
        la      a0, gate_fmt
        call    printf
        mv      a1, s1                  # DPL d: rings target..d may call it (a ring
        mv      a2, s3                  # outside the target's cannot: no outward calls)
        mv      a3, s1
        la      a0, dpl_fmt
        call    printf
4:      addi    s0, s0, 1
        j       1b
5:      addi    a1, s0, -1              # the summary
        mv      a2, s2
        la      a0, rings_count
        call    printf
        li      s0, 0                   # then one line per ring
6:      mv      a0, s0
        call    ring_owner
        mv      a2, a0
        slli    t0, s0, 2
        add     t0, t0, sp
        lw      a3, 0(t0)
        mv      a1, s0
        la      a0, ring_fmt
        call    printf
        addi    s0, s0, 1
        li      t0, 4
        blt     s0, t0, 6b
        la      a0, rings_tail
        call    puts
        lw      s3, 20(sp)
        lw      s2, 24(sp)
        lw      s1, 28(sp)
        lw      s0, 32(sp)
        lw      ra, 36(sp)
        addi    sp, sp, 40
        ret

# ring_owner(ring) -> what runs in that ring: "kernel", "drivers", "file service", "programs".
ring_owner:
        andi    a0, a0, 3
        slli    a0, a0, 2
        la      t0, ring_owners
        add     a0, a0, t0
        lw      a0, 0(a0)
        ret

# clear: clear the terminal (ANSI escape sequences: erase the screen, cursor home).
cmd_clear:
        la      a0, clear_seq
        j       print

# poweroff: write everything to the disk and switch the machine off.
cmd_poweroff:
        call    sync
        li      a0, 0
        call    poweroff

# sync: make sure everything written has reached the disk.
cmd_sync:
        j       sync

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

# wait: wait until every background program has finished.
cmd_wait:
        addi    sp, sp, -4
        sw      ra, 0(sp)
1:      li      a0, -1
        la      a1, status
        call    wait
        blez    a0, 9f                  # E_CHILD: none left
        mv      a1, a0
        lw      a2, status
        la      a0, done_fmt
        call    printf
        j       1b
9:      lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

# exit [STATUS]: leave the shell.
cmd_exit:
        mv      t1, a0
        li      a0, 0
        li      t0, 2
        blt     t1, t0, 1f
        lw      a0, 4(a1)
        call    atoi
1:      call    exit

        .data
# The built-in commands: name, function, help text. BUILTIN adds one entry.
        .equ    BUILTIN_BYTES, 12
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
        .balign 4
state_names:
        .word   st_runnable, st_running, st_sleeping, st_zombie
ring_owners:
        .word   own_kernel, own_drivers, own_fs, own_programs
st_runnable:    .asciz "runnable"
st_running:     .asciz "running"
st_sleeping:    .asciz "sleeping"
st_zombie:      .asciz "zombie"
own_kernel:     .asciz "kernel"
own_drivers:    .asciz "drivers"
own_fs:         .asciz "file service"
own_programs:   .asciz "programs"
question:       .asciz "?"

motd_name:      .asciz "motd"
prompt:         .asciz "$ "
bye:            .asciz "\nend of input: sync and power off"
started_fmt:    .asciz "[%d]\n"
status_fmt:     .asciz "(exit status %d)\n"
done_fmt:       .asciz "[%d] done (status %d)\n"
complain_fmt:   .asciz "%s: %s: %s\n"
usage_fmt:      .asciz "usage: %s\n"
sh_name:        .asciz "sh"
wait_name:      .asciz "wait"
cat_name:       .asciz "cat"
echo_name:      .asciz "echo"
rm_name:        .asciz "rm"
ls_name:        .asciz "ls"
kill_name:      .asciz "kill"
mem_name:       .asciz "mem"
uname_name:     .asciz "uname"
cat_usage:      .asciz "cat FILE..."
echo_usage:     .asciz "echo WORDS... > FILE"
rm_usage:       .asciz "rm FILE..."
kill_usage:     .asciz "kill PID"

help_head:      .asciz "Built-in commands:"
help_fmt:       .asciz "  %-10s %s\n"
help_progs:     .asciz "Programs on the disk:"
help_tail:      .ascii "Type a program's name and its arguments to run it; end the line with &\n"
                .asciz "to run it in the background. Try: cat README"

ls_fmt:         .asciz "%-24s %8u\n"
ps_head:        .asciz "PID PARENT STATE     RING            CYCLES  NAME"
ps_fmt:         .asciz "%3d %6d %-9s %4d %17s  %s\n"
mem_fmt:        .asciz "%-8s %8u pages %10u KiB\n"
mem_total:      .asciz "total"
mem_used:       .asciz "in use"
mem_kernel:     .asciz "kernel"
mem_free:       .asciz "free"

rings_head:     .ascii "The gate table, read live from the CPU's descriptors:\n"
                .asciz "gate name          entry     routine         ring            DPL: who may call"
gate_fmt:       .asciz "%4d %-13s %08x  %-15s %d %-13s "
dpl_fmt:        .asciz "%d: rings %d-%d\n"
rings_count:    .ascii "%d gates; %d of them may be called from ring 3. A program that calls\n"
                .asciz "any other gate gets a GATE_FAULT (try: crash gate).\n"
ring_fmt:       .asciz "ring %d  %-13s serves %2d gates\n"
rings_tail:     .asciz "A gate leads only inward, to a more privileged ring: ring 3 serves none."
clear_seq:      .asciz "\e[2J\e[H"

        .bss
        .balign 4
line:   .space  LINE_MAX + 1
argline: .space LINE_MAX + 1
        .balign 4
argv:   .space  (ARGV_MAX + 1) * 4
rec:    .space  64                      # a dirent, procinfo, meminfo or gateinfo
status: .space  4
iobuf:  .space  IOBUF
