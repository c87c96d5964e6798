# rings.s: the shell's built-in command rings: who runs in which ring, and the gate table
# between them, read live. It is called as cmd(argc, argv).

        .include "sh.inc"

        .text
        .global cmd_rings

# rings: who runs in which ring, and the live gate table: for every present gate its number,
# name, entry address, the routine and ring it enters, and the outermost ring that may call
# it (its DPL). The names come from abi.inc (lib/gates.s); everything else is read from the
# descriptors the CPU uses, through gateinfo.
cmd_rings:
        addi    sp, sp, -40
        sw      ra, 36(sp)
        sw      s0, 32(sp)
        sw      s1, 28(sp)
        sw      s2, 24(sp)
        sw      s3, 20(sp)              # 0..15(sp): gates served per ring
        sw      zero, 0(sp)
        sw      zero, 4(sp)
        sw      zero, 8(sp)
        sw      zero, 12(sp)
        li      s2, 0                   # gates ring 3 may call
        la      a0, rings_head
        call    puts
        li      s0, 1                   # gate number
1:      mv      a0, s0
        la      a1, rec
        call    gateinfo
        blez    a0, 5f
        la      t0, rec
        lw      s1, GI_FLAGS(t0)
        andi    t1, s1, 1               # not present: skip
        beqz    t1, 4f
        srli    s3, s1, 1               # s3 = target ring
        andi    s3, s3, 3
        slli    t1, s3, 2               # count it for its ring
        add     t1, t1, sp
        lw      t2, 0(t1)
        addi    t2, t2, 1
        sw      t2, 0(t1)
        srli    s1, s1, 3               # s1 = DPL
        andi    s1, s1, 3
        li      t1, RING_USER
        bne     s1, t1, 2f
        addi    s2, s2, 1
2:      mv      a0, s0
        call    gate_name
        sw      a0, 16(sp)
        mv      a0, s0
        call    gate_handler
        mv      a4, a0
        mv      a0, s3
        call    ring_owner
        mv      a6, a0
        la      t0, rec
        lw      a3, GI_ENTRY(t0)
        lw      a2, 16(sp)
        mv      a1, s0
        mv      a5, s3
        la      a0, gate_fmt
        call    printf
        mv      a1, s1                  # DPL d: rings target..d may call it (a ring
        mv      a2, s3                  # outside the target's cannot: no outward calls)
        mv      a3, s1
        la      a0, dpl_fmt
        call    printf
4:      addi    s0, s0, 1
        j       1b
5:      addi    a1, s0, -1              # the summary
        mv      a2, s2
        la      a0, rings_count
        call    printf
        li      s0, 0                   # then one line per ring
6:      mv      a0, s0
        call    ring_owner
        mv      a2, a0
        slli    t0, s0, 2
        add     t0, t0, sp
        lw      a3, 0(t0)
        mv      a1, s0
        la      a0, ring_fmt
        call    printf
        addi    s0, s0, 1
        li      t0, 4
        blt     s0, t0, 6b
        la      a0, rings_tail
        call    puts
        lw      s3, 20(sp)
        lw      s2, 24(sp)
        lw      s1, 28(sp)
        lw      s0, 32(sp)
        lw      ra, 36(sp)
        addi    sp, sp, 40
        ret

# ring_owner(ring) -> what runs in that ring: "kernel", "drivers", "file service", "programs".
ring_owner:
        andi    a0, a0, 3
        slli    a0, a0, 2
        la      t0, ring_owners
        add     a0, a0, t0
        lw      a0, 0(a0)
        ret

        .rodata
        .balign 4
ring_owners:
        .word   own_kernel, own_drivers, own_fs, own_programs
own_kernel:     .asciz "kernel"
own_drivers:    .asciz "drivers"
own_fs:         .asciz "file service"
own_programs:   .asciz "programs"

rings_head:     .ascii "The gate table, read live from the CPU's descriptors:\n"
                .asciz "gate name          entry     routine         ring            DPL: who may call"
gate_fmt:       .asciz "%4d %-13s %08x  %-15s %d %-13s "
dpl_fmt:        .asciz "%d: rings %d-%d\n"
rings_count:    .ascii "%d gates; %d of them may be called from ring 3. A program that calls\n"
                .asciz "any other gate gets a GATE_FAULT (try: crash gate).\n"
ring_fmt:       .asciz "ring %d  %-13s serves %2d gates\n"
rings_tail:     .asciz "A gate leads only inward, to a more privileged ring: ring 3 serves none."
