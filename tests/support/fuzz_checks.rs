//! What the fuzz targets (`fuzz/`, `cargo +nightly fuzz`) check, written once: the same
//! functions run every saved regression input in the normal test suite
//! (`tests/fuzz_regressions.rs`), so an input that once found a bug keeps being checked
//! without nightly Rust.
#![allow(dead_code)]

use emulator::devices::uart::Sink;
use emulator::{Budget, Config, Machine};

/// Inputs larger than this are not interesting and only slow the fuzzer down (saved
/// regression inputs may be this large: a 100,000-term expression once overflowed the stack).
pub const MAX_INPUT: usize = 1 << 20;
/// RAM of the fuzzed machines (small: compared whole after each run).
pub const RAM: u32 = 64 << 10;
/// Cycles each engine runs a fuzzed image.
pub const CYCLES: u64 = 20_000;

/// Assembly source: assembling it gives a program or located errors, never a panic, and
/// whatever assembles also loads into a machine or is refused with a reason.
pub fn assemble(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data).into_owned();
    let source = assembler::Source {
        name: "fuzz.s".into(),
        text,
    };
    match assembler::assemble(&[source], &assembler::Options::default()) {
        Ok(prog) => {
            let mut m = machine();
            let _ = m.load_program(&prog);
        }
        Err(d) => assert!(!d.to_string().is_empty(), "an error says something"),
    }
}

/// An ELF file: read and loaded, or refused with a reason; what loads runs the same on both
/// engines.
pub fn load_elf(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let mut a = machine();
    if a.load_elf(data).is_err() {
        return;
    }
    let mut b = machine();
    b.load_elf(data).expect("loads the second time too");
    run_both(a, b);
}

/// A flat image at address 0: runs the same on both engines (registers, control registers,
/// cycles, exceptions, devices, RAM), whatever the words are.
pub fn run_image(data: &[u8]) {
    if data.is_empty() || data.len() > RAM as usize {
        return;
    }
    let mut a = machine();
    let mut b = machine();
    a.load_flat(data, 0).expect("fits");
    b.load_flat(data, 0).expect("fits");
    run_both(a, b);
}

fn machine() -> Machine {
    let mut m = Machine::new(Config {
        ram_size: RAM,
        serial: Sink::Buffer(Vec::new()),
    });
    m.deliveries = Some(Vec::new());
    m
}

fn run_both(a: Machine, b: Machine) {
    let budget = Budget {
        max_cycles: CYCLES,
        ..Budget::UNLIMITED
    };
    testkit::run_agreeing("the engines (interp / threaded)", a, b, budget);
}
