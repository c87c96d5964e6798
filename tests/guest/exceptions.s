# exceptions.s — exception delivery (§9.3-9.6): the 5-word frame [pc][old status][cause]
# [faddr][old sp], the stack switch to spT when the handler's ring is more privileged, IE
# cleared on entry (ring and PG as the descriptor / unchanged), cause and faddr registers,
# iret restoring status, sp and pc; DPL not checked for exceptions; nested exceptions; double
# faults (a fault DURING delivery), with detail = the vector that could not be delivered.
        .include "check.inc"
        .include "ring_table.inc"

main:
        # ================================================= frame layout, ring 3 -> ring 0 (sp0)
        set_vec V_DIVIDE, snap_status, D_P + 0 * D_DPL  # DPL 0: exceptions ignore DPL
        clear_exc
        li      t0, 3 + ST_IE           # ring 3 with interrupts enabled (none pending)
        la      ra, 1f
        li      sp, STACK3_HOME - 0x40
        mtcr    status, t0              # the next instruction runs in ring 3
1:      li      t1, 0
e1:     div     t2, t1, t1
        expect_fault 1, V_DIVIDE, 0, e1, 10
        expect_exc EXC_STATUS, 3 + ST_IE, 14    # old status: ring 3, IE 1
        expect_exc EXC_OLDSP, STACK3_HOME - 0x40, 15
        expect_exc EXC_SP, SP0_TOP - 20, 16     # frame right below sp0
        expect_exc EXC_CRCAUSE, V_DIVIDE, 17
        expect_exc EXC_CRFADDR, 0, 18
        expect_word handler_status, 0, 19       # the handler ran in ring 0 with IE = 0
        expect  sp, STACK3_HOME - 0x40, 20      # iret restored sp ...
        rise_to 0
        expect_cr status, ST_IE, 21             # ... and IE (the gate kept it)
        mtcr    status, zero
        reset_vec V_DIVIDE

        # ================================================= stack switch to sp1 / sp2, same-ring
        # handlers in rings 1 and 2 (they return with retg; iret is ring 0 only)
        clear_exc
        set_vec V_DIVIDE, outer_handler, D_P + 1 * D_T          # target ring 1
        drop_to 3
        li      t1, 0
e2:     div     t2, t1, t1                                      # ring 3 -> ring 1: sp1
        expect_word oh_sp, SP1_TOP - 20, 30
        expect_word oh_frame + 0, e2, 31
        expect_word oh_frame + 4, 3, 32
        expect_word oh_frame + 8, V_DIVIDE, 33
        expect_word oh_frame + 12, 0, 34
        expect_word oh_frame + 16, STACK3_HOME, 35
        rise_to 2
e3:     div     t2, t1, t1                                      # ring 2 -> ring 1: sp1
        expect_word oh_sp, SP1_TOP - 20, 36
        expect_word oh_frame + 4, 2, 37
        expect_word oh_frame + 16, STACK2_HOME, 38
        rise_to 1
        addi    sp, sp, -0x100
e4:     div     t2, t1, t1                                      # ring 1 -> ring 1: same stack
        expect_word oh_sp, STACK1_HOME - 0x100 - 20, 39
        expect_word oh_frame + 0, e4, 40
        expect_word oh_frame + 4, 1, 41
        expect_word oh_frame + 16, STACK1_HOME - 0x100, 42
        rise_to 0
        set_vec V_DIVIDE, outer_handler, D_P + 2 * D_T          # target ring 2
        drop_to 3
e5:     div     t2, t1, t1                                      # ring 3 -> ring 2: sp2
        expect_word oh_sp, SP2_TOP - 20, 43
        expect_word oh_frame + 0, e5, 44
        expect_word oh_frame + 4, 3, 45
        rise_to 0
        expect_exc_count 0, 46          # (the recording handler saw none of those)

        # ================================================= iret: status (bits 3:0 only), sp, pc
        addi    sp, sp, -20
        la      t0, 2f
        sw      t0, 0(sp)               # pc
        li      t0, 0xFFFFFFF3          # status: only bits 3:0 count -> ring 3, IE 0, PG 0
        sw      t0, 4(sp)
        li      t0, 0x12345678          # cause and faddr words are skipped
        sw      t0, 8(sp)
        sw      t0, 12(sp)
        li      t0, STACK3_HOME - 0x80
        sw      t0, 16(sp)              # sp
        li      t0, 0x4321
        mtcr    cause, t0
        iret
        j       bad
2:      expect  sp, STACK3_HOME - 0x80, 50
r3:     mfcr    t0, cause               # ring 3 now: PRIVILEGE
        expect_fault 1, V_PRIVILEGE, r3, r3, 51
        expect_exc EXC_STATUS, 3, 55
        rise_to 0
        expect_exc EXC_CRCAUSE, V_PRIVILEGE, 56 # (the PRIVILEGE delivery rewrote cause)

        # iret checks all five frame reads before changing anything, even the skipped cause
        # and faddr words: a frame whose faddr word is past the end of RAM
        clear_exc
        li      s2, 0x400000 - 12       # words at -12, -8, -4 in RAM; +12 = 0x400000 is not
        mv      s3, sp
        mv      sp, s2
r4:     iret
        mv      t0, sp
        mv      sp, s3
        expect_eq t0, s2, 57            # sp unchanged (the fault's frame went below it)
        expect_fault 1, V_BUS_ERROR, 0x400000, r4, 58
        expect_cr status, 0, 62

        # ================================================= nested: a fault inside a handler
        # is delivered on top, on the same stack (ring 0 -> ring 0)
        clear_exc
        set_vec V_DIVIDE, nesting_handler, D_P
        drop_to 3
e6:     div     t2, t1, t1
        rise_to 0
        expect_exc_count 1, 60          # the nested BREAKPOINT went to rec_handler
        expect_exc EXC_CAUSE, V_BREAKPOINT, 61
        expect_exc EXC_STATUS, 0, 62    # raised in ring 0 with IE 0 (the handler's state)
        expect_exc EXC_SP, SP0_TOP - 20 - 20, 63
        expect_exc EXC_OLDSP, SP0_TOP - 20, 64
        reset_vec V_DIVIDE

        # ================================================= double faults: delivery fails ->
        # vector 10, cause 10 | V << 8, faddr and frame pc of the original exception
        clear_exc
        set_vec V_DIVIDE, rec_handler, 0                # not present
e7:     div     t2, t1, t1
        expect_fault 1, V_DOUBLE_FAULT + (V_DIVIDE << 8), 0, e7, 70
        expect_exc EXC_CRCAUSE, V_DOUBLE_FAULT + (V_DIVIDE << 8), 74
        set_vec V_MISALIGNED, rec_handler, 0            # the original faddr is kept
        la      s0, bad
e8:     lw      t0, 2(s0)
        expect_fault 2, V_DOUBLE_FAULT + (V_MISALIGNED << 8), bad + 2, e8, 75
        expect_exc EXC_CRFADDR, bad + 2, 79
        reset_vec V_MISALIGNED
        set_vec V_DIVIDE, rec_handler, D_P + 2 * D_T    # outward (ring 0 -> ring 2)
e9:     div     t2, t1, t1
        expect_fault 3, V_DOUBLE_FAULT + (V_DIVIDE << 8), 0, e9, 80
        set_vec V_DIVIDE, rec_handler + 2, D_P          # misaligned entry
e10:    div     t2, t1, t1
        expect_fault 4, V_DOUBLE_FAULT + (V_DIVIDE << 8), 0, e10, 84
        # the frame cannot be pushed: ring 3 fault, handler in ring 1, sp1 not RAM; the double
        # fault goes to ring 0 on sp0 and describes the ring-3 state
        set_vec V_DIVIDE, outer_handler, D_P + 1 * D_T
        li      t0, 0xC0000000
        mtcr    sp1, t0
        drop_to 3
e11:    div     t2, t1, t1
        expect_fault 5, V_DOUBLE_FAULT + (V_DIVIDE << 8), 0, e11, 88
        expect_exc EXC_STATUS, 3, 92
        expect_exc EXC_OLDSP, STACK3_HOME, 93
        expect_exc EXC_SP, SP0_TOP - 20, 94
        rise_to 0
        li      t0, SP1_TOP
        mtcr    sp1, t0
        # a trap whose checks pass but whose frame cannot be pushed is a double fault too
        set_vec 60, rec_handler, D_P + 1 * D_T + 3 * D_DPL
        li      t0, SP1_TOP + 2         # misaligned sp1
        mtcr    sp1, t0
        drop_to 3
        resume_at 4f                    # (rec_handler would skip one more: frame pc = trap + 4)
e12:    trap    60
4:      expect_fault 6, V_DOUBLE_FAULT + (60 << 8), 0, e12 + 4, 95
        rise_to 0
        li      t0, SP1_TOP
        mtcr    sp1, t0
        reset_vec 60
        # the double fault costs one EXCEPTION_ENTRY (12), like any delivery
        set_vec V_DIVIDE, rec_handler, 0
        set_vec V_DOUBLE_FAULT, df_quick, D_P
        cyc_begin
        div     t2, t1, t1
3:      sub     s11, s11, s10
        addi    s11, s11, -2
        expect  s11, 12, 99
        reset_vec V_DOUBLE_FAULT
        reset_vec V_DIVIDE
        pass

bad:    li      a0, 999
        j       check_failed

# Vector 7 here: record status as the handler sees it, then continue as rec_handler.
snap_status:
        mtcr    scratch3, t0
        mfcr    t0, status
        la      gp, handler_status
        sw      t0, 0(gp)
        mfcr    t0, scratch3
        j       rec_handler

# A handler for rings 1 and 2: records sp and the frame, skips the faulting instruction, and
# returns with retg (turning [pc][status][cause][faddr][sp] into [pc][ring][sp]).
outer_handler:
        record_frame oh_sp, oh_frame
        lw      t0, 0(sp)
        addi    t0, t0, 4
        sw      t0, 8(sp)
        lw      t0, 4(sp)
        andi    t0, t0, 3
        sw      t0, 12(sp)
        addi    sp, sp, 8
        retg

# Vector 7 here: raise a breakpoint inside the handler (nested), then skip the div.
nesting_handler:
        brk
        lw      t0, 0(sp)
        addi    t0, t0, 4
        sw      t0, 0(sp)
        iret

# Vector 10 for the cost measurement: read the count, resume at 3b.
df_quick:
        mfcr    s11, cycle
        la      t0, 3b
        sw      t0, 0(sp)
        iret

        .data
        .balign 4
handler_status: .word 0xFFFFFFFF
oh_sp:          .word 0
oh_frame:       .space 20
