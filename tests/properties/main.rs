//! Property tests of Ringfort, on `proptest` (see docs/testing.md for what each group checks,
//! how many cases it runs and how long it takes).
//!
//! * [`semantics`] — every instruction against an independent definition in wide-integer math;
//! * [`laws`] — encode/decode/disassemble/assemble round trips and algebraic laws;
//! * [`engines`] — random programs give identical machine state on both engines;
//! * [`protection`] — ring 1-3 programs never escape the protection the tables set up;
//! * [`robustness`] — random images, ELF files, sources and command lines never panic or hang;
//! * [`vectors`] — integer test vectors from riscv-tests.
//!
//! Case counts: each property has a default sized so that `cargo test --release` stays quick;
//! `PROPTEST_CASES=N` overrides every default (e.g. `PROPTEST_CASES=100000 cargo test --release
//! --test properties protection`).

#[path = "../support/oom_guard.rs"]
mod oom_guard;

mod engines;
mod harness;
mod laws;
mod protection;
mod robustness;
mod semantics;
mod vectors;

use proptest::test_runner::Config;

/// A proptest configuration running `default_cases` cases unless `PROPTEST_CASES` is set.
pub fn config(default_cases: u32) -> Config {
    let mut c = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = default_cases;
    }
    c
}
