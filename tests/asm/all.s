# Every directive and pseudo-instruction; tests/asm_cli.rs checks the image byte by byte.
        .include "all_inc.s"            # INC_VAL and the `pair` macro
        .equ    K, 5
        .set    J, K * 2
        L = J + 1

        .text
        .global _start
        .type   _start, @function
_start:
        nop
        li      a0, K                   // addi a0, zero, 5
        li      a1, 0x12340000          /* lui */
        li      a2, 0xffff              ; li a3, 0x12345678    # ori; then lui + ori
        li      a4, later               # forward reference: lui + ori
        la      a5, table
        mv      s0, a0
        not     s1, a0
        neg     s2, a0
        seqz    t0, a0
        snez    t1, a0
        subi    sp, sp, 16
1:      beqz    a0, 1b
        bnez    a0, 1f
        bltz    a0, 1b
        bgez    a0, 1f
        blez    a0, 1b
        bgtz    a0, 1f
1:      bgt     a0, a1, 1b
        ble     a0, a1, 1b
        bgtu    a0, a1, 1b
        bleu    a0, a1, 1b
        j       _start
        jr      t0
        call    func
        jal     func
        jalr    t1
        lui     t2, %hi(table)
        addi    t2, t2, %lo(table)
        lw      t3, %lo(table)(t2)
        halt
func:   ret
        .size   _start, . - _start
        later = 0xCAFEBABE

        .section .rodata
table:  .word   0x11223344, table, L
        .half   0xBEEF, -1
        .byte   1, 2, 'x', -1
        .ascii  "ab"
        .asciz  "c\n"
        .string "d"
        .balign 4

        .data
        pair    1
        pair    b=3, a=2
        .space  3, 0xAA
        .skip   1
        .fill   2, 2, 0x0102
        .align  3
        .p2align 2
        .org    0x20
        .word   INC_VAL
        .short  5
        .2byte  6
        .long   7
        .4byte  8
        .zero   2
        .rept   2
        .byte   9
        .endr
        .irp    v, 10, 11
        .byte   \v
        .endr

        .bss
        .globl  buf
buf:    .space  64
        .end
        this line is never assembled
