# irq_stress.s — a periodic timer interrupt (every 97 cycles) landing all over a loop that
# mixes ALU work, loads and stores (with load-use stalls), divisions, branches, gate calls
# and paging: every interrupt must be taken at an instruction boundary and leave the
# interrupted computation intact. The host checks the interrupt count against the timer.
        .include "check.inc"
        .include "paging.inc"

        .equ    ITER, 600

main:
        paging_on
        set_vec V_IRQ0, tick, D_P
        set_gate GATE_FREE, add_one, D_P + 3 * D_DPL
        li      s0, PIC
        li      t0, 1
        sw      t0, PIC_ENABLE(s0)
        li      s1, TIMER
        li      t0, 97                  # (longer than the handler: ~45 cycles)
        sw      t0, TIMER_PERIOD(s1)
        li      t0, 1 + 2 + 4           # enable, periodic, interrupt
        sw      t0, TIMER_CTRL(s1)
        li      t0, ST_IE + ST_PG
        mtcr    status, t0
        # the loop: s2 = i, s3 = running checksum, buf[] in memory
        la      s4, buf
        li      s2, 0
        li      s3, 0
1:      andi    t0, s2, 15
        slli    t0, t0, 2
        add     t1, s4, t0
        lw      t2, 0(t1)               # buf[i % 16]
        add     t2, t2, s2              # load-use
        sw      t2, 0(t1)
        addi    t3, s2, 7
        li      t4, 3
        divu    t5, t3, t4
        add     s3, s3, t5
        xor     s3, s3, t2
        mv      a0, s2
        callg   GATE_FREE               # a0 + 1
        sub     t6, a0, s2
        addi    t6, t6, -1
        bnez    t6, bad                 # the gate's result was disturbed
        andi    t0, s2, 1
        beqz    t0, 2f
        addi    s3, s3, 1
2:      addi    s2, s2, 1
        li      t0, ITER
        bne     s2, t0, 1b
        mtcr    status, zero
        sw      zero, TIMER_CTRL(s1)
        # the same computation without interrupts, as reference
        la      s4, buf2
        li      s2, 0
        li      s5, 0
3:      andi    t0, s2, 15
        slli    t0, t0, 2
        add     t1, s4, t0
        lw      t2, 0(t1)
        add     t2, t2, s2
        sw      t2, 0(t1)
        addi    t3, s2, 7
        li      t4, 3
        divu    t5, t3, t4
        add     s5, s5, t5
        xor     s5, s5, t2
        andi    t0, s2, 1
        beqz    t0, 4f
        addi    s5, s5, 1
4:      addi    s2, s2, 1
        li      t0, ITER
        bne     s2, t0, 3b
        expect_eq s3, s5, 1
        la      t0, ticks
        lw      t0, 0(t0)
        li      t1, 50                  # ITER iterations of ~40 cycles: well over 50 ticks
        bltu    t0, t1, bad
        pass

bad:    li      a0, 99
        j       check_failed

add_one:
        addi    a0, a0, 1
        retg

# the interrupt handler: count, EOI, return (keeps every register)
tick:   mtcr    scratch0, t0
        mtcr    scratch1, t1
        la      t0, ticks
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        li      t0, PIC
        sw      zero, PIC_EOI(t0)
        mfcr    t0, scratch0
        mfcr    t1, scratch1
        iret

        .data
        .balign 4
ticks:  .word   0
buf:    .space  64
buf2:   .space  64
