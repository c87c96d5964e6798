# Exceptions and interrupts: every vector enters the kernel at trap_entry, in ring 0.
#
# The CPU has pushed its frame (pc, status, cause, faddr, old sp: SPEC.md 9.3); trap_entry saves
# the registers below it so the handler can be ordinary code, and iret resumes the interrupted
# code. Interrupts come from the timer (preemption), and from devices a driver waits for.
# A fault in ring 1-3 kills the running process with a message; one in ring 0 is a kernel bug.

        .include "kernel.inc"

# The trap frame: the CPU's five words, then r1..r31 below them.
        .equ    TF_REGS, 0                      # r1 at 0, r(i) at 4*(i-1)
        .equ    TF_CPU, 124                     # the CPU's frame: pc, status, cause, faddr, sp
        .equ    TF_PC, TF_CPU + 0
        .equ    TF_STATUS, TF_CPU + 4
        .equ    TF_CAUSE, TF_CPU + 8
        .equ    TF_FADDR, TF_CPU + 12

        .text
# trap_init(): all 64 vectors -> trap_entry, ring 0, DPL 0 (a program cannot `trap` into it).
        .global trap_init
trap_init:
        la      t0, vectors
        la      t1, trap_entry
        li      t2, D_P
        li      t3, NVECTORS
1:      sw      t1, 0(t0)
        sw      t2, 4(t0)
        addi    t0, t0, 8
        addi    t3, t3, -1
        bnez    t3, 1b
        la      t0, vectors
        mtcr    vbase, t0
        ret

# trap_entry: save r1..r31 (sp as it is now; the old sp is in the CPU's frame), handle, restore.
trap_entry:
        addi    sp, sp, -TF_CPU
        .irp    n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
        sw      r\n, 4 * (\n - 1)(sp)
        .endr
        mv      a0, sp
        call    trap
        .irp    n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
        lw      r\n, 4 * (\n - 1)(sp)
        .endr
        addi    sp, sp, TF_CPU
        iret

# trap(a0 = trap frame): interrupts to irq, everything else is a fault.
trap:
        enter   1
        mv      s0, a0
        lw      t0, TF_CAUSE(s0)
        andi    t0, t0, 0xFF
        addi    t1, t0, -V_IRQ0
        li      t2, 16
        bgeu    t1, t2, 2f
        mv      a0, t1
        lw      a1, TF_STATUS(s0)
        andi    a1, a1, ST_RING
        call    irq
        leave   1
2:      mv      a0, s0
        call    fault                           # does not return
        leave   1

# irq(a0 = line, a1 = interrupted ring). The timer drives time and preemption. The console's
# bytes are taken in at once (drivers/console.s cons_intr), so that Ctrl-C stops the
# foreground program even while nobody reads. Any other line wakes the driver waiting for it
# (k_irqwait), which finds out from its device what happened.
irq:
        enter   2
        mv      s0, a0
        mv      s1, a1
        bnez    s0, 1f
        call    timer_ack                       # drivers/platform.s
        lw      t0, ticks
        addi    t0, t0, 1
        sw      t0, ticks, t1
        la      a0, ticks
        call    wakeup
        li      a0, 0
        call    pic_eoi
        li      t0, RING_USER
        bne     s1, t0, 3f                      # only programs are preempted (see sched.s)
        lw      t0, curproc
        sw      s1, P_RING(t0)
        lw      t1, P_KILLED(t0)
        beqz    t1, 2f
        li      a0, KILLED_BASE
        call    exit
2:      call    yield
        j       3f
1:      li      t0, IRQ_UART
        bne     s0, t0, 4f
        call    console_input                   # the console: take the bytes in now
        j       5f
4:      mv      a0, s0
        call    pic_disable                     # until a driver waits for it again
5:      mv      a0, s0
        call    pic_eoi
        la      a0, irq_chan
        slli    t0, s0, 2
        add     a0, a0, t0
        call    wakeup
3:      leave   2

# console_input(): the console driver takes in what the UART received (interrupts are off, so
# it is the only one filling its buffer); Ctrl-C stops the foreground program, or with nobody
# in the foreground cancels the line being typed (as a shell's prompt does).
        .global console_input
console_input:
        enter   0
        call    cons_intr
        beqz    a0, 2f
        lw      a0, fg_pid
        beqz    a0, 1f
        call    kill_pid
        call    cons_echo_ctrlc
        j       2f
1:      call    cons_cancel
2:      leave   0

# fault(a0 = trap frame): a ring-1..3 fault kills the process that made it, after saying what
# happened; a ring-0 fault is a kernel bug: panic.
fault:
        mv      s0, a0
        lw      t0, TF_STATUS(s0)
        andi    s1, t0, ST_RING
        bnez    s1, 1f
        la      a0, msg_kfault
        call    kputs
        mv      a0, s0
        call    print_fault
        la      a0, msg_halt
        j       panic
1:      lw      t0, curproc
        sw      s1, P_RING(t0)
        la      a0, msg_pid
        call    kputs
        lw      t0, curproc
        lw      a0, P_PID(t0)
        call    kputdec
        la      a0, msg_open
        call    kputs
        lw      a0, curproc
        addi    a0, a0, P_NAME
        call    kputs
        la      a0, msg_close
        call    kputs
        mv      a0, s0
        call    print_fault
        la      a0, msg_killed
        call    kputs
        lw      t0, TF_CAUSE(s0)
        andi    a0, t0, 0xFF
        addi    a0, a0, KILLED_BASE
        call    exit

# print_fault(a0 = trap frame): "PAGE_FAULT (read, not present) in ring 3 at pc 0x..., address 0x...".
print_fault:
        enter   2
        mv      s0, a0
        lw      s1, TF_CAUSE(s0)
        andi    t0, s1, 0xFF
        li      t1, V_DOUBLE_FAULT + 1
        bltu    t0, t1, 1f
        li      t0, 0
1:      slli    t0, t0, 2
        la      t1, fault_names
        add     t1, t1, t0
        lw      a0, 0(t1)
        call    kputs
        andi    t0, s1, 0xFF
        li      t1, V_PAGE_FAULT
        bne     t0, t1, 2f
        srli    t0, s1, 8                       # detail: access | reason << 2
        andi    t1, t0, 3
        slli    t1, t1, 2
        la      t2, pf_access
        add     t2, t2, t1
        lw      a0, 0(t2)
        call    kputs
        srli    t0, s1, 10
        andi    t1, t0, 3
        slli    t1, t1, 2
        la      t2, pf_reason
        add     t2, t2, t1
        lw      a0, 0(t2)
        call    kputs
2:      la      a0, msg_inring
        call    kputs
        lw      a0, TF_STATUS(s0)
        andi    a0, a0, ST_RING
        call    kputdec
        la      a0, msg_atpc
        call    kputs
        lw      a0, TF_PC(s0)
        call    kputhex
        la      a0, msg_addr
        call    kputs
        lw      a0, TF_FADDR(s0)
        call    kputhex
        leave   2

# panic(a0 = message): the kernel cannot go on. Prints and stops the machine with exit code 255.
        .global panic
panic:
        mv      s0, a0
        la      a0, msg_panic
        call    kputs
        mv      a0, s0
        call    kputs
        li      a0, '\n'
        call    cons_putc
        li      a0, 255
        halt

        .rodata
msg_kfault: .asciz  "kernel: "
msg_halt:   .asciz  " -- a fault in the kernel"
msg_panic:  .asciz  "\npanic: "
msg_pid:    .asciz  "kernel: process "
msg_open:   .asciz  " ("
msg_close:  .asciz  "): "
msg_killed: .asciz  "; killed\n"
msg_inring: .asciz  " in ring "
msg_atpc:   .asciz  " at pc "
msg_addr:   .asciz  ", address "
f0:         .asciz  "EXCEPTION"
f1:         .asciz  "ILLEGAL instruction"
f2:         .asciz  "PRIVILEGE violation"
f3:         .asciz  "MISALIGNED access"
f4:         .asciz  "BUS_ERROR"
f5:         .asciz  "PAGE_FAULT"
f6:         .asciz  "GATE_FAULT"
f7:         .asciz  "DIVIDE by zero"
f8:         .asciz  "BREAKPOINT"
f9:         .asciz  "IO_PRIVILEGE violation"
f10:        .asciz  "DOUBLE_FAULT"
a0s:        .asciz  " (read"
a1s:        .asciz  " (write"
a2s:        .asciz  " (execute"
r0s:        .asciz  ", not present)"
r1s:        .asciz  ", not permitted)"
r2s:        .asciz  ", page of a more privileged ring)"
        .balign 4
fault_names: .word  f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10
pf_access:  .word   a0s, a1s, a2s, a2s
pf_reason:  .word   r0s, r1s, r2s, r2s

        .data
        .balign 8
        .global vectors, ticks, irq_chan
vectors:    .space  NVECTORS * 8
ticks:      .word   0
irq_chan:   .space  16 * 4                      # what k_irqwait sleeps on, per line
