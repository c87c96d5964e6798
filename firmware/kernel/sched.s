# The scheduler: round robin over the process table, and sleeping and waking.
#
# The kernel runs with interrupts off, so nothing here races with an interrupt handler. Only a
# process running its program (ring 3) is preempted by the timer; code in the drivers and the
# file service runs until it returns or sleeps, so those rings need no locks except around a
# sleep. With nothing to run, the CPU waits in `wfi` with interrupts on.

        .include "kernel.inc"

        .text
# sched(): the current process has set its state (runnable, sleeping, zombie); run the next
# runnable one, starting after it. Returns when this process is chosen again.
        .global sched
sched:
        enter   2
        call    charge
        lw      s0, curproc
1:      mv      a0, s0
        call    pick_next
        bnez    a0, 2f
        # Idle. wfi with interrupts off returns once an interrupt is pending; turning them on
        # for one instruction then lets its handler run (it may wake someone). In the other
        # order an interrupt between the two would leave wfi asleep until the next one.
        wfi
        li      t0, ST_PG | ST_IE
        mtcr    status, t0
        li      t0, ST_PG
        mtcr    status, t0
        j       1b
2:      beq     a0, s0, 3f
        call    switch_to
        leave   2
3:      li      t0, PSTATE_RUNNING
        sw      t0, P_STATE(s0)
        call    cycles_now
        sw      a0, P_START(s0)
        sw      a1, P_START + 4(s0)
        leave   2

# pick_next(a0 = current) -> a0 = the first runnable process after it (itself last), or 0.
pick_next:
        la      t3, procs
        li      t4, NPROC * PROC_SIZE
        add     t4, t4, t3                      # end of the table
        li      t1, NPROC
        mv      t0, a0
        bnez    t0, 1f
        addi    t0, t4, -PROC_SIZE              # no current process: start at slot 0
1:      addi    t0, t0, PROC_SIZE
        bltu    t0, t4, 2f
        mv      t0, t3
2:      lw      t2, P_STATE(t0)
        li      a1, PSTATE_RUNNABLE
        beq     t2, a1, 3f
        addi    t1, t1, -1
        bnez    t1, 1b
        li      a0, 0
        ret
3:      mv      a0, t0
        ret

# switch_to(a0 = process): makes it current: its address space, its three entry stacks, its
# clock; then swtch to its kernel stack.
switch_to:
        enter   1
        mv      s0, a0
        li      t0, PSTATE_RUNNING
        sw      t0, P_STATE(s0)
        lw      t0, P_PD(s0)
        mtcr    ptbase, t0                      # also flushes the TLB
        li      t1, PAGE_SIZE
        lw      t0, P_KSTACK(s0)
        add     t0, t0, t1
        mtcr    sp0, t0
        lw      t0, P_DSTACK(s0)
        add     t0, t0, t1
        mtcr    sp1, t0
        lw      t0, P_FSTACK(s0)
        add     t0, t0, t1
        mtcr    sp2, t0
        call    cycles_now
        sw      a0, P_START(s0)
        sw      a1, P_START + 4(s0)
        lw      a0, curproc
        sw      s0, curproc, t0
        beqz    a0, 1f
        addi    a0, a0, P_KSP
1:      lw      a1, P_KSP(s0)
        call    swtch
        leave   1

# swtch(a0 = where to save this stack's sp, or 0; a1 = sp to resume): saves the callee-saved
# registers on this stack, and returns on the other stack as the swtch call that saved it.
        .global swtch
swtch:
        addi    sp, sp, -SW_SIZE
        sw      ra, SW_RA(sp)
        .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
        sw      s\n, SW_S0 + 4 * \n(sp)
        .endr
        sw      gp, SW_GP(sp)
        sw      tp, SW_TP(sp)
        beqz    a0, 1f
        sw      sp, 0(a0)
1:      mv      sp, a1
        lw      ra, SW_RA(sp)
        .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
        lw      s\n, SW_S0 + 4 * \n(sp)
        .endr
        lw      gp, SW_GP(sp)
        lw      tp, SW_TP(sp)
        addi    sp, sp, SW_SIZE
        ret

# sched_first(): leaves the boot stack for the first runnable process. Never returns.
        .global sched_first
sched_first:
        li      a0, 0
        call    pick_next
        call    switch_to
        la      a0, msg_back
        j       panic

# forkret: where a new process's first swtch returns (exec.s built its stack): s0 = argc,
# s1 = argv; the stack holds the frame retg uses to enter the program in ring 3.
        .global forkret
forkret:
        mv      a0, s0
        mv      a1, s1
        li      s0, 0
        li      s1, 0
        li      t0, ST_PG | ST_IE
        mtcr    status, t0
        retg

        .global charge
# charge(): adds the cycles since the current process was switched in to its account.
charge:
        enter   1
        lw      s0, curproc
        beqz    s0, 1f
        call    cycles_now
        lw      t0, P_START(s0)
        lw      t1, P_START + 4(s0)
        sltu    t2, a0, t0                      # borrow
        sub     a0, a0, t0
        sub     a1, a1, t1
        sub     a1, a1, t2
        lw      t0, P_CYCLES(s0)
        lw      t1, P_CYCLES + 4(s0)
        add     t3, t0, a0
        sltu    t2, t3, t0                      # carry
        add     t1, t1, a1
        add     t1, t1, t2
        sw      t3, P_CYCLES(s0)
        sw      t1, P_CYCLES + 4(s0)
        call    cycles_now
        sw      a0, P_START(s0)
        sw      a1, P_START + 4(s0)
1:      leave   1

# yield(): lets the others run; the current process stays runnable.
        .global yield
yield:
        enter   0
        lw      t0, curproc
        li      t1, PSTATE_RUNNABLE
        sw      t1, P_STATE(t0)
        call    sched
        leave   0

# sleep(a0 = channel): waits until wakeup(channel). The caller re-checks its condition.
        .global sleep
sleep:
        enter   0
        lw      t0, curproc
        sw      a0, P_CHAN(t0)
        li      t1, PSTATE_SLEEPING
        sw      t1, P_STATE(t0)
        call    sched
        lw      t0, curproc
        sw      zero, P_CHAN(t0)
        leave   0

# wakeup(a0 = channel): every process sleeping on it becomes runnable.
        .global wakeup
wakeup:
        la      t0, procs
        li      t1, NPROC
1:      lw      t2, P_STATE(t0)
        li      t3, PSTATE_SLEEPING
        bne     t2, t3, 2f
        lw      t2, P_CHAN(t0)
        bne     t2, a0, 2f
        li      t3, PSTATE_RUNNABLE
        sw      t3, P_STATE(t0)
2:      addi    t0, t0, PROC_SIZE
        addi    t1, t1, -1
        bnez    t1, 1b
        ret

        .rodata
msg_back:   .asciz  "the boot stack was resumed"
