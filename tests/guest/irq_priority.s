# irq_priority.s — choosing among deliverable lines (§9.5, §11.3): the highest PRIORITY wins,
# ties go to the lower line number, and there is no masking by priority.
# The HOST raises lines 5, 9, 12 and 14 before the program starts (only the timer can raise a
# line from inside the machine); see tests/exceptions.rs. All start disabled.
        .include "check.inc"

main:
        li      s0, PIC
        lw      t0, PIC_PENDING(s0)
        expect  t0, (1 << 5) | (1 << 9) | (1 << 12) | (1 << 14), 1
        clear_exc
        # line 5 priority 2, line 9 priority 7: line 9 first although 5 is the lower line
        li      t0, 2
        sw      t0, PIC_PRIO + 4 * 5(s0)
        li      t0, 0xF7                # only bits 3:0 are kept: 7
        sw      t0, PIC_PRIO + 4 * 9(s0)
        lw      t0, PIC_PRIO + 4 * 9(s0)
        expect  t0, 7, 2
        li      t0, (1 << 5) | (1 << 9)
        sw      t0, PIC_ENABLE(s0)
        li      t0, ST_IE
        mtcr    status, t0
1:      nop                             # both delivered here, one after the other
        mtcr    status, zero
        expect_exc_count 2, 3
        la      s1, exc_log
        lw      t0, EXC_CAUSE(s1)
        expect  t0, V_IRQ0 + 9, 4
        lw      t0, EXC_CAUSE + EXC_SIZE(s1)
        expect  t0, V_IRQ0 + 5, 5
        lw      t0, EXC_PC(s1)
        expect  t0, 1b, 6               # line 9 interrupted before the nop ...
        lw      t0, EXC_PC + EXC_SIZE(s1)
        expect  t0, 1b, 7               # ... and line 5 right after its iret, same place
        lw      t0, PIC_INSERVICE(s0)
        expect  t0, (1 << 5) | (1 << 9), 8
        li      t0, 5
        sw      t0, PIC_EOI(s0)
        li      t0, 9
        sw      t0, PIC_EOI(s0)

        # equal priorities (3): the lower line number first
        clear_exc
        li      t0, 3
        sw      t0, PIC_PRIO + 4 * 12(s0)
        sw      t0, PIC_PRIO + 4 * 14(s0)
        li      t0, (1 << 12) | (1 << 14)
        sw      t0, PIC_ENABLE(s0)
        li      t0, ST_IE
        mtcr    status, t0
        nop
        mtcr    status, zero
        expect_exc_count 2, 10
        lw      t0, EXC_CAUSE(s1)
        expect  t0, V_IRQ0 + 12, 11
        lw      t0, EXC_CAUSE + EXC_SIZE(s1)
        expect  t0, V_IRQ0 + 14, 12
        lw      t0, PIC_PENDING(s0)
        expect  t0, 0, 13
        pass
