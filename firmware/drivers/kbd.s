# The keyboard driver (ring 1): the next key event, for programs (gate DPL 3). Events come from
# the display window (none when headless).

        .include "machine.inc"
        .include "abi.inc"

        .section .drv.text, "ax"
# key() gate -> the oldest key event word (SPEC.md 11.9), 0 if there is none.
        .global kbd_read
kbd_read:
        li      t0, KEYBOARD
        lw      t1, KBD_STATUS(t0)
        andi    t1, t1, 1
        li      a0, 0
        beqz    t1, 1f
        lw      a0, KBD_DATA(t0)
1:      retg
