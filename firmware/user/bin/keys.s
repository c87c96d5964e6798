# keys: show the keyboard's events as they come, until Escape or 10 quiet seconds:
#
#   key 0x61 'a' pressed
#   key 0x61 'a' released
#
# Keys come from the display window (ringfort --display window); the console's serial input
# is a different device. The keyboard driver in ring 1 hands out one event per key() call, 0
# when there is none, so we look once a tick and sleep in between instead of spinning.

        .include "abi.inc"

        .equ    QUIET_TICKS, 1000       # 10 s without a key: give up
        .equ    RELEASE, 0x100          # event bit 8: a release, not a press
        .equ    ESCAPE, 0x1b

        .text
        .global main

# main: print events until Escape is pressed or nothing happens for QUIET_TICKS.
main:
        addi    sp, sp, -8
        sw      ra, 4(sp)
        sw      s0, 0(sp)
        la      a0, hello_text
        call    puts
1:      li      s0, QUIET_TICKS
2:      call    key
        bltz    a0, 8f
        bnez    a0, 3f
        addi    s0, s0, -1              # nothing: wait a tick
        beqz    s0, 7f
        li      a0, 1
        call    sleep
        j       2b
3:      andi    a1, a0, 0xff            # the key code
        andi    t0, a0, RELEASE
        la      a3, pressed
        beqz    t0, 4f
        la      a3, released
4:      li      a2, '?'                 # show it as a character if it is printable
        li      t0, ' '
        blt     a1, t0, 5f
        li      t0, 0x7f
        bge     a1, t0, 5f
        mv      a2, a1
5:      mv      s0, a1
        la      a0, event_fmt
        call    printf
        li      t0, ESCAPE
        bne     s0, t0, 1b
        li      a0, 0
        j       9f
7:      la      a0, quiet_text
        call    puts
        li      a0, 0
        j       9f
8:      mv      a1, a0
        la      a0, key_name
        call    perror
        li      a0, 1
9:      lw      s0, 0(sp)
        lw      ra, 4(sp)
        addi    sp, sp, 8
        ret

        .rodata
hello_text:     .asciz "keys: press keys in the display window; Escape ends"
event_fmt:      .asciz "key 0x%02x '%c' %s\n"
pressed:        .asciz "pressed"
released:       .asciz "released"
quiet_text:     .asciz "keys: no key for 10 seconds (keys come from ringfort --display window)"
key_name:       .asciz "keys: key"
