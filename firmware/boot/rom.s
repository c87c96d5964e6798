# The boot ROM: the first code the machine runs (pc = 0xFFF00000 at reset, ring 0, paging off).
#
# It measures RAM (the machine reports nothing: the ROM reads until a bus error), prints the
# first lines of the banner, copies the system image (kernel, drivers, file service: the flat
# system.bin built from firmware/system.files) to KERNEL_BASE and jumps to it with
#   a0 = RAM size in bytes, a1 = bytes of the image copied.
# A hypervisor that boots the same kernel passes the same two values.

        .include "machine.inc"
        .include "layout.inc"

        .equ    PROBE_STEP, 0x10000             # RAM is measured in 64 KiB steps
        .equ    BOOT_VECTORS, 0x0               # a temporary vector table in RAM page 0
        .equ    BOOT_STACK, 0x1000              # and a stack below the image

        .text
        .global _start
_start:
        li      sp, BOOT_STACK
        call    install_probe_handler
        call    measure_ram
        mv      s0, a0                          # s0 = RAM size
        la      a0, banner
        call    rom_puts
        mv      a0, s0
        srli    a0, a0, 20
        call    rom_putdec
        la      a0, mib
        call    rom_puts
        # Too small to hold the image and the kernel's first pages: say so and stop.
        la      t0, image_end
        la      t1, image
        sub     s1, t0, t1                      # s1 = image bytes
        li      t0, KERNEL_BASE + 0x100000
        add     t0, t0, s1
        bgeu    s0, t0, 1f
        la      a0, too_small
        call    rom_puts
        li      a0, 1
        halt
1:      la      a0, loading
        call    rom_puts
        srli    a0, s1, 10
        call    rom_putdec
        la      a0, kib
        call    rom_puts
        call    copy_image
        mv      a0, s0
        mv      a1, s1
        li      t0, KERNEL_BASE
        jr      t0

# Points every vector at probe_fault (present, ring 0). Only a bus error is expected.
install_probe_handler:
        li      t0, BOOT_VECTORS
        la      t1, probe_fault
        li      t2, D_P
        li      t3, NVECTORS
1:      sw      t1, 0(t0)
        sw      t2, 4(t0)
        addi    t0, t0, 8
        addi    t3, t3, -1
        bnez    t3, 1b
        li      t0, BOOT_VECTORS
        mtcr    vbase, t0
        ret

# Returns in a0 the RAM size: the first 64 KiB step whose first word cannot be read.
# probe_fault sets s11 when the read raised a bus error.
measure_ram:
        li      a0, PROBE_STEP
        li      t1, RAM_LIMIT
1:      li      s11, 0
        lw      t0, 0(a0)
        bnez    s11, 2f
        li      t2, PROBE_STEP
        add     a0, a0, t2
        bltu    a0, t1, 1b
2:      ret

# The probe's exception handler: note the fault and skip the faulting load.
probe_fault:
        li      s11, 1
        lw      t0, 0(sp)                       # frame pc: the load
        addi    t0, t0, 4
        sw      t0, 0(sp)
        iret

# Copies the image to KERNEL_BASE, a word at a time (its size is a multiple of 4).
copy_image:
        la      t0, image
        la      t1, image_end
        li      t2, KERNEL_BASE
1:      bgeu    t0, t1, 2f
        lw      t3, 0(t0)
        sw      t3, 0(t2)
        addi    t0, t0, 4
        addi    t2, t2, 4
        j       1b
2:      ret

        .rodata
banner:     .asciz  "Ringfort boot ROM\nRAM: "
mib:        .asciz  " MiB\n"
loading:    .asciz  "loading the system image: "
kib:        .asciz  " KiB\n"
too_small:  .asciz  " -- too little RAM for Ringfort OS (give it at least 2 MiB: -m 2M)\n"
        .balign 4
image:
        .incbin "system.bin"
        .balign 4
image_end:
