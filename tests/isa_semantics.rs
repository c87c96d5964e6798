//! Instruction semantics (SPEC.md §5): one guest program per group of instructions, each run on
//! both engines by the harness. The guests check themselves and halt with the number of the
//! first failed check; the host adds checks of the final machine state.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::pass_guest;
use emulator::Exit;

#[test]
fn register_alu() {
    let run = pass_guest("alu.s");
    // The program ran in ring 0 with paging off and never faulted.
    assert_eq!(run.m.cpu.ring(), 0);
    assert_eq!(run.m.cpu.regs[0], 0, "r0 must stay 0");
    assert!(run.m.deliveries.as_ref().unwrap().is_empty());
}

#[test]
fn register_immediate_alu_and_upper_immediates() {
    pass_guest("imm.s");
}

#[test]
fn multiply_divide() {
    let run = pass_guest("muldiv.s");
    // Six divisions by zero, each a DIVIDE (vector 7, cause 7) delivered with the division's
    // own address as frame pc.
    let log = run.m.deliveries.as_ref().unwrap();
    assert_eq!(log.len(), 6);
    assert!(log.iter().all(|d| d.vector == 7 && d.cause == 7));
}

#[test]
fn loads_and_stores() {
    pass_guest("loadstore.s");
}

#[test]
fn branches() {
    pass_guest("branches.s");
}

#[test]
fn jumps_fetch_faults_and_illegal_words() {
    pass_guest("jumps.s");
}

#[test]
fn compare_and_swap() {
    pass_guest("cas.s");
}

/// The check runtime itself: a failing `expect` ends the run with its number, in ring 0 and
/// (through the exit gate) in ring 3; an unexpected exception is logged and skipped.
#[test]
fn the_check_runtime_reports_failures() {
    let src = ".include \"check.inc\"\nmain: li t0, 1\n expect t0, 2, 7\n pass\n";
    assert_eq!(common::run_src("fail0.s", src).exit, Exit::Halted(7));
    let src = ".include \"check.inc\"\nmain: drop_to 3\n li t0, 1\n expect t0, 1, 8\n expect t0, 3, 9\n pass\n";
    let run = common::run_src("fail3.s", src);
    assert_eq!(run.exit, Exit::Halted(9));
    assert_eq!(
        run.m.stats.gate_calls.get(&0),
        Some(&1),
        "left through the exit gate"
    );
    let src = ".include \"check.inc\"\nmain: halt\n";
    assert_eq!(common::run_src("ok.s", src).exit, Exit::Halted(0));
    let src = ".include \"check.inc\"\nmain: div t0, t0, zero\n expect_exc_count 0, 5\n pass\n";
    assert_eq!(common::run_src("exc.s", src).exit, Exit::Halted(5));
}
