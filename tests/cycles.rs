//! The cycle model (SPEC.md §12): per-class costs measured by the guest itself, exact totals
//! checked on the host, and determinism across runs.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::{pass_guest, run_src};
use emulator::Exit;

#[test]
fn instruction_class_costs_and_spec_examples() {
    pass_guest("cycles.s");
}

/// A straight-line program whose total cost is computed by hand from the spec's table.
#[test]
fn exact_total_of_a_small_program() {
    let src = r#"
        .text
        .global _start
_start: addi    t0, zero, 5             # 1
        lw      t1, 0(zero)             # 1
        add     t2, t1, t0              # 1 + 1 load-use stall
        mul     t3, t2, t2              # 3
        beq     zero, zero, 1f          # 1 + 2 taken
        nop                             # skipped
1:      jal     ra, 2f                  # 1 + 2
2:      addi    a0, zero, 0             # 1
        halt                            # 1
"#;
    let run = run_src("total.s", src);
    assert_eq!(run.exit, Exit::Halted(0));
    assert_eq!(run.m.cpu.cycles, 1 + 1 + 2 + 3 + 3 + 3 + 1 + 1);
    assert_eq!(run.m.cpu.retired, 8);
}

/// The same program gives the same count, state and delivery log every time.
#[test]
fn the_count_is_the_same_across_runs() {
    let a = pass_guest("cycles.s");
    let b = pass_guest("cycles.s");
    assert_eq!(a.m.cpu.cycles, b.m.cpu.cycles);
    assert_eq!(a.m.cpu.retired, b.m.cpu.retired);
    assert_eq!(a.m.deliveries, b.m.deliveries);
    common::assert_same_state(&a.m, &b.m, "second run");
    let c = pass_guest("interrupts.s");
    let d = pass_guest("interrupts.s");
    assert_eq!(c.m.cpu.cycles, d.m.cpu.cycles);
    assert_eq!(c.m.deliveries, d.m.deliveries);
}
