# Included by all.s.
INC_VAL = 0x1234
        .macro  pair a, b=7
        .word   \a, \b
        .endm
