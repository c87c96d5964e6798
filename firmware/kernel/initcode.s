# initcode: process 1's program, copied by userinit to USER_BASE and run in ring 3.
#
# It starts the shell and waits; children whose parents exited are adopted by process 1, so
# it reaps them too. When the shell ends, so does the system: poweroff with its status.
# The code is position-independent (auipc), because it runs at USER_BASE, not where it was linked.

        .include "abi.inc"

        .rodata
        .balign 4
        .global initcode, initcode_end
initcode:
1:      auipc   s0, 0
        addi    a0, s0, shname - 1b
        mv      a1, a0
        callg   SYS_SPAWN
        bltz    a0, 3f
        mv      s1, a0                          # the shell's pid
        addi    sp, sp, -4                      # the exit status goes here (this page is read-only)
2:      li      a0, -1
        mv      a1, sp
        callg   SYS_WAIT
        bltz    a0, 3f
        bne     a0, s1, 2b                      # an adopted orphan: wait again
        lw      a0, 0(sp)
        callg   SYS_POWEROFF
3:      li      a0, STDERR
        addi    a1, s0, nosh - 1b
        li      a2, nosh_end - nosh
        callg   SYS_WRITE
        li      a0, 1
        callg   SYS_POWEROFF
shname: .asciz  "sh"
nosh:   .ascii  "init: cannot start sh (is it on the disk?)\n"
nosh_end:
        .balign 4
initcode_end:
