        .text
start:  add     a0, a1, foo
        addi    a0, a0, 99999
        lw      a0, 4(q9)
        frob    a0
        j       nowhere
        .word   1/0
        nop
