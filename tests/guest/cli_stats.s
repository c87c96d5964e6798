# cli_stats.s — a small program with something for each `ringfort run --stats` counter: paging
# on (TLB hits and misses), ring transitions 0 -> 3 -> 0, a gate call (gate 4), exceptions
# (a breakpoint, vector 8, and a divide error, vector 7). tests/cli_run.rs compares the report
# with the machine state of the same program run in-process.
        .include "check.inc"
        .include "paging.inc"

main:
        paging_on
        set_gate GATE_FREE, service, D_P + 3 * D_DPL
        drop_to 3
        brk
        li      a0, 5
        callg   GATE_FREE
        expect  a0, 6, 1
        li      t0, 0
        div     t1, t0, t0
        pass

service:
        addi    a0, a0, 1
        retg
