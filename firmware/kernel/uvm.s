# A process's own pages: the 4 MiB at USER_BASE, described by one page table.
#
# Every address space is a copy of the kernel's page directory plus that one table. The kernel
# never touches a user address it has not checked: check_user and copy_user_str look up the
# current process's table first (ring 3, present, and writable when the kernel will write).

        .include "kernel.inc"

        .equ    USER_PDE, USER_BASE >> 22
        .equ    USER_PTE, PTE_P | PTE_R | 3 * PTE_RING

        .text
# uvm_create(a0 = proc) -> a0 = 0, or E_NOMEM: a page directory and the user page table.
        .global uvm_create
uvm_create:
        enter   1
        mv      s0, a0
        call    kalloc
        beqz    a0, 9f
        sw      a0, P_PD(s0)
        lw      t0, kernel_pd                   # copy the kernel half
        li      t1, 0
        li      t2, PAGE_SIZE
1:      add     t3, t0, t1
        lw      t3, 0(t3)
        add     t4, a0, t1
        sw      t3, 0(t4)
        addi    t1, t1, 4
        bltu    t1, t2, 1b
        call    kalloc
        beqz    a0, 9f
        sw      a0, P_PT(s0)
        lw      t0, P_PD(s0)
        ori     t1, a0, PTE_P
        sw      t1, USER_PDE * 4(t0)
        li      a0, 0
        leave   1
9:      li      a0, E_NOMEM                     # the caller frees what was allocated
        leave   1

# uvm_map(a0 = proc, a1 = page address, a2 = PTE_W | PTE_X or 0) -> a0 = physical page or 0:
# a fresh zeroed page for the user address (the page already mapped there, if there is one).
        .global uvm_map
uvm_map:
        enter   3
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        call    uvm_pa
        bnez    a0, 1f
        call    kalloc
        beqz    a0, 1f
        lw      t0, P_PT(s0)
        srli    t1, s1, PAGE_SHIFT
        andi    t1, t1, 0x3FF
        slli    t1, t1, 2
        add     t0, t0, t1
        ori     t1, s2, USER_PTE
        or      t1, t1, a0
        sw      t1, 0(t0)
1:      srli    a0, a0, PAGE_SHIFT
        slli    a0, a0, PAGE_SHIFT
        leave   3

# uvm_pa(a0 = proc, a1 = user address) -> a0 = its physical address, or 0 if not mapped.
        .global uvm_pa
uvm_pa:
        li      t0, USER_BASE
        bltu    a1, t0, 9f
        li      t0, USER_STACK_TOP
        bgeu    a1, t0, 9f
        lw      t0, P_PT(a0)
        beqz    t0, 9f
        srli    t1, a1, PAGE_SHIFT
        andi    t1, t1, 0x3FF
        slli    t1, t1, 2
        add     t0, t0, t1
        lw      t0, 0(t0)
        andi    t1, t0, PTE_P
        beqz    t1, 9f
        srli    t0, t0, PAGE_SHIFT
        slli    t0, t0, PAGE_SHIFT
        andi    t1, a1, PAGE_SIZE - 1
        or      a0, t0, t1
        ret
9:      li      a0, 0
        ret

# uvm_unmap(a0 = proc, a1 = page address): frees the page mapped there, if any.
        .global uvm_unmap
uvm_unmap:
        enter   1
        lw      t0, P_PT(a0)
        srli    t1, a1, PAGE_SHIFT
        andi    t1, t1, 0x3FF
        slli    t1, t1, 2
        add     s0, t0, t1
        lw      a0, 0(s0)
        andi    t1, a0, PTE_P
        beqz    t1, 1f
        sw      zero, 0(s0)
        tlbinval a1
        srli    a0, a0, PAGE_SHIFT
        slli    a0, a0, PAGE_SHIFT
        call    kfree
1:      leave   1

# uvm_free(a0 = proc): frees every user page and the user page table (not the directory: it
# may be the one in use; reap frees it).
        .global uvm_free
uvm_free:
        enter   2
        lw      s0, P_PT(a0)
        beqz    s0, 3f
        sw      zero, P_PT(a0)
        li      s1, 0
1:      add     t0, s0, s1
        lw      a0, 0(t0)
        andi    t1, a0, PTE_P
        beqz    t1, 2f
        srli    a0, a0, PAGE_SHIFT
        slli    a0, a0, PAGE_SHIFT
        call    kfree
2:      addi    s1, s1, 4
        li      t0, PAGE_SIZE
        bltu    s1, t0, 1b
        mv      a0, s0
        call    kfree
3:      leave   2

# check_user(a0 = address, a1 = length, a2 = 1 if the kernel will write) -> a0 = 0 or E_FAULT:
# every byte must be in the current process's user pages, mapped, and writable if asked.
        .global check_user
check_user:
        beqz    a1, 8f
        add     t2, a0, a1                      # end
        bltu    t2, a0, 9f                      # wraps around
        li      t0, USER_BASE
        bltu    a0, t0, 9f
        li      t0, USER_STACK_TOP
        bltu    t0, t2, 9f
        lw      t0, curproc
        lw      t0, P_PT(t0)
        beqz    t0, 9f
        srli    t1, a0, PAGE_SHIFT              # t1 = first page number
        addi    t2, t2, -1
        srli    t2, t2, PAGE_SHIFT              # t2 = last page number
1:      andi    t3, t1, 0x3FF
        slli    t3, t3, 2
        add     t3, t3, t0
        lw      t3, 0(t3)
        andi    t4, t3, PTE_P
        beqz    t4, 9f
        beqz    a2, 2f
        andi    t4, t3, PTE_W
        beqz    t4, 9f
2:      addi    t1, t1, 1
        bgeu    t2, t1, 1b
8:      li      a0, 0
        ret
9:      li      a0, E_FAULT
        ret

# check_user_record(a0 = address, a1 = length) -> 0 or E_FAULT: check_user for a record the
# kernel fills with word stores, which must also be word-aligned.
        .global check_user_record
check_user_record:
        andi    t0, a0, 3
        bnez    t0, 1f
        li      a2, 1
        j       check_user
1:      li      a0, E_FAULT
        ret

# k_check(a0 = address, a1 = length, a2 = write) gate: check_user for the file service, which
# must not trust a program's pointer either (it could point into the service's own pages).
        .global k_check
k_check:
        kgate_enter 2
        call    check_user
        kgate_leave

# copy_user_str(a0 = destination, a1 = user string, a2 = room including the NUL)
#   -> a0 = length, E_FAULT (unmapped) or E_NAMETOOLONG (no NUL within the room).
        .global copy_user_str
copy_user_str:
        enter   4
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        li      s3, 0                           # length so far
1:      bgeu    s3, s2, 8f
        add     t0, s1, s3
        andi    t1, t0, PAGE_SIZE - 1
        beqz    s3, 2f
        bnez    t1, 3f                          # check each new page once
2:      mv      a0, t0
        li      a1, 1
        li      a2, 0
        call    check_user
        bnez    a0, 9f
3:      add     t0, s1, s3
        lbu     t1, 0(t0)
        add     t2, s0, s3
        sb      t1, 0(t2)
        beqz    t1, 7f
        addi    s3, s3, 1
        j       1b
7:      mv      a0, s3
        leave   4
8:      li      a0, E_NAMETOOLONG
9:      leave   4

# k_copystr(a0 = destination, a1 = user string, a2 = room) gate: copy_user_str for the file
# service (names and paths).
        .global k_copystr
k_copystr:
        kgate_enter 2
        call    copy_user_str
        kgate_leave
