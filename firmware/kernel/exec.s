# Starting programs: k_exec loads an ELF file (which the file service read from the disk) into
# a new process; userinit starts process 1 from initcode, a few instructions inside the kernel.
#
# A new process's kernel stack is built so that the scheduler's first swtch to it "returns" to
# forkret, which enters the program in ring 3 with retg: a0 = argc, a1 = argv.

        .include "kernel.inc"

# ELF32 offsets (the parts a loader needs).
        .equ    EH_TYPE, 16
        .equ    EH_MACHINE, 18
        .equ    EH_ENTRY, 24
        .equ    EH_PHOFF, 28
        .equ    EH_PHENTSIZE, 42
        .equ    EH_PHNUM, 44
        .equ    EH_SIZE, 52
        .equ    PH_TYPE, 0
        .equ    PH_OFFSET, 4
        .equ    PH_VADDR, 8
        .equ    PH_FILESZ, 16
        .equ    PH_MEMSZ, 20
        .equ    PH_FLAGS, 24
        .equ    PH_SIZE, 32
        .equ    PT_LOAD, 1
        .equ    PF_X, 1
        .equ    PF_W, 2
        .equ    EM_RF32, 0x5246
        .equ    ET_EXEC, 2
        .equ    PHNUM_MAX, 16
        .equ    ARGS_AREA, 256                  # the argument strings, at the top of the stack

        .text
# k_exec(a0 = ELF image, a1 = its length, a2 = user argument line or 0, a3 = program name)
#   -> a0 = pid of the new process, or an error. The file service's gate into the kernel.
        .global k_exec
k_exec:
        kgate_enter 2
        mv      s0, a0
        mv      s1, a1
        mv      s2, a3
        # The argument line is the caller's: copy it (checked) before anything else.
        la      a0, kargs
        beqz    a2, 1f
        mv      a1, a2
        li      a2, ARGLINE_MAX + 1
        call    copy_user_str
        bltz    a0, 9f
        j       2f
1:      mv      a1, s2                          # no arguments: argv[0] = the name
        call    strcpy_k
2:      mv      a0, s0
        mv      a1, s1
        call    elf_check
        bnez    a0, 9f
        call    proc_alloc
        bltz    a0, 9f
        mv      s3, a0
        mv      a1, s0
        mv      a2, s1
        call    elf_load
        bltz    a0, 8f
        mv      a1, a0                          # entry
        mv      a0, s3
        mv      a2, s2
        call    proc_start
        bltz    a0, 8f
        kgate_leave
8:      mv      s0, a0
        mv      a0, s3
        call    proc_release
        mv      a0, s0
9:      kgate_leave

# elf_check(a0 = image, a1 = length) -> a0 = 0 or E_NOEXEC: an RF32 executable whose program
# headers lie inside the image.
elf_check:
        li      t0, EH_SIZE
        bltu    a1, t0, 9f
        andi    t0, a0, 3
        bnez    t0, 9f
        lw      t0, 0(a0)
        li      t1, 0x464C457F                  # "\x7fELF"
        bne     t0, t1, 9f
        lbu     t0, 4(a0)                       # 32-bit, little-endian
        li      t1, 1
        bne     t0, t1, 9f
        lbu     t0, 5(a0)
        bne     t0, t1, 9f
        lhu     t0, EH_TYPE(a0)
        li      t1, ET_EXEC
        bne     t0, t1, 9f
        lhu     t0, EH_MACHINE(a0)
        li      t1, EM_RF32
        bne     t0, t1, 9f
        lhu     t0, EH_PHENTSIZE(a0)
        li      t1, PH_SIZE
        bne     t0, t1, 9f
        lhu     t0, EH_PHNUM(a0)
        li      t1, PHNUM_MAX
        bltu    t1, t0, 9f
        lw      t1, EH_PHOFF(a0)
        andi    t2, t1, 3
        bnez    t2, 9f
        bltu    a1, t1, 9f
        slli    t0, t0, 5                       # phnum * 32
        add     t0, t0, t1
        bltu    a1, t0, 9f
        li      a0, 0
        ret
9:      li      a0, E_NOEXEC
        ret

# elf_load(a0 = proc, a1 = image, a2 = length) -> a0 = entry point, or an error: maps and fills
# each loadable segment, which must lie in [USER_BASE, USER_IMAGE_END).
elf_load:
        enter   8
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        lw      s3, EH_PHOFF(s1)
        add     s3, s3, s1                      # program header
        lhu     s4, EH_PHNUM(s1)
        li      s5, USER_BASE                   # highest end so far: the initial break
1:      beqz    s4, 5f
        lw      t0, PH_TYPE(s3)
        li      t1, PT_LOAD
        bne     t0, t1, 4f
        lw      t0, PH_VADDR(s3)
        lw      t1, PH_MEMSZ(s3)
        lw      t2, PH_FILESZ(s3)
        lw      t3, PH_OFFSET(s3)
        li      t4, USER_BASE
        bltu    t0, t4, 9f
        add     t4, t0, t1                      # end
        bltu    t4, t0, 9f
        li      t5, USER_IMAGE_END
        bltu    t5, t4, 9f
        bltu    t1, t2, 9f                      # filesz > memsz
        add     t5, t3, t2
        bltu    t5, t3, 9f
        bltu    s2, t5, 9f                      # file bytes beyond the image
        bgeu    s5, t4, 2f
        mv      s5, t4
2:      # Map the pages: writable and executable as the segment says.
        srli    s6, t0, PAGE_SHIFT
        slli    s6, s6, PAGE_SHIFT              # s6 = page
        lw      t5, PH_FLAGS(s3)
        li      s7, 0
        andi    t6, t5, PF_W
        beqz    t6, 3f
        ori     s7, s7, PTE_W
3:      andi    t6, t5, PF_X
        beqz    t6, 31f
        ori     s7, s7, PTE_X
31:     bgeu    s6, t4, 32f
        mv      a0, s0
        mv      a1, s6
        mv      a2, s7
        call    uvm_map
        beqz    a0, 8f
        lw      t0, PH_VADDR(s3)
        lw      t1, PH_MEMSZ(s3)
        add     t4, t0, t1
        li      t0, PAGE_SIZE
        add     s6, s6, t0
        j       31b
32:     # Copy the file bytes (the rest of the segment stays zero).
        mv      a0, s0
        lw      a1, PH_VADDR(s3)
        lw      t0, PH_OFFSET(s3)
        add     a2, s1, t0
        lw      a3, PH_FILESZ(s3)
        call    copy_to_proc
4:      addi    s3, s3, PH_SIZE
        addi    s4, s4, -1
        j       1b
5:      li      t0, PAGE_SIZE - 1
        add     s5, s5, t0
        srli    s5, s5, PAGE_SHIFT
        slli    s5, s5, PAGE_SHIFT
        sw      s5, P_BRK(s0)
        sw      s5, P_BRK0(s0)
        lw      a0, EH_ENTRY(s1)
        li      t0, USER_BASE
        bltu    a0, t0, 9f
        li      t0, USER_IMAGE_END
        bgeu    a0, t0, 9f
        leave   8
8:      li      a0, E_NOMEM
        leave   8
9:      li      a0, E_NOEXEC
        leave   8

# copy_to_proc(a0 = proc, a1 = user address, a2 = source, a3 = bytes): writes into another
# process's mapped pages through their physical addresses (its table is not the one in use).
        .global copy_to_proc
copy_to_proc:
        enter   4
        mv      s0, a0
        mv      s1, a1
        mv      s2, a2
        mv      s3, a3
1:      beqz    s3, 3f
        mv      a0, s0
        mv      a1, s1
        call    uvm_pa
        beqz    a0, 3f                          # (mapped by the caller)
        li      t0, PAGE_SIZE                   # bytes left in this page
        andi    t1, s1, PAGE_SIZE - 1
        sub     t0, t0, t1
        bgeu    s3, t0, 2f
        mv      t0, s3
2:      sub     s3, s3, t0
        add     s1, s1, t0
21:     lbu     t1, 0(s2)
        sb      t1, 0(a0)
        addi    s2, s2, 1
        addi    a0, a0, 1
        addi    t0, t0, -1
        bnez    t0, 21b
        j       1b
3:      leave   4

# proc_start(a0 = proc, a1 = entry, a2 = name) -> a0 = pid or E_NOMEM: the user stack with the
# arguments (from kargs), the kernel stack for forkret; then the process becomes runnable.
proc_start:
        enter   6
        mv      s0, a0
        mv      s1, a1
        mv      s5, a2
        li      s2, USER_STACK_LOW
1:      li      t0, USER_STACK_TOP
        bgeu    s2, t0, 2f
        mv      a0, s0
        mv      a1, s2
        li      a2, PTE_W
        call    uvm_map
        beqz    a0, 8f
        li      t0, PAGE_SIZE
        add     s2, s2, t0
        j       1b
        # The argument strings go at the top; split on spaces into argv below them.
2:      li      a0, USER_STACK_TOP - ARGS_AREA
        mv      s3, a0
        mv      a1, s0
        call    build_argv                      # -> a0 = argc, a1 = argv (user addresses)
        mv      s2, a0
        mv      s3, a1
        # The kernel stack: the retg frame on top, forkret's swtch frame below it.
        lw      t0, P_KSTACK(s0)
        li      t1, PAGE_SIZE - 12
        add     t0, t0, t1
        sw      s1, 0(t0)                       # pc = entry
        li      t1, RING_USER
        sw      t1, 4(t0)                       # ring 3
        addi    t1, s3, -4
        sw      t1, 8(t0)                       # sp: just below argv
        addi    t0, t0, -SW_SIZE
        la      t1, forkret
        sw      t1, SW_RA(t0)
        sw      s2, SW_S0(t0)
        sw      s3, SW_S1(t0)
        sw      t0, P_KSP(s0)
        # Name, pid, parent; runnable.
        addi    a0, s0, P_NAME
        mv      a1, s5
        li      a2, PNAME_MAX
        call    strncpy_k
        lw      t0, nextpid
        sw      t0, P_PID(s0)
        addi    t1, t0, 1
        sw      t1, nextpid, t2
        lw      t1, curproc
        sw      t1, P_PARENT(s0)
        li      t1, RING_USER
        sw      t1, P_RING(s0)
        li      t1, PSTATE_RUNNABLE
        sw      t1, P_STATE(s0)
        mv      a0, t0
        leave   6
8:      li      a0, E_NOMEM
        leave   6

# build_argv(a0 = user address of the strings area, a1 = proc) -> a0 = argc, a1 = argv:
# copies kargs there, cutting it into words; argv (argc + 1 pointers) goes below the strings.
build_argv:
        enter   6
        mv      s0, a0
        mv      s1, a1
        mv      a1, s0                          # physical address of the strings area
        mv      a0, s1
        call    uvm_pa
        mv      s2, a0                          # s2 = where the strings go (physical)
        mv      a0, s2
        la      a1, kargs
        call    strcpy_k
        la      s3, kargv                       # collect the word addresses here first
        li      s4, 0                           # argc
        li      s5, 0                           # offset into the strings
1:      add     t0, s2, s5                      # skip spaces, ending each word with a NUL
        lbu     t1, 0(t0)
        beqz    t1, 3f
        li      t2, ' '
        bne     t1, t2, 2f
        sb      zero, 0(t0)
        addi    s5, s5, 1
        j       1b
2:      li      t2, ARGV_MAX                    # a word starts here
        bgeu    s4, t2, 3f
        slli    t2, s4, 2
        add     t2, t2, s3
        add     t3, s0, s5
        sw      t3, 0(t2)
        addi    s4, s4, 1
21:     add     t0, s2, s5                      # to the end of the word
        lbu     t1, 0(t0)
        beqz    t1, 3f
        li      t2, ' '
        beq     t1, t2, 1b
        addi    s5, s5, 1
        j       21b
3:      add     t0, s2, s5                      # (a line cut at ARGV_MAX words ends there)
        sb      zero, 0(t0)
        slli    t0, s4, 2                       # argv[argc] = 0
        add     t0, t0, s3
        sw      zero, 0(t0)
        # argv goes just below the strings area.
        addi    t0, s4, 1
        slli    t0, t0, 2
        sub     s5, s0, t0                      # user address of argv
        mv      a0, s1
        mv      a1, s5
        mv      a2, s3
        addi    a3, s4, 1
        slli    a3, a3, 2
        call    copy_to_proc
        mv      a0, s4
        mv      a1, s5
        leave   6

# strcpy_k(a0 = dst, a1 = src): kernel-to-kernel string copy.
        .global strcpy_k
strcpy_k:
1:      lbu     t0, 0(a1)
        sb      t0, 0(a0)
        addi    a0, a0, 1
        addi    a1, a1, 1
        bnez    t0, 1b
        ret

# strncpy_k(a0 = dst, a1 = src, a2 = most characters): copies and NUL-terminates.
        .global strncpy_k
strncpy_k:
1:      beqz    a2, 2f
        lbu     t0, 0(a1)
        beqz    t0, 2f
        sb      t0, 0(a0)
        addi    a0, a0, 1
        addi    a1, a1, 1
        addi    a2, a2, -1
        j       1b
2:      sb      zero, 0(a0)
        ret

# userinit(): process 1 runs initcode (initcode.s), copied to USER_BASE.
        .global userinit
userinit:
        enter   1
        call    proc_alloc
        bltz    a0, 9f
        mv      s0, a0
        li      a1, USER_BASE
        li      a2, PTE_X
        call    uvm_map
        beqz    a0, 9f
        mv      a0, s0
        li      a1, USER_BASE
        la      a2, initcode
        la      a3, initcode_end
        sub     a3, a3, a2
        call    copy_to_proc
        li      t0, USER_BASE + PAGE_SIZE
        sw      t0, P_BRK(s0)
        sw      t0, P_BRK0(s0)
        la      a1, init_name
        la      a0, kargs
        call    strcpy_k
        mv      a0, s0
        li      a1, USER_BASE
        la      a2, init_name
        call    proc_start
        bltz    a0, 9f
        leave   1
9:      la      a0, msg_noinit
        j       panic

        .rodata
init_name:  .asciz  "init"
msg_noinit: .asciz  "cannot create process 1"

        .section .kbss, "aw", @nobits
kargs:      .space  ARGLINE_MAX + 1
        .balign 4
kargv:      .space  4 * (ARGV_MAX + 1)
