# sleep SECONDS: do nothing for that long, without using the CPU: the kernel takes the
# process off the run queue until enough timer ticks (10 ms each) have passed.

        .include "abi.inc"

        .include "layout.inc"           # TICKS_PER_SECOND

        .text
        .global main

# main(argc, argv): sleep(SECONDS * TICKS_PER_SECOND).
main:
        addi    sp, sp, -4
        sw      ra, 0(sp)
        li      t0, 2
        bne     a0, t0, 8f
        lw      a0, 4(a1)
        call    atoi
        beqz    a1, 8f
        bltz    a0, 8f
        li      t0, TICKS_PER_SECOND
        mul     a0, a0, t0
        call    sleep
        li      a0, 0
        j       9f
8:      la      a0, usage_text
        call    puts
        li      a0, 1
9:      lw      ra, 0(sp)
        addi    sp, sp, 4
        ret

        .rodata
usage_text:
        .asciz  "usage: sleep SECONDS"
