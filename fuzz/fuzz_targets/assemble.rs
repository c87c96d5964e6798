//! Fuzz target: `checks::assemble` (tests/support/fuzz_checks.rs) on each input.
#![no_main]

#[path = "../../tests/support/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::assemble(data));
