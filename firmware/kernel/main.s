# kmain: brings the kernel up, then becomes the first process.
#
# Order matters: memory first (everything else allocates pages), then the tables the CPU reads
# (vectors, gates), then paging, then the devices' interrupts, then the first process.

        .include "kernel.inc"

        .text
        .global kmain
# kmain(a0 = RAM size, a1 = image bytes): never returns.
kmain:
        li      t0, KERNEL_RAM_MAX
        bleu    a0, t0, 1f
        mv      a0, t0                          # use at most KERNEL_RAM_MAX of RAM
1:      sw      a0, ram_size, t0
        call    vm_init
        call    trap_init
        call    gates_init
        li      t0, 1
        mtcr    iopl, t0                        # drivers (ring 1) may reach devices; rings 2-3 not
        call    vm_enable
        call    banner
        call    platform_init                   # interrupt controller and timer
        call    cons_init                       # console input interrupts, always on (Ctrl-C)
        li      a0, IRQ_UART
        call    pic_enable
        call    userinit                        # process 1 runs initcode
        j       sched_first

# Prints the kernel's part of the banner: who runs where, memory, devices.
banner:
        enter   0
        la      a0, msg_os
        call    kputs
        la      a0, version
        call    kputs
        la      a0, msg_rings
        call    kputs
        la      a0, msg_mem
        call    kputs
        lw      a0, free_pages
        srli    a0, a0, 8                       # 256 pages = 1 MiB
        call    kputdec
        la      a0, msg_free
        call    kputs
        call    devices_banner                  # drivers/platform.s: what answered
        leave   0

        .rodata
        .global version
version:    .asciz  "Ringfort OS 0.1"
msg_os:     .asciz  "\n"
msg_rings:  .asciz  " -- kernel in ring 0, drivers in ring 1, file service in ring 2, programs in ring 3\n"
msg_mem:    .asciz  "memory: "
msg_free:   .asciz  " MiB free for processes\n"

        .data
        .global ram_size
ram_size:   .word   0
