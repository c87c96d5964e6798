.text
.rept 0xffffffff
nop
.endr
