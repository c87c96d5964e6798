# cycles.s — the cycle model (§12) measured from inside the guest with `mfcr cycle`
# (cyc_begin / cyc_end in check.inc): the base cost of each instruction class, the taken
# penalty, the load-use stall, MMIO latency, exception entry, gates, iret, and the two worked
# examples of §12.2 (a summing loop: 703 / 803 cycles) and §12.3 (a TLB conflict: 27 instead of
# 7 cycles per iteration).
        .include "check.inc"
        .include "paging.inc"

main:
        la      s0, data
        li      s1, 7
        li      s2, 3

        # ---- ALU: 1
        cyc_begin
        add     t0, s1, s2
        sub     t0, s1, s2
        xor     t0, s1, s2
        sll     t0, s1, s2
        sra     t0, s1, s2
        slt     t0, s1, s2
        sltu    t0, s1, s2
        cyc_end 7, 1
        cyc_begin
        addi    t0, s1, 1
        slti    t0, s1, 1
        sltiu   t0, s1, 1
        andi    t0, s1, 1
        ori     t0, s1, 1
        xori    t0, s1, 1
        slli    t0, s1, 1
        srli    t0, s1, 1
        srai    t0, s1, 1
        lui     t0, 1
        auipc   t0, 1
        cyc_end 11, 2
        # ---- mul: 3, div: 12
        cyc_begin
        mul     t0, s1, s2
        cyc_end 3, 3
        cyc_begin
        mulh    t0, s1, s2
        mulhu   t1, s1, s2
        cyc_end 6, 4
        cyc_begin
        div     t0, s1, s2
        cyc_end 12, 5
        cyc_begin
        divu    t0, s1, s2
        rem     t1, s1, s2
        remu    t2, s1, s2
        cyc_end 36, 6
        # ---- loads and stores: 1
        cyc_begin
        lw      t0, 0(s0)
        lh      t1, 4(s0)
        lhu     t1, 4(s0)
        lb      t2, 6(s0)
        lbu     t2, 6(s0)
        sw      s1, 8(s0)
        sh      s1, 12(s0)
        sb      s1, 14(s0)
        cyc_end 8, 7
        # ---- branches: 1 not taken, 1 + 2 taken
        cyc_begin
        beq     s1, s2, bad
        bne     s1, s1, bad
        blt     s1, s2, bad
        bge     s2, s1, bad
        bltu    s1, s2, bad
        bgeu    s2, s1, bad
        cyc_end 6, 10
        cyc_begin
        beq     s1, s1, 1f
1:      bne     s1, s2, 1f
1:      blt     s2, s1, 1f
1:      bge     s1, s2, 1f
1:      bltu    s2, s1, 1f
1:      bgeu    s1, s2, 1f
1:      cyc_end 18, 11
        # ---- jal / jalr: always 1 + 2
        cyc_begin
        jal     zero, 1f
1:      jal     ra, 1f
1:      la      t0, 1f                  # lui + ori: 2
        jalr    zero, 0(t0)
1:      cyc_end 3 + 3 + 2 + 3, 12
        # ---- load-use stall: +1 for the instruction right after a load that reads its rd
        cyc_begin
        lw      t0, 0(s0)
        add     t1, t0, t0              # stalls
        cyc_end 1 + 2, 20
        cyc_begin
        lw      t0, 0(s0)
        add     t1, s1, s2              # independent: no stall
        add     t1, t0, t0              # two instructions later: no stall
        cyc_end 3, 21
        cyc_begin
        lw      t0, 0(s0)
        beq     t0, zero, 1f            # SPEC §12.4: 1 + (1 + 1 stall + 2) = 5 (data[0] = 0)
1:      cyc_end 5, 22
        cyc_begin
        lw      t0, 0(s0)
        sw      t0, 16(s0)              # store data (rs2) is a read: stalls
        cyc_end 3, 23
        cyc_begin
        lw      t0, 0(s0)
        lw      t1, 0(t0)               # base register (rs1): stalls (t0 = 0: address 0)
        cyc_end 3, 24
        cyc_begin
        lw      zero, 0(s0)             # a load into r0 loads nothing to wait for
        add     t1, zero, zero
        cyc_end 2, 25
        cyc_begin
        mul     t0, s1, s2
        add     t1, t0, t0              # only loads stall: 3 + 1
        cyc_end 4, 26
        cyc_begin
        lw      t0, 0(s0)
        mtcr    scratch0, t0            # mtcr reads rs1: 2 + 1
        cyc_end 1 + 3, 27
        la      t2, 1f
        sw      t2, 20(s0)
        cyc_begin
        lw      t2, 20(s0)
        jalr    zero, 0(t2)             # jalr: 1 + 2 + 1 stall
1:      cyc_end 1 + 4, 28
        cyc_begin
        lw      t0, 24(s0)
        cas     t0, s1, (s0)            # cas reads rd, rs1, rs2: 4 + 1
        cyc_end 1 + 5, 29
        sw      zero, 0(s0)
        # ---- the other base costs
        cyc_begin
        mfcr    t0, scratch0
        mtcr    scratch1, t0
        cyc_end 4, 30
        cyc_begin
        cas     t0, s1, (s0)
        cyc_end 4, 31
        sw      zero, 0(s0)
        cyc_begin
        fence
        cyc_end 1, 32
        cyc_begin
        tlbflush
        cyc_end 8, 33
        cyc_begin
        tlbinval s0
        cyc_end 2, 34
        # ---- MMIO: +5 per device access (SPEC §12.4)
        li      s3, UART
        cyc_begin
        lw      t2, 4(s3)               # UART STATUS: 1 + 5
        andi    t2, t2, 2               # + 1 stall
        cyc_end 8, 40
        li      s3, PIC
        cyc_begin
        sw      zero, PIC_PRIO(s3)      # 1 + 5
        cyc_end 6, 41
        li      s3, 0xF1000000          # the framebuffer is a device window too
        cyc_begin
        sb      zero, 0(s3)
        cyc_end 6, 42

        # ---- exception entry 12: a faulting div costs only the delivery; trap/brk 1 + 12
        set_vec V_DIVIDE, time_fault, D_P
        cyc_begin
        div     t0, s1, zero
        sub     t0, s11, s10            # time_fault resumes here with s11 = count at entry
        addi    t0, t0, -2
        expect  t0, 12, 50
        reset_vec V_DIVIDE
        set_vec 48, time_trap, D_P + 3 * D_DPL
        set_vec V_BREAKPOINT, time_trap, D_P + 3 * D_DPL
        cyc_begin
        trap    48
        sub     t0, s11, s10
        addi    t0, t0, -2
        expect  t0, 13, 51
        cyc_begin
        brk
        sub     t0, s11, s10
        addi    t0, t0, -2
        expect  t0, 13, 52
        # ... and from ring 3 into ring 0 (SPEC §12.4: trap 48 from ring 3 = 13). Ring 3 cannot
        # read the counter, so ring 0 reads it, drops to ring 3 with `mtcr status` (2) and the
        # handler reads it again.
        li      t1, 3
        cyc_begin
        mtcr    status, t1
        trap    48
        sub     t0, s11, s10
        addi    t0, t0, -2
        expect  t0, 2 + 13, 53
        rise_to 0
        reset_vec 48
        reset_vec V_BREAKPOINT

        # ---- delivery clears the load-use state: the handler's first instruction reads the
        # register loaded just before the faulting instruction, without a stall
        set_vec V_MISALIGNED, use_after_fault, D_P
        cyc_begin
        lw      t0, 0(s0)               # 1
        lw      t1, 1(s0)               # misaligned: 0 + delivery 12
        sub     t0, s11, s10            # use_after_fault resumes here
        addi    t0, t0, -2
        expect  t0, 1 + 12 + 1, 54      # + the handler's add (1, no stall)
        reset_vec V_MISALIGNED

        # ---- callg 12, retg 10 (no taken penalty), iret 10
        set_gate GATE_FREE, g_ret, D_P + 3 * D_DPL
        set_gate GATE_FREE + 1, g_time, D_P + 3 * D_DPL
        cyc_begin
        callg   GATE_FREE               # entry: retg
        cyc_end 22, 60
        cyc_begin
        callg   GATE_FREE + 1           # entry: mfcr s11, cycle; retg
        sub     t0, s11, s10
        addi    t0, t0, -2
        expect  t0, 12, 61
        set_gate GATE_FREE + 2, g_time, D_P + 3 * D_DPL + 15 * D_N
        cyc_begin
        callg   GATE_FREE + 2           # 15 parameters copied: still 12
        sub     t0, s11, s10
        addi    t0, t0, -2
        expect  t0, 12, 64
        li      t1, 3                   # the same from ring 3 (stack switch included)
        cyc_begin
        mtcr    status, t1
        callg   GATE_FREE + 1
        sub     t0, s11, s10
        addi    t0, t0, -2
        expect  t0, 2 + 12, 62
        rise_to 0
        addi    sp, sp, -20             # an exception frame returning to 1f in ring 0
        la      t0, 1f
        sw      t0, 0(sp)
        sw      zero, 4(sp)
        addi    t0, sp, 20
        sw      t0, 16(sp)
        cyc_begin
        iret
1:      cyc_end 10, 63

        # ---- SPEC §12.2: the summing loop, n = 100, paging off
        la      a0, array
        li      a1, 100
        cyc_begin
        jal     ra, sum                 # the jal (3) + the call (703)
        cyc_end 3 + 703, 70
        expect  a0, 5050, 71            # array[i] = i + 1
        la      a0, array
        li      a1, 100
        cyc_begin
        jal     ra, sum_naive           # 3 + 803
        cyc_end 3 + 803, 72
        expect  a0, 5050, 73

        # ---- SPEC §12.3: the same loop with paging on, the code in the page at VA 0x10000
        # (TLB slot 16) and the array in the page at VA 0x50000 (slot 16 too): each taken
        # iteration costs 7 + 20 = 27; with the array at 0x51000 (slot 17), 7.
        # Copy `sum` (8 words, position independent) to 0x10000 and the array to 0x50000 and
        # 0x51000 (identity-mapped, below the test program's own pages).
        li      t0, 0x10000
        la      t1, sum
        li      t2, 8
        jal     ra, copy_words
        li      t0, 0x50000
        la      t1, array
        li      t2, 101
        jal     ra, copy_words
        li      t0, 0x51000
        la      t1, array
        li      t2, 101
        jal     ra, copy_words
        paging_on
        # one more taken iteration in the steady state costs 27 (conflict) / 7 (no conflict)
        li      a0, 0x50000
        li      a1, 100
        jal     ra, timed_sum
        mv      s4, s11
        li      a0, 0x50000
        li      a1, 101
        jal     ra, timed_sum
        sub     t0, s11, s4
        expect  t0, 27, 80
        li      a0, 0x51000
        li      a1, 100
        jal     ra, timed_sum
        mv      s4, s11
        li      a0, 0x51000
        li      a1, 101
        jal     ra, timed_sum
        sub     t0, s11, s4
        expect  t0, 7, 81
        pass

bad:    li      a0, 999
        j       check_failed

# timed_sum: s11 = cycles of `jal ra, 0x10000` with a0, a1, starting from an empty TLB except
# for this code's page. Returns with the sum in a0.
timed_sum:
        mv      s5, ra
        tlbflush
        li      t3, 0x10000
        cyc_begin
        jalr    ra, 0(t3)
        mfcr    s11, cycle
        sub     s11, s11, s10
        jalr    zero, 0(s5)

# copy_words: t2 words from t1 to t0
copy_words:
1:      lw      t3, 0(t1)
        sw      t3, 0(t0)
        addi    t0, t0, 4
        addi    t1, t1, 4
        addi    t2, t2, -1
        bnez    t2, 1b
        jalr    zero, 0(ra)

# SPEC §12.2, exactly: a0 = array, a1 = n > 0; returns the sum in a0
sum:    addi    t0, zero, 0
loop:   lw      t1, 0(a0)
        addi    a0, a0, 4
        add     t0, t0, t1              # t1 was loaded two instructions ago: no stall
        addi    a1, a1, -1
        bne     a1, zero, loop
        addi    a0, t0, 0
        jalr    zero, 0(ra)

sum_naive:
        addi    t0, zero, 0
1:      lw      t1, 0(a0)
        add     t0, t0, t1              # right after the load: one stall per iteration
        addi    a0, a0, 4
        addi    a1, a1, -1
        bne     a1, zero, 1b
        addi    a0, t0, 0
        jalr    zero, 0(ra)

# Vector 7: count at entry in s11, resume after the div.
time_fault:
        mfcr    s11, cycle
        lw      t0, 0(sp)
        addi    t0, t0, 4
        sw      t0, 0(sp)
        iret

# trap / brk vector: count at entry in s11 (the frame pc is already the next instruction).
time_trap:
        mfcr    s11, cycle
        iret

# Vector 3: use t0 (loaded right before the fault) first thing, then read the count.
use_after_fault:
        add     t2, t0, t0
        mfcr    s11, cycle
        lw      t2, 0(sp)
        addi    t2, t2, 4
        sw      t2, 0(sp)
        iret

g_ret:  retg
g_time: mfcr    s11, cycle
        retg

        .data
        .balign 4
data:   .word   0, 0xFFFF8001, 0, 0, 0, 0, 0
array:  .word   1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
        .word   21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40
        .word   41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60
        .word   61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80
        .word   81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100
        .word   101
