# The system image's first instruction, and the order of its sections.
#
# The boot ROM jumps here (ring 0, paging off) with a0 = RAM size and a1 = bytes it copied.
# Each section starts on its own page, so the kernel can give each the ring that owns it:
#   .text .rodata .data              ring 0   the kernel
#   .drv.text .drv.data .drv.bss     ring 1   the drivers
#   .fs.text .fs.data .fs.bss        ring 2   the file service
#   .kbss                            ring 0   the kernel's zeroed data
# The three *bss sections hold no bytes in the image: kmain zeroes them first.

        .include "kernel.inc"

        .text
        .global _start, text_start
_start:
text_start:
        # Zero the bss sections (they follow the copied bytes) before anything uses them.
        la      t0, kbss_start
        la      t1, image_end
1:      bgeu    t0, t1, 2f
        sw      zero, 0(t0)
        addi    t0, t0, 4
        j       1b
2:      la      sp, boot_stack_top
        j       kmain

        .rodata
        .global rodata_start
rodata_start:

        .data
        .global data_start
data_start:

        .section .drv.text, "ax"
        .global drv_text_start
drv_text_start:

        .section .drv.data, "aw"
        .global drv_data_start
drv_data_start:

        .section .fs.text, "ax"
        .global fs_text_start
fs_text_start:

        .section .fs.data, "aw"
        .global fs_data_start
fs_data_start:

        .section .kbss, "aw", @nobits
        .global kbss_start, boot_stack_top
kbss_start:
        .space  4096
boot_stack_top:

        .section .drv.bss, "aw", @nobits
        .global drv_bss_start
drv_bss_start:

        .section .fs.bss, "aw", @nobits
        .global fs_bss_start
fs_bss_start:
