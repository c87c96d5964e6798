# The gate table: how every ring reaches a more privileged one.
#
# Built from GATE_LIST (include/abi.inc): entry N = the handler and flags of gate N (present,
# the ring that serves it, the outermost ring that may call it). Entry 0 is not present.
# The CPU reads it through gbase/glimit; `rings` in the shell reads it back with gateinfo.

        .include "kernel.inc"

        .macro  GATE_DESC name, num, ring, dpl, handler
        .if     (. - gate_table) != 8 * \num
        .error  "GATE_LIST is not in number order at \name"
        .endif
        .word   \handler, D_P | \ring * D_T | \dpl * D_DPL
        .endm

        .data
        .balign 8
        .global gate_table
gate_table:
        .word   0, 0
        GATE_LIST GATE_DESC
gate_table_end:
        .if     (gate_table_end - gate_table) != 8 * GATE_COUNT
        .error  "GATE_COUNT does not match GATE_LIST"
        .endif

        .text
# gates_init(): points the CPU at the table.
        .global gates_init
gates_init:
        la      t0, gate_table
        mtcr    gbase, t0
        li      t0, GATE_COUNT
        mtcr    glimit, t0
        ret
