# System calls about processes: exit, wait, kill, getpid, yield, sleep, sbrk; and the gates the
# drivers and the file service use to wait (irqwait, yield) and to know who called (slot).

        .include "kernel.inc"

        .text
# exit(a0 = status): never returns.
        .global sys_exit
sys_exit:
        kgate_enter 3
        andi    a0, a0, 0xFF
        call    exit

# wait(a0 = pid or -1, a1 = where to store the exit status or 0) -> pid, E_CHILD, E_FAULT.
        .global sys_wait
sys_wait:
        kgate_enter 3
        mv      s0, a0
        mv      s1, a1
        beqz    s1, 1f
        mv      a0, s1
        li      a1, 4
        call    check_user_record
        bnez    a0, 9f
1:      la      t0, procs                       # any child of ours that matches?
        li      t1, NPROC
        li      s2, 0                           # a matching child exists
        lw      t5, curproc
2:      lw      t2, P_STATE(t0)
        beqz    t2, 4f
        lw      t3, P_PARENT(t0)
        bne     t3, t5, 4f
        li      t3, -1
        beq     s0, t3, 3f
        lw      t3, P_PID(t0)
        bne     t3, s0, 4f
3:      li      s2, 1
        li      t3, PSTATE_ZOMBIE
        beq     t2, t3, 6f
4:      addi    t0, t0, PROC_SIZE
        addi    t1, t1, -1
        bnez    t1, 2b
        li      a0, E_CHILD
        beqz    s2, 9f
        lw      t0, P_KILLED(t5)
        li      a0, E_INTR
        bnez    t0, 9f
        mv      a0, t5                          # sleep until a child exits
        call    sleep
        j       1b
6:      mv      s3, t0                          # reap it
        beqz    s1, 7f
        lw      t1, P_XSTATUS(s3)
        sw      t1, 0(s1)
7:      lw      s0, P_PID(s3)
        mv      a0, s3
        call    proc_release
        mv      a0, s0
9:      kgate_leave 1

# kill(a0 = pid) -> 0, E_SRCH, or E_INVAL for process 1.
        .global sys_kill
sys_kill:
        kgate_enter 3
        call    kill_pid
        kgate_leave 1

# kill_pid(a0 = pid) -> 0, E_SRCH, or E_INVAL for process 1 (the system ends with it). The
# process exits the next time it is in its program or back from a call (a sleeping one is
# woken to notice). Also Ctrl-C's way to stop the foreground program (trap.s).
        .global kill_pid
kill_pid:
        enter   0
        li      t0, 1
        li      t1, E_INVAL
        beq     a0, t0, 9f
        call    find_pid
        li      t1, E_SRCH
        beqz    a0, 9f
        lw      t0, P_STATE(a0)
        li      t2, PSTATE_ZOMBIE
        beq     t0, t2, 9f
        li      t2, 1
        sw      t2, P_KILLED(a0)
        li      t2, PSTATE_SLEEPING
        bne     t0, t2, 1f
        li      t2, PSTATE_RUNNABLE
        sw      t2, P_STATE(a0)
1:      li      t1, 0
9:      mv      a0, t1
        leave   0

# foreground(a0 = pid or 0) -> 0: the process Ctrl-C at the console stops (the shell names
# the program it waits for, and 0 when it reads again).
        .global sys_foreground
sys_foreground:
        kgate_enter 3
        sw      a0, fg_pid, t0
        li      a0, 0
        kgate_leave 1

# getpid() -> pid.
        .global sys_getpid
sys_getpid:
        kgate_enter 3
        lw      t0, curproc
        lw      a0, P_PID(t0)
        kgate_leave 1

# yield() -> 0.
        .global sys_yield
sys_yield:
        kgate_enter 3
        call    yield
        li      a0, 0
        kgate_leave 1

# sleep(a0 = ticks) -> 0 (E_INTR if killed meanwhile).
        .global sys_sleep
sys_sleep:
        kgate_enter 3
        lw      s0, ticks
        add     s0, s0, a0                      # deadline
1:      lw      t0, ticks
        sub     t0, t0, s0
        bgez    t0, 2f                          # (wraps safely: compare the difference)
        lw      t0, curproc
        lw      t0, P_KILLED(t0)
        li      a0, E_INTR
        bnez    t0, 9f
        la      a0, ticks
        call    sleep
        j       1b
2:      li      a0, 0
9:      kgate_leave 1

# sbrk(a0 = bytes, may be negative) -> the old break, or E_NOMEM. New heap pages are zero.
        .global sys_sbrk
sys_sbrk:
        kgate_enter 3
        lw      s0, curproc
        lw      s1, P_BRK(s0)                   # old break
        add     s2, s1, a0                      # new break
        bltz    a0, 5f
        bltu    s2, s1, 8f                      # wrapped
        li      t0, USER_HEAP_MAX
        bltu    t0, s2, 8f
        li      t0, PAGE_SIZE - 1               # map [round_up(old), round_up(new))
        add     s3, s1, t0
        srli    s3, s3, PAGE_SHIFT
        slli    s3, s3, PAGE_SHIFT
1:      bgeu    s3, s2, 4f
        mv      a0, s0
        mv      a1, s3
        li      a2, PTE_W
        call    uvm_map
        beqz    a0, 7f
        li      t0, PAGE_SIZE
        add     s3, s3, t0
        j       1b
4:      sw      s2, P_BRK(s0)
        mv      a0, s1
        kgate_leave 1
5:      lw      t0, P_BRK0(s0)                  # shrink: not below the program's own end
        bltu    s2, t0, 8f
        bltu    s1, s2, 8f
        li      t0, PAGE_SIZE - 1               # unmap [round_up(new), round_up(old))
        add     s3, s2, t0
        srli    s3, s3, PAGE_SHIFT
        slli    s3, s3, PAGE_SHIFT
6:      bgeu    s3, s1, 4b
        mv      a0, s0
        mv      a1, s3
        call    uvm_unmap
        li      t0, PAGE_SIZE
        add     s3, s3, t0
        j       6b
7:      li      t0, PAGE_SIZE - 1               # out of memory: give back what was mapped
        add     s2, s1, t0
        srli    s2, s2, PAGE_SHIFT
        slli    s2, s2, PAGE_SHIFT
71:     bgeu    s2, s3, 8f
        mv      a0, s0
        mv      a1, s2
        call    uvm_unmap
        li      t0, PAGE_SIZE
        add     s2, s2, t0
        j       71b
8:      li      a0, E_NOMEM
        kgate_leave 1

# irqwait(a0 = line, a1 = address of a word or 0, a2 = value) -> 0, or E_INTR if the process
# was killed. For drivers: sleeps until the line's next interrupt (one already pending is
# delivered as soon as the line is enabled) -- unless the word at a1 no longer holds a2: the
# console driver passes its buffer's fill index, which the interrupt handler advances, so a
# byte that arrived after the driver looked is not slept through (the kernel looks with
# interrupts off).
        .global k_irqwait
k_irqwait:
        kgate_enter 1
        li      t0, 16
        li      t1, E_INVAL
        bgeu    a0, t0, 9f
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        li      t0, IRQ_UART                    # the console's buffer may have filled up and
        bne     s0, t0, 2f                      # left bytes in the UART: take them in first
        call    console_input
2:      li      t1, 0
        beqz    s1, 1f
        lw      t0, 0(s1)
        bne     t0, s2, 9f                      # it changed already: no need to sleep
1:      mv      a0, s0
        call    pic_enable
        la      a0, irq_chan
        slli    t0, s0, 2
        add     a0, a0, t0
        call    sleep
        lw      t0, curproc
        lw      t0, P_KILLED(t0)
        li      t1, E_INTR
        bnez    t0, 9f
        li      t1, 0
9:      mv      a0, t1
        kgate_leave

# k_yield() -> 0: for a driver or the file service waiting for a lock another process holds.
        .global k_yield
k_yield:
        kgate_enter 2
        call    yield
        li      a0, 0
        kgate_leave

# k_slot() -> a0 = the current process's slot (0..NPROC-1), a1 = its pid: the file service
# keeps each process's open files by slot.
        .global k_slot
k_slot:
        kgate_enter 2
        lw      t0, curproc
        lw      a1, P_PID(t0)
        la      t1, procs
        sub     t0, t0, t1
        li      t1, PROC_SIZE
        divu    a0, t0, t1
        kgate_leave

        .data
        .balign 4
        .global fg_pid
fg_pid:     .word   0                           # the console's foreground process (0: none)
