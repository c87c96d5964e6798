# interrupts.s — interrupts (§9.5, §11.3, §11.4) with the timer (line 0, vector 32): a raised
# line is delivered only when it is enabled in the PIC, not in service, and status.IE = 1; the
# delivery happens at an instruction boundary with frame pc = the instruction that would have
# run next, cause 32, faddr 0; it acknowledges the line (PENDING -> INSERVICE) until EOI; the
# timer fires at the first boundary at or after its deadline; wfi sleeps until a line is
# deliverable.
        .include "check.inc"

        .equ    NOP_WORD, 0x08000000    # addi zero, zero, 0
        .equ    T_EN, 1                 # timer CTRL bits
        .equ    T_PERIODIC, 2
        .equ    T_IRQ, 4

        # drain: let a pending line 0 be delivered (IE briefly on), then end it with EOI
        .macro  drain_line0
        li      t0, ST_IE
        mtcr    status, t0
        nop
        mtcr    status, zero
        sw      zero, PIC_EOI(s0)
        .endm

main:
        li      s0, PIC
        li      s1, TIMER
        clear_exc

        # ================================================= reading the time: NOW_LO is the
        # count after the reading lw retires (its MMIO latency and any stall included)
        mfcr    s2, cycle               # c
        lw      t0, TIMER_NOW_LO(s1)    # runs c+2 .. c+8
        sub     t0, t0, s2
        expect  t0, 2 + 6, 90
        la      t1, timer_ptr
        mfcr    s2, cycle               # c
        lw      t2, 0(t1)               # c+2: t2 = TIMER
        lw      t0, TIMER_NOW_LO(t2)    # c+3 .. c+10: 1 + 1 stall + 5
        sub     t0, t0, s2
        expect  t0, 2 + 1 + 7, 91
        lw      t0, 0x10(s1)            # NOW_HI
        expect  t0, 0, 92
        # read-only and write-only PIC registers
        li      t0, 0xFFFF
        sw      t0, PIC_PENDING(s0)     # RO: ignored
        sw      t0, PIC_INSERVICE(s0)
        lw      t0, PIC_PENDING(s0)
        expect  t0, 0, 93
        lw      t0, PIC_INSERVICE(s0)
        expect  t0, 0, 94
        lw      t0, PIC_EOI(s0)         # WO: reads 0
        expect  t0, 0, 95

        # ================================================= IE = 0: nothing is delivered
        li      t0, 1
        sw      t0, PIC_ENABLE(s0)      # line 0 enabled
        li      t0, 50
        sw      t0, TIMER_PERIOD(s1)
        li      t0, T_EN + T_IRQ        # one-shot, with interrupt
        sw      t0, TIMER_CTRL(s1)
        .fill   80, 4, NOP_WORD         # 80 cycles: well past the deadline
        expect_exc_count 0, 1
        lw      t0, PIC_PENDING(s0)
        expect  t0, 1, 2                # line 0 raised, waiting
        lw      t0, TIMER_STATUS(s1)
        expect  t0, 1, 3                # fired
        lw      t0, TIMER_CTRL(s1)
        expect  t0, T_IRQ, 4            # one-shot: enable bit cleared after firing
        # setting IE delivers it at the next boundary: frame pc = the instruction after mtcr
        li      t0, ST_IE
        mtcr    status, t0
i1:     nop
        expect_fault 1, V_IRQ0, 0, i1, 5
        expect_exc EXC_STATUS, ST_IE, 9         # interrupted with IE = 1 ...
        expect_exc EXC_CRCAUSE, V_IRQ0, 10
        expect_cr status, ST_IE, 11             # ... and iret restored it
        mtcr    status, zero
        lw      t0, PIC_PENDING(s0)
        expect  t0, 0, 12               # acknowledged: no longer pending ...
        lw      t0, PIC_INSERVICE(s0)
        expect  t0, 1, 13               # ... but in service
        li      t0, 16
        sw      t0, PIC_EOI(s0)         # EOI of a line >= 16: ignored
        lw      t0, PIC_INSERVICE(s0)
        expect  t0, 1, 14
        sw      zero, PIC_EOI(s0)       # EOI line 0
        lw      t0, PIC_INSERVICE(s0)
        expect  t0, 0, 15
        li      t0, 1
        sw      t0, TIMER_STATUS(s1)    # write 1 to clear "fired"
        lw      t0, TIMER_STATUS(s1)
        expect  t0, 0, 16

        # ================================================= line disabled: nothing is delivered
        sw      zero, PIC_ENABLE(s0)
        li      t0, ST_IE
        mtcr    status, t0
        li      t0, T_EN + T_IRQ
        sw      t0, TIMER_CTRL(s1)
        .fill   80, 4, NOP_WORD
        expect_exc_count 1, 20
        lw      t0, PIC_PENDING(s0)
        expect  t0, 1, 21
        li      t0, 1
        sw      t0, PIC_ENABLE(s0)      # enabling it delivers it at the next boundary
i2:     nop
        expect_fault 2, V_IRQ0, 0, i2, 22
        mtcr    status, zero
        sw      zero, PIC_EOI(s0)

        # ================================================= a timer without its interrupt bit
        # fires (STATUS) but raises no line
        li      t0, T_EN
        sw      t0, TIMER_CTRL(s1)
        .fill   80, 4, NOP_WORD
        lw      t0, TIMER_STATUS(s1)
        expect  t0, 1, 30
        lw      t0, PIC_PENDING(s0)
        expect  t0, 0, 31
        li      t0, 1
        sw      t0, TIMER_STATUS(s1)

        # ================================================= the exact moment: the deadline is
        # the count after the arming store retires + PERIOD; the interrupt is taken at the first
        # boundary at or after it (here, with 1-cycle nops, exactly at it)
        set_vec V_IRQ0, irq_time, D_P
        li      t0, 100
        sw      t0, TIMER_PERIOD(s1)
        li      t1, ST_IE
        mtcr    status, t1
        li      t0, T_EN + T_IRQ
        mfcr    s2, cycle               # c
        sw      t0, TIMER_CTRL(s1)      # runs c+2 .. c+8 (1 + MMIO 5): deadline = c + 108
nops:   .fill   300, 4, NOP_WORD        # nop k starts at c + 8 + k: k = 100 is interrupted
        mtcr    status, zero
        expect_fault 3, V_IRQ0, 0, nops + 4 * 100, 40
        sub     t0, s11, s2             # irq_time read the count right after the delivery
        expect  t0, 108 + 12, 44        # (EXCEPTION_ENTRY 12)
        sw      zero, PIC_EOI(s0)
        reset_vec V_IRQ0

        # ================================================= in service: a line raised again is
        # held until EOI, then delivered right after the EOI store
        li      t0, 30
        sw      t0, TIMER_PERIOD(s1)
        li      t1, ST_IE
        mtcr    status, t1
        li      t0, T_EN + T_PERIODIC + T_IRQ
        sw      t0, TIMER_CTRL(s1)
        .fill   100, 4, NOP_WORD        # fires at about +30 (delivered), +60, +90 (held)
        expect_exc_count 4, 50
        lw      t0, PIC_PENDING(s0)
        expect  t0, 1, 51
        lw      t0, PIC_INSERVICE(s0)
        expect  t0, 1, 52
        sw      zero, TIMER_CTRL(s1)    # disarm
        sw      zero, PIC_EOI(s0)       # EOI: the held one is delivered now
i5:     nop
        expect_fault 5, V_IRQ0, 0, i5, 53
        mtcr    status, zero
        sw      zero, PIC_EOI(s0)
        lw      t0, PIC_PENDING(s0)
        expect  t0, 0, 57

        # ================================================= wfi with IE = 0: sleeps until the
        # line is deliverable, then simply continues (no delivery); the wait is in the count
        li      t0, 1000
        sw      t0, TIMER_PERIOD(s1)
        li      t0, T_EN + T_IRQ
        mfcr    s2, cycle
        sw      t0, TIMER_CTRL(s1)      # deadline = c + 8 + 1000
        wfi                             # 1 cycle, then sleeps to the deadline
        mfcr    s3, cycle
        sub     t0, s3, s2
        expect  t0, 1008, 60
        expect_exc_count 5, 61
        lw      t0, PIC_PENDING(s0)
        expect  t0, 1, 62
        # a line already deliverable: wfi is a 1-cycle no-op
        cyc_begin
        wfi
        cyc_end 1, 63
        drain_line0
        expect_exc_count 6, 64
        # wfi with IE = 1: the interrupt is delivered after it (frame pc = the next instruction)
        li      t0, 500
        sw      t0, TIMER_PERIOD(s1)
        li      t0, T_EN + T_IRQ
        sw      t0, TIMER_CTRL(s1)
        li      t0, ST_IE
        mtcr    status, t0
w1:     wfi
w2:     nop
        mtcr    status, zero
        expect_fault 7, V_IRQ0, 0, w2, 65
        sw      zero, PIC_EOI(s0)

        # ================================================= an interrupt whose delivery fails is
        # a double fault (detail 32); the acknowledgement stands
        set_vec V_IRQ0, rec_handler, 0          # not present
        li      t0, 20
        sw      t0, TIMER_PERIOD(s1)
        li      t0, T_EN + T_IRQ
        sw      t0, TIMER_CTRL(s1)
        li      t0, ST_IE
        mtcr    status, t0
        resume_at 1f                    # (the frame pc is the next instruction already)
        .fill   40, 4, NOP_WORD
1:      mtcr    status, zero
        expect_exc_count 8, 70
        expect_exc EXC_CAUSE, V_DOUBLE_FAULT + (V_IRQ0 << 8), 71
        expect_exc EXC_FADDR, 0, 72
        lw      t0, PIC_INSERVICE(s0)
        expect  t0, 1, 73
        sw      zero, PIC_EOI(s0)
        reset_vec V_IRQ0
        pass

        .data
        .balign 4
timer_ptr:
        .word   TIMER

        .text
# Vector 32 for the timing check: read the count first, then log as usual.
irq_time:
        mfcr    s11, cycle
        j       rec_handler
