# The process table: creating a process's memory and stacks, exit, and reaping.
#
# Each process has four stacks: its program's (ring 3) and one page for each ring it may call
# into (the kernel's sp0, the drivers' sp1, the file service's sp2). The kernel loads a
# process's three into sp0..sp2 when it runs, so a process blocked inside a driver keeps its
# place while another one calls the same driver.

        .include "kernel.inc"

        .text
# proc_alloc() -> a0 = a process with its stacks and address space, or an error (E_NOPROC,
# E_NOMEM). Its state stays unused until the caller makes it runnable.
        .global proc_alloc
proc_alloc:
        enter   1
        la      s0, procs
        li      t1, NPROC
1:      lw      t0, P_STATE(s0)
        beqz    t0, 2f
        addi    s0, s0, PROC_SIZE
        addi    t1, t1, -1
        bnez    t1, 1b
        li      a0, E_NOPROC
        leave   1
2:      mv      a0, s0                          # clear the slot
        addi    t1, s0, PROC_SIZE
3:      sw      zero, 0(a0)
        addi    a0, a0, 4
        bltu    a0, t1, 3b
        call    kalloc
        sw      a0, P_KSTACK(s0)
        beqz    a0, 8f
        call    kalloc
        sw      a0, P_DSTACK(s0)
        beqz    a0, 8f
        li      a1, RING_DRIVER
        call    set_page_ring
        call    kalloc
        sw      a0, P_FSTACK(s0)
        beqz    a0, 8f
        li      a1, RING_FS
        call    set_page_ring
        mv      a0, s0
        call    uvm_create
        bnez    a0, 8f
        mv      a0, s0
        leave   1
8:      mv      a0, s0
        call    proc_release
        li      a0, E_NOMEM
        leave   1

# proc_release(a0 = proc): frees everything a process holds and empties its slot.
        .global proc_release
proc_release:
        enter   1
        mv      s0, a0
        call    uvm_free
        lw      a0, P_PD(s0)
        beqz    a0, 1f
        call    kfree
1:      lw      a0, P_KSTACK(s0)
        beqz    a0, 2f
        call    kfree
2:      lw      a0, P_DSTACK(s0)
        beqz    a0, 3f
        li      a1, RING_KERNEL                 # back to a ring-0 page before reuse
        call    set_page_ring
        lw      a0, P_DSTACK(s0)
        call    kfree
3:      lw      a0, P_FSTACK(s0)
        beqz    a0, 4f
        li      a1, RING_KERNEL
        call    set_page_ring
        lw      a0, P_FSTACK(s0)
        call    kfree
4:      sw      zero, P_PD(s0)
        sw      zero, P_KSTACK(s0)
        sw      zero, P_DSTACK(s0)
        sw      zero, P_FSTACK(s0)
        sw      zero, P_PID(s0)
        sw      zero, P_PARENT(s0)
        sw      zero, P_STATE(s0)
        leave   1

# exit(a0 = status): the current process ends. Its pages go back at once; its slot and stacks
# when its parent waits for it. Never returns.
        .global exit
exit:
        mv      s1, a0
        lw      s0, curproc
        la      t0, procs
        bne     s0, t0, 1f
        la      a0, msg_initexit                # process 1 ended: nothing is left to run
        call    kputs
        mv      a0, s1
        call    power_off
1:      mv      a0, s0
        call    uvm_free
        # Children of the exiting process are adopted by process 1.
        la      t0, procs
        li      t1, NPROC
        la      t3, procs
2:      lw      t2, P_PARENT(t0)
        bne     t2, s0, 3f
        sw      t3, P_PARENT(t0)
3:      addi    t0, t0, PROC_SIZE
        addi    t1, t1, -1
        bnez    t1, 2b
        sw      s1, P_XSTATUS(s0)
        li      t0, PSTATE_ZOMBIE
        sw      t0, P_STATE(s0)
        la      a0, procs                       # process 1 may have adopted a zombie
        call    wakeup
        lw      a0, P_PARENT(s0)
        call    wakeup
        call    sched
        la      a0, msg_zombie
        j       panic

# find_pid(a0 = pid) -> a0 = its live process, or 0.
        .global find_pid
find_pid:
        la      t0, procs
        li      t1, NPROC
1:      lw      t2, P_STATE(t0)
        beqz    t2, 2f
        lw      t2, P_PID(t0)
        beq     t2, a0, 3f
2:      addi    t0, t0, PROC_SIZE
        addi    t1, t1, -1
        bnez    t1, 1b
        li      a0, 0
        ret
3:      mv      a0, t0
        ret

# cycles_now() -> a0, a1 = the 64-bit cycle counter (SPEC.md 6: read high, low, high again).
        .global cycles_now
cycles_now:
1:      mfcr    a1, cycleh
        mfcr    a0, cycle
        mfcr    t0, cycleh
        bne     a1, t0, 1b
        ret

        .rodata
msg_initexit: .asciz "kernel: process 1 exited; powering off\n"
msg_zombie:   .asciz "a zombie ran again"

        .data
        .balign 4
        .global procs, curproc, nextpid
procs:      .space  NPROC * PROC_SIZE
curproc:    .word   0
nextpid:    .word   1
