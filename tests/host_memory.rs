//! Guest behaviour never grows host memory without bound (issue: hardening). Each program
//! below runs for 10^9 cycles on every engine through `ringfort run --stats`, which reports the
//! process's own peak resident memory; it must stay under [`CAP_MIB`]. The programs fault in
//! a tight loop, write the UART forever, rewrite their own code forever, read every page of a
//! 1 GiB RAM, and sleep in `wfi` woken by a fast timer.
#[path = "support/cli.rs"]
mod cli;
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::process::{Output, Stdio};

/// Peak resident memory allowed (MiB): the emulator's own structures, plus the few MiB of
/// guest RAM the programs write.
const CAP_MIB: f64 = 512.0;

/// Cycles each program runs.
const CYCLES: &str = "1000000000";

fn run(extra: &[&str], program: &str, engine: &str) -> Output {
    cli::ringfort_cmd()
        .args(["run", "--engine", engine, "--max-cycles", CYCLES, "--stats"])
        .args(extra)
        .arg(format!("tests/guest/{program}"))
        .stdout(Stdio::null())
        .output()
        .expect("ringfort runs")
}

/// The peak resident MiB that `--stats` reported.
fn peak_mib(o: &Output) -> f64 {
    let err = String::from_utf8_lossy(&o.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("host memory"))
        .unwrap_or_else(|| panic!("--stats reports host memory:\n{err}"));
    line.split_whitespace()
        .nth(2)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a number in `{line}`"))
}

fn check(extra: &[&str], program: &str) {
    for engine in ["interp", "threaded"] {
        let o = run(extra, program, engine);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(124),
            "{program} on {engine} runs to the cycle limit:\n{err}"
        );
        let cycles: u64 = err
            .lines()
            .find_map(|l| l.strip_prefix("cycles"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("--stats reports cycles:\n{err}"));
        assert!(
            cycles >= CYCLES.parse().unwrap(),
            "{program} on {engine}: {cycles} cycles"
        );
        let peak = peak_mib(&o);
        assert!(peak < CAP_MIB, "{program} on {engine}: {peak} MiB resident");
    }
}

#[test]
fn faulting_in_a_tight_loop() {
    check(&["-serial", "none"], "mem_fault_loop.s");
}

#[test]
fn writing_the_uart_forever() {
    check(&[], "mem_uart_loop.s");
}

#[test]
fn rewriting_its_own_code_forever() {
    check(&["-serial", "none"], "mem_smc_loop.s");
}

#[test]
fn reading_every_page_of_a_gigabyte() {
    check(&["-m", "1G", "-serial", "none"], "mem_touch_1g.s");
}

#[test]
fn sleeping_with_a_fast_timer() {
    check(&["-serial", "none"], "mem_wfi_timer.s");
}
