        .include "abi.inc"
        .text
        .global main
main:   addi    sp, sp, -16
        sw      ra, 12(sp)
        la      a0, hello
        call    puts
        li      a0, 0
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret
        .rodata
hello:  .asciz  "hello, ring 3"
