//! Running the same machine on both engines (the interpreter is the oracle, the threaded engine
//! is checked against it) and naming where they differ.

use emulator::devices::uart::Sink;
use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::{Budget, Config, Engine, Exit, Machine};
use rf_object::Program;

/// The first architectural difference between two machines, or `None` if they agree (see
/// [`emulator::diff::state_diff`], where it lives beside the state it compares).
pub use emulator::diff::state_diff;

/// A fresh machine of `ram` bytes with `prog` loaded, serial output kept in a buffer and the
/// delivery log on. Panics if the program does not fit (callers make programs that fit).
pub fn machine_for(prog: &Program, ram: u32) -> Machine {
    let mut m = Machine::new(Config {
        ram_size: ram,
        serial: Sink::Buffer(Vec::new()),
    });
    m.deliveries = Some(Vec::new());
    m.load_program(prog).expect("program fits the machine");
    m
}

/// Blocks run this many times are compiled by the test JIT ([`jit_engine`]): low, so that the
/// short loops of test programs run in host code.
pub const TEST_JIT_THRESHOLD: u64 = 2;

/// A threaded engine with the JIT tier compiling blocks from their [`TEST_JIT_THRESHOLD`]th
/// run, in line (so that what is compiled does not depend on a thread's timing) (the plain threaded engine on a host without a JIT, where the test then checks that
/// engine twice).
pub fn jit_engine() -> Threaded {
    Threaded::with_jit(emulator::engine::jit::JitConfig {
        threshold: TEST_JIT_THRESHOLD,
        background: false,
        warmup: 0,
        ..Default::default()
    })
    .unwrap_or_default()
}

/// Runs `a` on the interpreter and `b` on the threaded engine, each under `budget`, and a copy
/// of `b` on the JIT tier ([`jit_engine`]), which must stop as the threaded engine did in the
/// same full state (else this panics, naming the difference); returns the exits of the
/// interpreter and the threaded engine. The one place tests run every engine: compare the
/// machines afterwards with [`state_diff`].
pub fn run_both(a: &mut Machine, b: &mut Machine, budget: Budget) -> (Exit, Exit) {
    let mut c = b.clone();
    let ea = Interp::new().run(a, budget);
    let eb = Threaded::new().run(b, budget);
    let ec = jit_engine().run(&mut c, budget);
    assert_eq!(
        eb, ec,
        "the JIT stopped differently from the threaded engine"
    );
    if let Some(diff) = state_diff(b, &c) {
        panic!("the JIT disagrees with the threaded engine: {diff}");
    }
    (ea, eb)
}

/// Runs `a` on the interpreter and `b` (a copy) on the threaded engine under `budget`, and
/// panics, naming `what`, unless they stop the same way in the same state ([`state_diff`]).
/// Returns the interpreter's machine and exit: the helper tests use to run a guest "on both
/// engines".
pub fn run_agreeing(what: &str, mut a: Machine, mut b: Machine, budget: Budget) -> (Machine, Exit) {
    let (ea, eb) = run_both(&mut a, &mut b, budget);
    assert_eq!(ea, eb, "{what}: engines stopped differently");
    if let Some(diff) = state_diff(&a, &b) {
        panic!("{what}: {diff}");
    }
    (a, ea)
}

/// Runs `prog` on the interpreter and on the threaded engine, each on its own machine
/// ([`machine_for`]), until they stop or reach `max_cycles`. Returns both machines and exits
/// (interpreter first).
pub fn run_engines(
    prog: &Program,
    ram: u32,
    max_cycles: u64,
) -> ((Machine, Exit), (Machine, Exit)) {
    let budget = Budget {
        max_cycles,
        ..Budget::UNLIMITED
    };
    let mut a = machine_for(prog, ram);
    let mut b = machine_for(prog, ram);
    let (ea, eb) = run_both(&mut a, &mut b, budget);
    ((a, ea), (b, eb))
}
