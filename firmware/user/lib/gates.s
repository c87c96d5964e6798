# gates.s: the names of the gates, for programs that show the gate table (the shell's
# `rings`). gate_name(2) is "SYS_WRITE", gate_handler(2) is "fs_write": the routine the gate
# enters. Both tables are generated from GATE_LIST in abi.inc, which numbers the gates
# 1, 2, ... without gaps (gate 0 is never present).

        .include "abi.inc"

        .text
        .global gate_name, gate_handler

# gate_name(n) -> the name of gate n ("SYS_WRITE"), or "?" if there is no such gate.
gate_name:
        la      a1, name_table
        j       lookup

# gate_handler(n) -> the name of the routine gate n enters ("fs_write"), or "?".
gate_handler:
        la      a1, handler_table
        # fall through

# lookup(n, table) -> table[n], or "?" when n is 0 or past the last gate.
lookup:
        addi    t0, a0, -1
        li      t1, GATE_COUNT - 1
        bgeu    t0, t1, 1f
        slli    t0, a0, 2
        add     t0, t0, a1
        lw      a0, 0(t0)
        ret
1:      la      a0, unknown
        ret

        .rodata
# GATE_TEXT: the two strings of one gate, labelled name_NAME and handler_NAME.
        .macro  GATE_TEXT name, num, ring, dpl, handler
name_\name:     .asciz "\name"
handler_\name:  .asciz "\handler"
        .endm
        GATE_LIST GATE_TEXT

# GATE_NAME_ENTRY, GATE_HANDLER_ENTRY: one table entry; the numbers must be 1, 2, ...
        .set    next_gate, 1
        .macro  GATE_NAME_ENTRY name, num, ring, dpl, handler
        .if     \num != next_gate
        .error  "GATE_LIST must number the gates 1, 2, ... without gaps: \name is out of place"
        .endif
        .set    next_gate, next_gate + 1
        .word   name_\name
        .endm
        .macro  GATE_HANDLER_ENTRY name, num, ring, dpl, handler
        .word   handler_\name
        .endm

        .balign 4
name_table:
        .word   unknown                 # gate 0
        GATE_LIST GATE_NAME_ENTRY
        .if     next_gate != GATE_COUNT
        .error  "GATE_COUNT does not match GATE_LIST"
        .endif
handler_table:
        .word   unknown
        GATE_LIST GATE_HANDLER_ENTRY

unknown:
        .asciz  "?"
