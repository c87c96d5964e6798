# Marks the end of each section of the system image (this file is linked last).

        .text
        .global text_end
text_end:
        .rodata
        .global rodata_end
rodata_end:
        .data
        .global data_end
data_end:
        .section .drv.text, "ax"
        .global drv_text_end
drv_text_end:
        .section .drv.data, "aw"
        .global drv_data_end
drv_data_end:
        .section .fs.text, "ax"
        .global fs_text_end
fs_text_end:
        .section .fs.data, "aw"
        .global fs_data_end
fs_data_end:
        .section .kbss, "aw", @nobits
        .global kbss_end
kbss_end:
        .section .drv.bss, "aw", @nobits
        .global drv_bss_end
drv_bss_end:
        .section .fs.bss, "aw", @nobits
        .global fs_bss_end, image_end
fs_bss_end:
image_end:
