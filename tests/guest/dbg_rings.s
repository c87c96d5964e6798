# dbg_rings.s — the debugger's test program: a tiny ring-0 kernel and a ring-3 program.
#
# Ring 0 sets up a vector table (all vectors -> `fatal`, vector 48 -> `sys_trap`), a gate table
# (gate 0 `sys_exit`, gate 1 `sys_add` copying 2 parameter words, both callable from ring 3),
# sp0, and an identity page map of the first 4 MiB (user pages ring 3; the page tables and the
# kernel stack ring 0). It then enters `main` in ring 3 through `retg`.
#
# `main` (ring 3) calls `square` (jal), calls gate 1 with two parameters on its stack, raises
# `trap 48`, counts `counter` up in a loop, and exits through gate 0 with a0 = 0.
# Kernel services print one character each on the UART ("G" for the gate, "T" for the trap).

        .equ UART,       0xF0002000
        .equ PT_DIR,     0x00300000      # page directory; its one table follows
        .equ PT_TABLE,   0x00301000
        .equ PT_DEVICES, 0x00302000      # maps the UART page (ring 0 only)
        .equ KSTACK_TOP, 0x00380000      # ring-0 stack (sp0)
        .equ USTACK_TOP, 0x00200000      # ring-3 stack
        .equ PTE_USER,   0x3F            # P|R|W|X, ring 3
        .equ PTE_KERNEL, 0x0F            # P|R|W|X, ring 0

        .text
        .global _start
_start:
        li      sp, KSTACK_TOP
        mtcr    sp0, sp
        # Vector table: every vector -> fatal (ring 0, DPL 0); vector 48 -> sys_trap (DPL 3).
        la      t0, vectors
        mtcr    vbase, t0
        la      t1, fatal
        li      t2, 1
        li      t3, 64
1:      sw      t1, 0(t0)
        sw      t2, 4(t0)
        addi    t0, t0, 8
        addi    t3, t3, -1
        bnez    t3, 1b
        la      t0, vectors
        la      t1, sys_trap
        sw      t1, 48*8(t0)
        li      t1, 1 | (3 << 3)
        sw      t1, 48*8+4(t0)
        # Gates.
        la      t0, gates
        mtcr    gbase, t0
        li      t0, 2
        mtcr    glimit, t0
        # Page directory entry 0 -> the table; the table maps 4 MiB one to one.
        li      t0, PT_DIR
        li      t1, PT_TABLE | 1
        sw      t1, 0(t0)
        li      t0, PT_TABLE
        li      t1, 0                   # physical address
        li      t2, PT_DIR              # first kernel-only page
        li      t5, 0x00400000          # end of the map
2:      ori     t3, t1, PTE_USER
        bltu    t1, t2, 3f
        ori     t3, t1, PTE_KERNEL
3:      sw      t3, 0(t0)
        addi    t0, t0, 4
        li      t4, 4096
        add     t1, t1, t4
        bne     t1, t5, 2b
        # The UART page: directory entry 960 -> PT_DEVICES, entry 2 -> 0xF0002000, ring 0.
        li      t0, PT_DIR + 960*4
        li      t1, PT_DEVICES | 1
        sw      t1, 0(t0)
        li      t0, PT_DEVICES + 2*4
        li      t1, UART | PTE_KERNEL
        sw      t1, 0(t0)
        li      t0, PT_DIR
        mtcr    ptbase, t0
        li      t0, 8                   # status.PG
        mtcr    status, t0
        # Enter ring 3 at main: a gate-return frame [pc, ring, sp], then retg.
        addi    sp, sp, -12
        la      t0, main
        sw      t0, 0(sp)
        li      t0, 3
        sw      t0, 4(sp)
        li      t0, USTACK_TOP
        sw      t0, 8(sp)
        retg

# ---------------------------------------------------------------- ring 3

        .global main
        .type   main, @function
main:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        li      a0, 7
        jal     ra, square              # a0 = 49
        mv      s1, a0
        # Gate 1 with two parameter words: 5 and 6.
        addi    sp, sp, -8
        li      t0, 5
        sw      t0, 0(sp)
        li      t0, 6
        sw      t0, 4(sp)
call_site:
        callg   1                       # a0 = 5 + 6
after_gate:
        addi    sp, sp, 8
        add     s1, s1, a0              # 60
        trap    48
        # Count `counter` up to 5.
        li      t1, 5
loop:
        la      t0, counter
        lw      t2, 0(t0)
        addi    t2, t2, 1
        sw      t2, 0(t0)
        blt     t2, t1, loop
        la      t0, counter
        lw      t2, 0(t0)
        add     s1, s1, t2              # 65
        li      a0, 0
        li      t0, 65
        beq     s1, t0, 4f
        li      a0, 1
4:      callg   0                       # exit: never returns

# a0 = a0 * a0 (a leaf function with a frame).
        .global square
        .type   square, @function
square:
        addi    sp, sp, -8
        sw      s0, 4(sp)
        mul     s0, a0, a0
        mv      a0, s0
        lw      s0, 4(sp)
        addi    sp, sp, 8
        ret

# ---------------------------------------------------------------- ring 0 services

# Gate 0: halt with a0.
sys_exit:
        halt

# Gate 1: a0 = param0 + param1 (frame: ret pc, caller ring, caller sp, params at 12 and 16).
sys_add:
        lw      t0, 12(sp)
        lw      t1, 16(sp)
        add     a0, t0, t1
        li      t2, UART
        li      t3, 'G'
        sw      t3, 0(t2)
        retg

# Vector 48: a software trap; print "T" and return.
sys_trap:
        li      t2, UART
        li      t3, 'T'
        sw      t3, 0(t2)
        li      t3, '\n'
        sw      t3, 0(t2)
        iret

# Everything else: stop with 0x80 + vector.
fatal:
        mfcr    a0, cause
        andi    a0, a0, 0xff
        ori     a0, a0, 0x80
        halt

        .rodata
        .balign 8
gates:
        .word   sys_exit, 1 | (0 << 1) | (3 << 3)               # present, ring 0, DPL 3
        .word   sys_add,  1 | (0 << 1) | (3 << 3) | (2 << 5)    # ... and 2 parameter words

        .data
        .balign 4
        .global counter
counter:
        .word   0

        .bss
        .balign 8
vectors:
        .space  64 * 8
