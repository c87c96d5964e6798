# procs.s: the shell's built-in commands for processes: ps, kill and wait. Each is called as
# cmd(argc, argv).

        .include "sh.inc"

        .text
        .global cmd_ps, cmd_kill, cmd_wait

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

        .rodata
        .balign 4
state_names:
        .word   st_runnable, st_running, st_sleeping, st_zombie
st_runnable:    .asciz "runnable"
st_running:     .asciz "running"
st_sleeping:    .asciz "sleeping"
st_zombie:      .asciz "zombie"
question:       .asciz "?"

ps_head:        .asciz "PID PARENT STATE     RING            CYCLES  NAME"
ps_fmt:         .asciz "%3d %6d %-9s %4d %17s  %s\n"
kill_name:      .asciz "kill"
kill_usage:     .asciz "kill PID"
