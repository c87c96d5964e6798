# run.s: the shell's programs: start one, wait for it in the foreground, and collect the
# background ones that have finished.

        .include "sh.inc"

        .text
        .global run_program, reap, done_fmt

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
1:      mv      s0, a0                  # foreground: Ctrl-C at the console stops it,
        call    foreground              # then wait(pid, &status)
        mv      a0, s0
        la      a1, status
        call    wait
        mv      s0, a0
        li      a0, 0                   # nobody is in the foreground at the prompt
        call    foreground
        mv      a0, s0
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

        .rodata
started_fmt:    .asciz "[%d]\n"
status_fmt:     .asciz "(exit status %d)\n"
done_fmt:       .asciz "[%d] done (status %d)\n"     # also the built-in wait's
sh_name:        .asciz "sh"
wait_name:      .asciz "wait"
