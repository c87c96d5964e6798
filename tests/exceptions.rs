//! Exceptions and interrupts (SPEC.md §9): frames, stacks, iret, nested, double and triple
//! faults, interrupt delivery through the PIC and the timer.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::{assemble, machine_with, pass_guest, run_src, symbol, Run};
use emulator::machine::Delivered;
use emulator::{Budget, Exit, Machine};

/// Like `common::run_src`, but lets the host change both machines before they run (to raise
/// interrupt lines no guest-visible device can raise).
fn run_prepared(name: &str, src: &str, prepare: impl Fn(&mut Machine)) -> Run {
    let prog = assemble(name, src);
    let mut a = machine_with(&prog, common::TEST_RAM);
    let mut b = machine_with(&prog, common::TEST_RAM);
    prepare(&mut a);
    prepare(&mut b);
    let budget = Budget {
        max_cycles: common::TEST_CYCLES,
        ..Budget::UNLIMITED
    };
    let (m, exit) = testkit::run_agreeing(name, a, b, budget);
    Run { m, exit }
}

#[test]
fn exception_frames_stacks_iret_and_double_faults() {
    let run = pass_guest("exceptions.s");
    assert_eq!(run.m.stats.double_faults, 7);
    assert_eq!(run.m.stats.deliveries[10], 7);
}

#[test]
fn timer_interrupts_pic_and_wfi() {
    let run = pass_guest("interrupts.s");
    let log = run.m.deliveries.as_ref().unwrap();
    // Every interrupt delivery is logged with its vector and cause 32.
    let irqs: Vec<_> = log.iter().filter(|d| d.vector == 32).collect();
    assert_eq!(irqs.len(), 8);
    assert!(irqs.iter().all(|d| d.cause == 32));
    assert_eq!(run.m.dev.pic.in_service, 0);
}

#[test]
fn interrupt_priority_and_ties() {
    let src = std::fs::read_to_string(common::test_path("guest/irq_priority.s")).unwrap();
    let run = run_prepared("irq_priority.s", &src, |m| {
        for line in [5, 9, 12, 14] {
            m.dev.pic.raise(line);
        }
    });
    assert_eq!(run.exit, Exit::Halted(0), "check {:?} failed", run.exit);
    let order: Vec<u8> = run
        .m
        .deliveries
        .as_ref()
        .unwrap()
        .iter()
        .map(|d| d.vector)
        .collect();
    assert_eq!(order, vec![32 + 9, 32 + 5, 32 + 12, 32 + 14]);
}

/// A fault whose delivery fails, and whose double fault cannot be delivered either, stops the
/// machine with a diagnostic naming the vector, the pc and the ring — not a host panic.
#[test]
fn triple_fault_stops_the_machine() {
    let src = r#"
        .include "check.inc"
main:   set_vec V_DIVIDE, rec_handler, 0        # not present
        set_vec V_DOUBLE_FAULT, rec_handler, 0  # not present either
        drop_to 3
        li      t0, 0
boom:   div     t1, t0, t0
        pass
"#;
    let run = run_src("triple.s", src);
    let boom = symbol("boom", src);
    let Exit::TripleFault(diag) = &run.exit else {
        panic!("expected a triple fault, got {:?}", run.exit);
    };
    assert!(diag.contains("triple fault"), "{diag}");
    assert!(diag.contains("vector 7"), "{diag}");
    assert!(diag.contains(&format!("{boom:#010x}")), "{diag}");
    assert!(diag.contains("ring 3"), "{diag}");
    // Nothing was delivered: still in ring 3 at the div, with the double fault counted.
    assert_eq!(run.m.cpu.ring(), 3);
    assert_eq!(run.m.cpu.pc, boom);
    assert_eq!(run.m.stats.double_faults, 1);
    let last = run.m.deliveries.as_ref().unwrap().last().copied().unwrap();
    assert_eq!((last.vector, last.outcome), (7, Delivered::Nothing));
}

/// The delivery log says what a raised vector led to: its own handler, or the double fault's.
#[test]
fn the_delivery_log_tells_a_double_fault_from_a_delivery() {
    let src = r#"
        .include "check.inc"
main:   li      t0, 0
        div     t1, t0, t0                      # delivered to its handler
        nop
        set_vec V_DIVIDE, rec_handler, 0        # not present: the double fault is entered
        div     t1, t0, t0
        nop
        pass
"#;
    let run = run_src("double.s", src);
    assert_eq!(run.exit, Exit::Halted(0));
    let log: Vec<_> = run
        .m
        .deliveries
        .as_ref()
        .unwrap()
        .iter()
        .map(|d| (d.vector, d.outcome))
        .collect();
    assert_eq!(log, [(7, Delivered::Vector), (7, Delivered::DoubleFault)]);
}

/// The classic: a ring-0 kernel stack overflows into an unmapped page. The page fault's frame
/// cannot be pushed (same ring, same stack), nor can the double fault's: triple fault.
#[test]
fn kernel_stack_overflow_is_a_triple_fault() {
    let src = r#"
        .include "check.inc"
        .include "paging.inc"
main:   paging_on
        li      sp, TESTWIN + 0x1000    # the test window: nothing mapped
push:   sw      zero, -4(sp)            # page fault, then its frame push faults too
        pass
"#;
    let run = run_src("overflow.s", src);
    let push = symbol("push", src);
    let Exit::TripleFault(diag) = &run.exit else {
        panic!("expected a triple fault, got {:?}", run.exit);
    };
    assert!(diag.contains("vector 5"), "{diag}");
    assert!(diag.contains(&format!("{push:#010x}")), "{diag}");
    assert!(diag.contains("ring 0"), "{diag}");
}

/// `iret` with sp outside RAM in ring 0: BUS_ERROR, whose frame goes on the same (bad) stack.
#[test]
fn iret_with_a_bad_stack_in_ring_0_is_a_triple_fault() {
    let src = r#"
        .include "check.inc"
main:   li      sp, 0xC0000000
        iret
"#;
    let run = run_src("iret.s", src);
    assert!(matches!(run.exit, Exit::TripleFault(_)), "{:?}", run.exit);
    assert_eq!(run.m.stats.double_faults, 1);
}

/// `wfi` with no device that could ever raise a line: the machine stops ("idle forever").
#[test]
fn wfi_with_nothing_to_wait_for_stops_idle() {
    let src = ".include \"check.inc\"\nmain: wfi\n pass\n";
    let run = run_src("idle.s", src);
    assert_eq!(run.exit, Exit::Idle);
}

#[test]
fn interrupts_all_over_a_busy_loop() {
    let run = pass_guest("irq_stress.s");
    let m = &run.m;
    let ticks = m.stats.deliveries[32];
    assert_eq!(ticks, m.dev.timer.fires, "every fire was delivered");
    assert!(ticks >= 50);
    // Deadlines are exactly 97 cycles apart; each tick is taken at the first boundary at or
    // after its deadline, so at most one instruction (here at most a divu or a gate call with
    // a TLB walk or two, well under 40 cycles) late: consecutive ticks are 97 +- 40 apart.
    let log = m.deliveries.as_ref().unwrap();
    let irq: Vec<u64> = log
        .iter()
        .filter(|d| d.vector == 32)
        .map(|d| d.cycle)
        .collect();
    let first = irq[0];
    for (k, &c) in irq.iter().enumerate() {
        let late = c - first;
        let k = k as u64;
        assert!(
            late + 40 >= k * 97 && late <= k * 97 + 40,
            "tick {k} at +{late}, deadline +{}",
            k * 97
        );
    }
}
