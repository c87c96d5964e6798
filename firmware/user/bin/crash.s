# crash WHAT: do something a ring-3 program is not allowed to do, to watch the CPU refuse and
# the kernel kill the program (and only the program: the shell carries on).
#
#   crash null     load from address 0: page 0 is never mapped       -> PAGE_FAULT
#   crash priv     execute halt, a ring-0 instruction                -> PRIVILEGE
#   crash kernel   read the kernel's memory                          -> PAGE_FAULT (ring)
#   crash text     write into our own code, which is read-only       -> PAGE_FAULT (permission)
#   crash stack    recurse until the stack runs into its guard page  -> PAGE_FAULT
#   crash div      divide by zero                                    -> DIVIDE
#   crash gate     call a gate that only the file service may call   -> GATE_FAULT (DPL)
#
# Each prints what it is about to do first. The kernel prints the fault and the shell the
# exit status (KILLED_BASE + the vector).

        .include "abi.inc"
        .include "layout.inc"

        .text
        .global main

# main(argc, argv): find WHAT in the table and do it; without a known WHAT print the usage.
main:
        addi    sp, sp, -12
        sw      ra, 8(sp)
        sw      s0, 4(sp)
        sw      s1, 0(sp)
        li      t0, 2
        bne     a0, t0, usage
        lw      s1, 4(a1)               # WHAT
        la      s0, crashes
1:      lw      a0, 0(s0)
        beqz    a0, usage
        mv      a1, s1
        call    strcmp
        beqz    a0, 2f
        addi    s0, s0, CRASH_BYTES
        j       1b
2:      la      a0, about               # "crash: <what it does>..."
        call    print
        lw      a0, 8(s0)               # (the kernel's address is there for a %x)
        li      a1, KERNEL_BASE
        call    printf
        la      a0, dots
        call    puts
        lw      t0, 4(s0)
        jalr    t0                      # should never come back
        la      a0, survived
        call    puts
        li      a0, 2
        j       9f
usage:
        la      a0, usage_text
        call    puts
        la      s0, crashes
3:      lw      a1, 0(s0)
        beqz    a1, 4f
        la      a0, usage_fmt
        call    printf
        lw      a0, 8(s0)
        li      a1, KERNEL_BASE
        call    printf
        li      a0, '\n'
        call    putc
        addi    s0, s0, CRASH_BYTES
        j       3b
4:      li      a0, 1
9:      lw      s1, 0(sp)
        lw      s0, 4(sp)
        lw      ra, 8(sp)
        addi    sp, sp, 12
        ret

# The crashes. Each is one bad instruction, then a return in case it did not fault.

# null: load from address 0.
crash_null:
        lw      t0, 0(zero)
        ret

# priv: halt is sensitive: only ring 0 may stop the machine.
crash_priv:
        halt
        ret

# kernel: the kernel's pages are in every address space, but marked ring 0.
crash_kernel:
        li      t0, KERNEL_BASE
        lw      t0, 0(t0)
        ret

# text: a program's code pages are mapped read and execute, not write.
crash_text:
        la      t0, crash_text
        sw      zero, 0(t0)
        ret

# stack: each call pushes 16 bytes and never returns, until sp leaves the stack's pages.
crash_stack:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        call    crash_stack
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

# div: the CPU refuses to divide by zero.
crash_div:
        li      t0, 1
        div     t0, t0, zero
        ret

# gate: K_SLOT's descriptor says DPL 2: rings 0..2 may call it, ring 3 may not.
crash_gate:
        callg   K_SLOT
        ret

        .data
# The table: name, function, what it does. CRASH adds one entry.
        .equ    CRASH_BYTES, 12
        .macro  CRASH name, func, text
        .pushsection .rodata
.Lname\@: .asciz "\name"
.Ltext\@: .asciz \text
        .popsection
        .word   .Lname\@, \func, .Ltext\@
        .endm
        .balign 4
crashes:
        CRASH   null,   crash_null,   "loading a word from address 0 (page 0 is never mapped)"
        CRASH   priv,   crash_priv,   "executing halt, an instruction only ring 0 may use"
        CRASH   kernel, crash_kernel, "reading the kernel's memory at 0x%x from ring 3"
        CRASH   text,   crash_text,   "writing into my own code, which is read-only"
        CRASH   stack,  crash_stack,  "recursing forever until the stack hits its guard page"
        CRASH   div,    crash_div,    "dividing 1 by 0"
        CRASH   gate,   crash_gate,   "calling gate K_SLOT, which only rings 0-2 may call"
        .word   0

        .rodata
about:  .asciz  "crash: "
dots:   .asciz  "..."
survived:
        .asciz  "crash: nothing happened?! The CPU should have stopped that."
usage_text:
        .asciz  "usage: crash WHAT, where WHAT is one of"
usage_fmt:
        .asciz  "  %-7s "
