# hello: the smallest useful program. Prints a greeting and then its arguments, one a line:
#
#   $ hello a b
#   Hello from ring 3!
#   argv[1] = a
#   argv[2] = b

        .include "abi.inc"

        .text
        .global main

# main(argc, argv): greet, list argv[1..], exit 0.
main:
        addi    sp, sp, -16
        sw      ra, 12(sp)
        sw      s0, 8(sp)
        sw      s1, 4(sp)
        sw      s2, 0(sp)
        mv      s0, a0                  # argc
        mv      s1, a1                  # argv
        la      a0, greeting
        call    puts
        li      s2, 1                   # i
1:      bge     s2, s0, 2f
        slli    t0, s2, 2
        add     t0, t0, s1
        lw      a2, 0(t0)               # printf("argv[%d] = %s\n", i, argv[i])
        mv      a1, s2
        la      a0, argfmt
        call    printf
        addi    s2, s2, 1
        j       1b
2:      li      a0, 0
        lw      s2, 0(sp)
        lw      s1, 4(sp)
        lw      s0, 8(sp)
        lw      ra, 12(sp)
        addi    sp, sp, 16
        ret

        .rodata
greeting:
        .asciz  "Hello from ring 3!"
argfmt: .asciz  "argv[%d] = %s\n"
