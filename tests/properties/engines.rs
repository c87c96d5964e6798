//! Property group 3: the engines agree.
//!
//! Random programs ([`testkit::gen::Program`]: ALU, memory, branches and loops, faults, gate
//! calls, traps, paging on and off with random page permissions, rings 0-3, a periodic timer,
//! self-modifying stores, sensitive instructions) run on the reference interpreter and on the
//! threaded engine under the same cycle budget; the two must end in identical full machine
//! state ([`testkit::gen::state_diff`]): registers, control registers, cycle and retired
//! counts, TLB, PIC, timer, serial output, the sequence of exceptions, stop reason and RAM.
//! A failure shrinks to a minimal program, printed as RF32 assembly.

use crate::config;
use emulator::engine::{interp::Interp, threaded::Threaded};
use emulator::state::MachineState;
use emulator::{Budget, Engine, Machine};
use proptest::prelude::*;
use testkit::gen::{
    gate_loop, layout, machine_for, program, run_engines, state_diff, Program, ProgramConfig,
};

/// Cycle budget of one run (loops are fine: the budget ends them).
const BUDGET: u64 = 20_000;

fn agree(p: &Program) -> Result<(), TestCaseError> {
    let prog = p
        .assemble()
        .map_err(|e| TestCaseError::fail(format!("generated program does not assemble: {e}")))?;
    let ((a, ea), (b, eb)) = run_engines(&prog, layout::RAM, BUDGET);
    prop_assert_eq!(
        &ea,
        &eb,
        "engines stopped differently; program:\n{}",
        p.render()
    );
    if let Some(d) = state_diff(&a, &b) {
        return Err(TestCaseError::fail(format!(
            "engines disagree (interp / threaded): {d}\nprogram:\n{}",
            p.render()
        )));
    }
    Ok(())
}

/// Runs `m` on the interpreter or the threaded engine until it stops or reaches `cycles`.
fn run_on(threaded: bool, m: &mut Machine, cycles: u64) {
    let budget = Budget {
        max_cycles: cycles,
        ..Budget::UNLIMITED
    };
    if threaded {
        Threaded::new().run(m, budget);
    } else {
        Interp::new().run(m, budget);
    }
}

/// Saving the state at cycle `cut` (under one engine), encoding and decoding it, restoring it
/// into a fresh machine and running on (under the other or the same) ends in the same full
/// machine state as the machine that was never saved.
fn resumes(p: &Program, cut: u64, before: bool, after: bool) -> Result<(), TestCaseError> {
    let prog = p
        .assemble()
        .map_err(|e| TestCaseError::fail(format!("generated program does not assemble: {e}")))?;
    let mut a = machine_for(&prog, layout::RAM);
    run_on(before, &mut a, cut);
    let bytes = postcard::to_allocvec(&a.save_state()).expect("a state encodes");
    let state: MachineState = postcard::from_bytes(&bytes).expect("a state decodes");
    let mut b = machine_for(&prog, layout::RAM);
    b.restore_state(&state)
        .map_err(|e| TestCaseError::fail(format!("restoring failed: {e}")))?;
    // From here on both logs and outputs start empty (they are the host's, not the state).
    a.deliveries = Some(Vec::new());
    a.dev.uart.sink = emulator::devices::uart::Sink::Buffer(Vec::new());
    run_on(after, &mut a, BUDGET);
    run_on(after, &mut b, BUDGET);
    if let Some(d) = state_diff(&a, &b) {
        return Err(TestCaseError::fail(format!(
            "saved at cycle {cut} (threaded before: {before}, after: {after}), restored and run \
             on: {d}\nprogram:\n{}",
            p.render()
        )));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4000))]

    /// Programs in any ring, paging on or off, with or without the timer.
    #[test]
    fn engines_agree_on_random_programs(p in program(ProgramConfig::default())) {
        agree(&p)?;
    }

    /// Longer ring-0 programs with paging on and a fast timer: interrupts land everywhere.
    #[test]
    fn engines_agree_with_interrupts_and_paging(p in program(ProgramConfig {
        rings: (0, 3),
        paging: 0.8,
        timer: 0.9,
        max_steps: 60,
        wfi: true,
    })) {
        agree(&p)?;
    }
}

/// Gate loops (the shape the JIT compiles as traces).
fn gate_loops() -> impl Strategy<Value = Program> {
    gate_loop(ProgramConfig {
        rings: (0, 3),
        paging: 0.7,
        timer: 0.4,
        max_steps: 30,
        wfi: true,
    })
}

proptest! {
    #![proptest_config(config(1500))]

    /// Gate loops hot enough to run as JIT traces, with random work around the gate (which
    /// may rewrite the gate table, the page tables or the code, flush the TLB, trap) and a
    /// timer: every engine, the JIT's traces included, ends in the same state.
    #[test]
    fn engines_agree_on_gate_loops(p in gate_loops()) {
        agree(&p)?;
    }
}

proptest! {
    #![proptest_config(config(1500))]

    /// A state saved anywhere, with paging, rings, interrupts and faults, continues exactly
    /// as the machine that was never saved, whichever engines ran before and after.
    #[test]
    fn a_saved_state_continues_like_the_machine_never_saved(
        p in program(ProgramConfig {
            rings: (0, 3),
            paging: 0.8,
            timer: 0.9,
            max_steps: 60,
            wfi: true,
        }),
        cut in 0..BUDGET,
        before in any::<bool>(),
        after in any::<bool>(),
    ) {
        resumes(&p, cut, before, after)?;
    }
}

/// The generator's prologue and handlers work: a program with an empty-ish body exits through
/// gate 0 in every ring, with and without paging and the timer.
#[test]
fn generated_prologue_reaches_the_exit_gate() {
    use testkit::gen::{default_pages, PageFlags, Step};
    for ring in 0..4u8 {
        for paging in [false, true] {
            for timer in [None, Some(300)] {
                let p = Program {
                    ring,
                    paging,
                    iopl: 0,
                    timer,
                    pages: default_pages(ring),
                    aliases: [(0, PageFlags(0)); layout::ALIASES],
                    mmio: [PageFlags::new(true, true, false, 3); layout::MMIO_PAGES],
                    gates: vec![
                        testkit::gen::GateSpec {
                            present: true,
                            target: 0,
                            dpl: 3,
                            params: 2,
                            misaligned: false,
                        };
                        layout::NGATES as usize - 1
                    ],
                    vectors: vec![
                        testkit::gen::GateSpec {
                            present: true,
                            target: 0,
                            dpl: 3,
                            params: 0,
                            misaligned: false,
                        };
                        31
                    ],
                    regs: vec![7; testkit::gen::BODY_REGS.len() - 1],
                    body: vec![
                        Step::Li(10, 0),
                        Step::Callg(1, 5, 6),
                        Step::Alu(isa_spec::Opcode::Div, 5, 5, 0),
                        Step::Trap(50),
                        Step::Brk,
                        Step::Li(10, 0),
                    ],
                };
                let prog = p.assemble().unwrap_or_else(|e| panic!("{e}\n{p:?}"));
                let ((a, ea), (b, eb)) = run_engines(&prog, layout::RAM, 200_000);
                assert_eq!(ea, eb, "{p:?}");
                assert_eq!(state_diff(&a, &b), None, "{p:?}");
                assert_eq!(
                    ea,
                    emulator::Exit::Halted(0),
                    "ring {ring} paging {paging} timer {timer:?}: {:?}\n{p:?}",
                    a.deliveries
                );
                // The division by zero was skipped, brk and trap resumed after themselves.
                let log = a.deliveries.as_deref().unwrap();
                let vectors: Vec<u8> = log.iter().map(|d| d.vector).filter(|v| *v != 32).collect();
                assert_eq!(
                    vectors,
                    vec![7, 50, 8],
                    "ring {ring} paging {paging}\n{p:?}"
                );
            }
        }
    }
}

/// The generator keeps reaching the interesting parts of the machine: over a fixed-seed sample
/// of programs, every common exception, timer interrupts, ring changes both ways, gate calls,
/// page walks, self-modifying code, halts and budget stops all occur. (Guards the other
/// properties against a generator that silently degenerates.) Run with `--nocapture` to see
/// the distribution.
#[test]
fn generated_programs_cover_the_machine() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = program(ProgramConfig::default());
    let mut vectors = [0u64; 64];
    let (mut halted, mut budget, mut other) = (0, 0, 0);
    let (mut inward, mut outward, mut gates, mut walks, mut patched) = (0, 0, 0, 0, 0);
    for _ in 0..300 {
        let p = strategy.new_tree(&mut runner).expect("a program").current();
        let prog = p.assemble().expect("generated programs assemble");
        let ((a, ea), _) = run_engines(&prog, layout::RAM, BUDGET);
        for (v, n) in a.stats.deliveries.iter().enumerate() {
            vectors[v] += n;
        }
        match ea {
            emulator::Exit::Halted(_) => halted += 1,
            emulator::Exit::CycleLimit => budget += 1,
            _ => other += 1,
        }
        for from in 0..4 {
            for to in 0..4 {
                let n = a.stats.ring_transitions[from][to];
                if to < from {
                    inward += n;
                } else {
                    outward += n;
                }
            }
        }
        gates += a.stats.gate_calls.values().sum::<u64>();
        walks += a.tlb.misses;
        patched += p
            .body
            .iter()
            .any(|s| matches!(s, testkit::gen::Step::Patch(..))) as u64;
    }
    println!(
        "300 programs: halted {halted}, budget {budget}, other stops {other}; ring changes \
         inward {inward}, outward {outward}; gate calls {gates}; page walks {walks}; programs \
         patching their code {patched}"
    );
    println!(
        "deliveries by vector: {:?}",
        vectors
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .collect::<Vec<_>>()
    );
    for v in [1usize, 2, 3, 4, 5, 6, 7, 8, 9, 32] {
        assert!(vectors[v] > 0, "no program raised vector {v}");
    }
    assert!(halted > 0 && budget > 0, "halted {halted}, budget {budget}");
    assert!(inward > 0 && outward > 0 && gates > 0 && walks > 0 && patched > 0);
}

/// The gate-loop generator reaches what it is for: over a fixed-seed sample, the JIT compiles
/// traces in many programs, and runs gates in them both through to the next block and
/// elsewhere (declined, or gone where the trace does not go). Run with `--nocapture` to see
/// the figures.
#[test]
fn generated_gate_loops_run_as_traces() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = gate_loops();
    let (mut with_traces, mut native, mut gates) = (0, 0, 0);
    for _ in 0..100 {
        let p = strategy.new_tree(&mut runner).expect("a program").current();
        let prog = p.assemble().expect("generated programs assemble");
        let mut m = machine_for(&prog, layout::RAM);
        let mut e = testkit::jit_engine();
        e.run(
            &mut m,
            Budget {
                max_cycles: BUDGET,
                ..Budget::UNLIMITED
            },
        );
        let Some(jit) = e.jit.as_ref() else {
            return; // (a host without a JIT: nothing to count)
        };
        with_traces += (jit.stats.traces > 0) as u32;
        native += jit.stats.native_instructions;
        gates += m.stats.gate_calls.values().sum::<u64>();
    }
    println!(
        "100 gate loops: {with_traces} compiled traces; {native} instructions in host code; \
         {gates} gate calls"
    );
    assert!(
        with_traces >= 25,
        "only {with_traces} of 100 gate loops ran as traces"
    );
}

/// Regression (found by the engines property): a `wfi` that can never be woken — a periodic
/// timer without its interrupt — used to spin forever inside the instruction. Both engines must
/// now stop at the cycle budget, in the same state. Run on a thread so that a regression fails
/// instead of hanging the suite.
#[test]
fn wfi_that_cannot_wake_stops_at_the_budget() {
    let src = "_start: li t0, 0xF0001000\n li t1, 100\n sw t1, 4(t0)\n li t1, 3\n sw t1, 0(t0)\n \
               wfi\n halt\n";
    let prog = assembler::assemble(
        &[assembler::Source::new("wfi.s", src)],
        &assembler::Options::default(),
    )
    .expect("assembles");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ((a, ea), (b, eb)) = run_engines(&prog, layout::RAM, 10_000);
        let _ = tx.send((ea, eb, state_diff(&a, &b)));
    });
    let (ea, eb, diff) = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("wfi did not return to the engine within 20 s");
    assert_eq!(ea, emulator::Exit::CycleLimit);
    assert_eq!(eb, emulator::Exit::CycleLimit);
    assert_eq!(diff, None);
}
