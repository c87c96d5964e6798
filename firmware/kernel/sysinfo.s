# System calls that report on the machine: uptime, ps, mem, gateinfo, uname; and poweroff.

        .include "kernel.inc"

        .text
# uptime() -> a0, a1 = cycles since reset (low, high).
        .global sys_uptime
sys_uptime:
        kgate_enter 3
        call    cycles_now
        kgate_leave 1

# ps(a0 = index, a1 = procinfo*) -> 1 with the index-th live process described, 0 past the end.
        .global sys_ps
sys_ps:
        kgate_enter 3
        mv      s0, a0
        mv      s1, a1
        mv      a0, a1
        li      a1, PI_BYTES
        call    check_user_record
        bnez    a0, 9f
        call    charge                          # the caller's own count, up to now
        la      t0, procs
        li      t1, NPROC
1:      lw      t2, P_STATE(t0)
        beqz    t2, 2f
        beqz    s0, 3f
        addi    s0, s0, -1
2:      addi    t0, t0, PROC_SIZE
        addi    t1, t1, -1
        bnez    t1, 1b
        li      a0, 0
        j       9f
3:      mv      s2, t0
        lw      t1, P_PID(s2)
        sw      t1, PI_PID(s1)
        sw      t2, PI_STATE(s1)
        lw      t1, P_RING(s2)
        sw      t1, PI_RING(s1)
        lw      t1, P_CYCLES(s2)
        sw      t1, PI_CYCLES(s1)
        lw      t1, P_CYCLES + 4(s2)
        sw      t1, PI_CYCLESH(s1)
        lw      t1, P_PARENT(s2)
        beqz    t1, 4f
        lw      t1, P_PID(t1)
4:      sw      t1, PI_PARENT(s1)
        addi    a0, s1, PI_NAME
        addi    a1, s2, P_NAME
        li      a2, PNAME_MAX
        call    strncpy_k
        li      a0, 1
9:      kgate_leave 1

# mem(a0 = meminfo*) -> 0: pages of RAM, free, and taken by the system image.
        .global sys_mem
sys_mem:
        kgate_enter 3
        mv      s0, a0
        li      a1, MI_BYTES
        call    check_user_record
        bnez    a0, 9f
        lw      t0, total_pages
        sw      t0, MI_TOTAL(s0)
        lw      t0, free_pages
        sw      t0, MI_FREE(s0)
        lw      t0, kernel_pages
        sw      t0, MI_KERNEL(s0)
        li      a0, 0
9:      kgate_leave 1

# gateinfo(a0 = gate number, a1 = gateinfo*) -> 1 with the live descriptor, 0 past the table.
        .global sys_gateinfo
sys_gateinfo:
        kgate_enter 3
        mv      s0, a0
        mv      s1, a1
        mv      a0, a1
        li      a1, GI_BYTES
        call    check_user_record
        bnez    a0, 9f
        mfcr    t0, glimit
        li      a0, 0
        bgeu    s0, t0, 9f
        mfcr    t0, gbase                       # the table the CPU uses (identity-mapped)
        slli    t1, s0, 3
        add     t0, t0, t1
        lw      t1, 0(t0)
        sw      t1, GI_ENTRY(s1)
        lw      t1, 4(t0)
        sw      t1, GI_FLAGS(s1)
        li      a0, 1
9:      kgate_leave 1

# uname(a0 = buffer, a1 = length) -> bytes copied of the version string (no NUL).
        .global sys_uname
sys_uname:
        kgate_enter 3
        mv      s0, a0
        mv      s1, a1
        li      a2, 1
        call    check_user
        bnez    a0, 9f
        la      t0, version
        li      a0, 0
1:      bgeu    a0, s1, 9f
        add     t1, t0, a0
        lbu     t1, 0(t1)
        beqz    t1, 9f
        add     t2, s0, a0
        sb      t1, 0(t2)
        addi    a0, a0, 1
        j       1b
9:      kgate_leave 1

# poweroff(a0 = exit code): stops the machine. (Data written to files is already on the disk
# device; the shell calls sync first so it is also flushed.)
        .global sys_poweroff
sys_poweroff:
        kgate_enter 3
        call    power_off
