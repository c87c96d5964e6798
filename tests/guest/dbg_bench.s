# dbg_bench.s — the debugger's speed benchmark: a loop that calls a small function and stores
# to memory, ITERS times (about 13 instructions per iteration), then halts with a0 = 0.
# `done` is written once at the end (a watchpoint target that does not trigger until then).
        .equ    ITERS, 2000000

        .text
        .global _start
_start:
        li      sp, 0x100000
        li      s0, ITERS
        li      s1, 0
        .global loop
loop:
        mv      a0, s1
        jal     ra, work
        la      t0, acc
        sw      a0, 0(t0)
        addi    s1, s1, 1
        bne     s1, s0, loop
        la      t0, done
        li      t1, 1
        sw      t1, 0(t0)
        .global finish_line
finish_line:
        li      a0, 0
        halt

# a0 = (a0 * 3 + 7) ^ 0x55
        .global work
        .type   work, @function
work:
        slli    t1, a0, 1
        add     t1, t1, a0
        addi    t1, t1, 7
        xori    a0, t1, 0x55
        ret

        .data
        .balign 4
        .global acc
acc:    .word   0
        .global done
done:   .word   0
        .global rare
rare:   .word   0
