//! Devices (SPEC.md §11): guest programs under tests/guest/dev_*.s run on both engines, which
//! must agree on every device's state, cycle for cycle.

mod common;

use common::{assemble, assert_same_state, machine_with, test_path, Run, TEST_RAM};
use emulator::devices::camera::Indicator;
use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::{Budget, Engine, Exit, Machine};

/// Cycle limit for device tests (sleeping in `wfi` makes long guest times cheap).
const CYCLES: u64 = 2_000_000_000;

/// Runs tests/guest/`name` on both engines; `setup(machine, engine index)` prepares each
/// machine (attach a disk, inject input). The engines must stop alike, in the same state.
fn run_both(name: &str, setup: impl Fn(&mut Machine, usize)) -> Run {
    let path = test_path(&format!("guest/{name}"));
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let prog = assemble(name, &src);
    let budget = Budget {
        max_cycles: CYCLES,
        ..Budget::UNLIMITED
    };
    let mut a = machine_with(&prog, TEST_RAM);
    let mut b = machine_with(&prog, TEST_RAM);
    for (i, m) in [&mut a, &mut b].into_iter().enumerate() {
        m.dev.camera.indicator = Indicator::Quiet;
        setup(m, i);
    }
    let ea = Interp::new().run(&mut a, budget);
    let eb = Threaded::new().run(&mut b, budget);
    assert_eq!(ea, eb, "{name}: engines stopped differently");
    assert_same_state(&a, &b, name);
    assert!(
        a.dev == b.dev,
        "{name}: device state differs between engines"
    );
    Run { m: a, exit: ea }
}

/// Like [`run_both`], and the guest must pass (halt with 0 or power off with 0).
fn pass_both(name: &str, setup: impl Fn(&mut Machine, usize)) -> Run {
    let run = run_both(name, setup);
    match &run.exit {
        Exit::Halted(0) | Exit::PowerOff(0) => run,
        Exit::Halted(c) | Exit::PowerOff(c) => panic!(
            "{name}: check {c} failed (pc {:#x}, serial {:?})",
            run.m.cpu.pc,
            run.serial()
        ),
        other => panic!("{name}: stopped with {other:?} at pc {:#x}", run.m.cpu.pc),
    }
}

fn word(m: &Machine, pa: u32) -> u32 {
    m.peek_phys(pa, 4).expect("RAM")
}

const DATA_AREA: u32 = 0x10_0000;

// ---------------------------------------------------------------- timer and PIC

#[test]
fn periodic_timer_ticks_at_the_predicted_cycles() {
    const PERIOD: u64 = 5000;
    let run = pass_both("dev_timer.s", |_, _| {});
    let m = &run.m;
    let s0 = word(m, DATA_AREA) as u64;
    assert_eq!(word(m, DATA_AREA + 4), 5, "ticks");
    let ticks: Vec<u64> = m
        .deliveries
        .as_ref()
        .unwrap()
        .iter()
        .filter(|d| d.vector == 32)
        .map(|d| d.cycle)
        .collect();
    let predicted: Vec<u64> = (1..=5).map(|k| s0 + 8 + k * PERIOD).collect();
    assert_eq!(ticks, predicted, "timer deliveries (SPEC §11.4, §12.4)");
    for (k, &t) in predicted.iter().enumerate() {
        assert_eq!(
            word(m, DATA_AREA + 16 + 4 * k as u32) as u64,
            (t + 12 + 2) & 0xFFFF_FFFF,
            "the handler's reading of tick {k}"
        );
    }
    // Exactly the same cycles on every run.
    let again = pass_both("dev_timer.s", |_, _| {});
    assert_eq!(again.m.deliveries, run.m.deliveries);
    assert_eq!(again.m.cpu.cycles, run.m.cpu.cycles);
}
