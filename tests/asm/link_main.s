# Linked with link_lib.s: calls a global function and reads a global variable.
        .text
        .global _start
_start: call    helper
        la      t0, counter
        lw      a0, 0(t0)
        halt
local:  nop                             # file-local: link_lib.s has its own `local`
