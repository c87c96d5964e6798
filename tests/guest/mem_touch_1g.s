# mem_touch_1g.s — with -m 1G, reads a word of every 4 KiB page of RAM and writes one word
# per MiB, over and over: guest RAM is reserved lazily, so what stays resident is the pages
# written plus the emulator's own structures.
        .include "check.inc"
        .equ    RAM_END, 0x40000000
main:   li      s0, 0x400000            # above the test layout's 4 MiB
1:      mv      t0, s0
        li      t1, RAM_END
        li      t3, 0xFFFFF
2:      lw      t2, 0(t0)
        and     t4, t0, t3
        bnez    t4, 3f
        sw      t0, 0(t0)
3:      addi    t0, t0, 0x7FF
        addi    t0, t0, 0x7FF
        addi    t0, t0, 2               # next page
        bltu    t0, t1, 2b
        j       1b
