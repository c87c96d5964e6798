# Physical pages and the kernel's half of every address space.
#
# Pages never used yet are handed out in order from `fresh` up to the end of RAM; pages given
# back form a list threaded through their first word, used first. (So booting does not touch
# every page of RAM: the emulator then needs host memory only for the pages the OS uses.) The kernel half maps all RAM at
# its own address (virtual = physical), so the kernel can reach any page it hands out; each page
# carries the ring that may touch it: the kernel's ring 0, the drivers' ring 1, the file
# service's ring 2. Page 0 stays unmapped so a null pointer faults in every ring. The device
# windows are mapped for everyone, but only code with CPL <= iopl (= 1) may touch them.

        .include "kernel.inc"

        .equ    RAM_PTE, PTE_P | PTE_R | PTE_W          # ring 0 data
        .equ    DEV_PTE, PTE_P | PTE_R | PTE_W | 3 * PTE_RING

        .text
# vm_init(): the pages after the image are free; then the kernel page tables.
        .global vm_init
vm_init:
        enter   0
        la      t0, image_end
        addi    t0, t0, PAGE_SIZE - 1
        srli    t0, t0, PAGE_SHIFT
        slli    t0, t0, PAGE_SHIFT              # first free page
        sw      t0, fresh, t1
        srli    t1, t0, PAGE_SHIFT
        sw      t1, kernel_pages, t2
        lw      t1, ram_size
        srli    t2, t1, PAGE_SHIFT
        sw      t2, total_pages, t3
        sub     t1, t1, t0
        srli    t1, t1, PAGE_SHIFT
        sw      t1, free_pages, t2
        call    kpt_build
        leave   0

# kalloc() -> a0 = a zeroed page, or 0 when memory is exhausted.
        .global kalloc
kalloc:
        lw      a0, free_list
        beqz    a0, 1f
        lw      t0, 0(a0)                       # a page given back
        sw      t0, free_list, t1
        j       2f
1:      lw      a0, fresh                       # else one never used
        lw      t0, ram_size
        bgeu    a0, t0, 9f
        li      t1, PAGE_SIZE
        add     t1, t1, a0
        sw      t1, fresh, t2
2:      lw      t0, free_pages
        addi    t0, t0, -1
        sw      t0, free_pages, t1
        li      t0, PAGE_SIZE
        add     t0, t0, a0
        mv      t1, a0
3:      sw      zero, 0(t1)
        sw      zero, 4(t1)
        sw      zero, 8(t1)
        sw      zero, 12(t1)
        addi    t1, t1, 16
        bltu    t1, t0, 3b
        ret
9:      li      a0, 0
        ret

# kfree(a0 = page): returns it to the free list.
        .global kfree
kfree:
        lw      t0, free_list
        sw      t0, 0(a0)
        sw      a0, free_list, t1
        lw      t0, free_pages
        addi    t0, t0, 1
        sw      t0, free_pages, t1
        ret

# kpt_build(): the kernel page directory `kernel_pd`: RAM identity-mapped with each region's
# ring and permissions, and the device windows. Every process's directory starts as a copy.
kpt_build:
        enter   3
        call    kalloc
        sw      a0, kernel_pd, t0
        # RAM: ring-0 data everywhere but page 0; then each region of the image gets its own.
        li      s0, PAGE_SIZE
        lw      s1, ram_size
1:      bgeu    s0, s1, 2f
        mv      a0, s0
        li      a1, RAM_PTE
        call    kmap
        li      t0, PAGE_SIZE
        add     s0, s0, t0
        j       1b
2:      la      s2, regions
3:      lw      a0, 0(s2)
        beqz    a0, 4f
        lw      a1, 4(s2)
        lw      a2, 8(s2)
        call    kmap_range
        addi    s2, s2, 12
        j       3b
        # Device registers and the framebuffer.
4:      li      a0, MMIO_BASE
        li      a1, MMIO_PAGES
        call    kmap_devices
        li      a0, FB_BASE
        li      a1, FB_PAGES
        call    kmap_devices
        leave   3

# kmap_devices(a0 = base, a1 = pages): identity-maps a device window.
kmap_devices:
        enter   2
        mv      s0, a0
        mv      s1, a1
1:      beqz    s1, 2f
        mv      a0, s0
        li      a1, DEV_PTE
        call    kmap
        li      t0, PAGE_SIZE
        add     s0, s0, t0
        addi    s1, s1, -1
        j       1b
2:      leave   2

# kmap_range(a0 = start, a1 = end, a2 = PTE flags): sets the flags of the pages in [start, end).
kmap_range:
        enter   3
        srli    s0, a0, PAGE_SHIFT
        slli    s0, s0, PAGE_SHIFT
        mv      s1, a1
        mv      s2, a2
1:      bgeu    s0, s1, 2f
        mv      a0, s0
        mv      a1, s2
        call    kmap
        li      t0, PAGE_SIZE
        add     s0, s0, t0
        j       1b
2:      leave   3

# kmap(a0 = virtual = physical page, a1 = PTE flags): maps it in the kernel half, allocating
# the page table on first use. (Boot-time only: out of memory here is fatal.)
        .global kmap
kmap:
        enter   2
        mv      s0, a0
        mv      s1, a1
        lw      t0, kernel_pd
        srli    t1, s0, 22
        slli    t1, t1, 2
        add     t0, t0, t1                      # &PDE
        lw      t1, 0(t0)
        bnez    t1, 1f
        call    kalloc
        beqz    a0, 9f
        lw      t0, kernel_pd
        srli    t1, s0, 22
        slli    t1, t1, 2
        add     t0, t0, t1
        ori     t1, a0, PTE_P
        sw      t1, 0(t0)
1:      srli    t1, t1, PAGE_SHIFT
        slli    t1, t1, PAGE_SHIFT              # the page table
        srli    t2, s0, PAGE_SHIFT
        andi    t2, t2, 0x3FF
        slli    t2, t2, 2
        add     t1, t1, t2                      # &PTE
        srli    t2, s0, PAGE_SHIFT
        slli    t2, t2, PAGE_SHIFT
        or      t2, t2, s1
        sw      t2, 0(t1)
        leave   2
9:      la      a0, msg_nomem
        j       panic

# kpte(a0 = kernel-half address) -> a0 = address of its PTE (the page table must exist).
        .global kpte
kpte:
        lw      t0, kernel_pd
        srli    t1, a0, 22
        slli    t1, t1, 2
        add     t0, t0, t1
        lw      t0, 0(t0)
        srli    t0, t0, PAGE_SHIFT
        slli    t0, t0, PAGE_SHIFT
        srli    t1, a0, PAGE_SHIFT
        andi    t1, t1, 0x3FF
        slli    t1, t1, 2
        add     a0, t0, t1
        ret

# set_page_ring(a0 = page, a1 = ring): a ring-0 data page becomes data of ring a1 (a process's
# driver and file-service stacks), or back. The TLB may hold the old entry: drop it.
        .global set_page_ring
set_page_ring:
        enter   1
        mv      s0, a0
        slli    a1, a1, 4                       # ring * PTE_RING
        ori     a1, a1, RAM_PTE
        call    kmap
        tlbinval s0
        leave   1

# vm_enable(): paging on with the kernel's directory.
        .global vm_enable
vm_enable:
        lw      t0, kernel_pd
        mtcr    ptbase, t0
        li      t0, ST_PG
        mtcr    status, t0
        ret

        .rodata
msg_nomem:  .asciz  "out of memory while building the kernel page tables"
        .balign 4
# The image's regions: start, end, PTE flags. RAM not listed is ring-0 data.
regions:
        .word   text_start, text_end, PTE_P | PTE_R | PTE_X
        .word   rodata_start, rodata_end, PTE_P | PTE_R
        .word   drv_text_start, drv_text_end, PTE_P | PTE_R | PTE_X | 1 * PTE_RING
        .word   drv_data_start, drv_data_end, PTE_P | PTE_R | PTE_W | 1 * PTE_RING
        .word   drv_bss_start, drv_bss_end, PTE_P | PTE_R | PTE_W | 1 * PTE_RING
        .word   fs_text_start, fs_text_end, PTE_P | PTE_R | PTE_X | 2 * PTE_RING
        .word   fs_data_start, fs_data_end, PTE_P | PTE_R | PTE_W | 2 * PTE_RING
        .word   fs_bss_start, fs_bss_end, PTE_P | PTE_R | PTE_W | 2 * PTE_RING
        .word   0

        .data
        .global free_list, free_pages, total_pages, kernel_pages, kernel_pd
free_list:      .word   0
fresh:          .word   0                       # the first page never handed out
free_pages:     .word   0
total_pages:    .word   0
kernel_pages:   .word   0
kernel_pd:      .word   0
