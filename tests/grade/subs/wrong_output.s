        .text
        .global _start
_start: li      t0, 0xF0002000
        la      t1, msg
1:      lbu     t2, 0(t1)
        beqz    t2, 2f
        sw      t2, 0(t0)
        addi    t1, t1, 1
        j       1b
2:      li      a0, 0
        la      t3, result
        li      t4, 42
        sw      t4, 0(t3)
        halt
msg:    .asciz  "ho\n"
        .data
result: .word 0
