# mem_fault_loop.s — faults in a tight loop, forever (the host-memory tests stop it with
# --max-cycles): every iteration is a bus error the recording handler skips.
        .include "check.inc"
main:   li      t0, 0xE0000000          # nothing is mapped there: bus error
1:      lw      t1, 0(t0)
        j       1b
