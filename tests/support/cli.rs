//! The one way the end-to-end tests start the `ringfort` binary. Included by each test binary
//! that runs it with `#[path = "support/cli.rs"] mod cli;` (or through `tests/common`).
#![allow(dead_code)]

use std::process::{Command, Output};

/// The binary cargo built for the tests.
pub const RINGFORT: &str = env!("CARGO_BIN_EXE_ringfort");

/// A `ringfort` command with colour off (the tests read plain text); the caller adds the
/// arguments, a folder, input and how to collect output.
pub fn ringfort_cmd() -> Command {
    let mut c = Command::new(RINGFORT);
    c.env("NO_COLOR", "1");
    c
}

/// Runs `ringfort ARGS` to completion in the current folder; standard input is closed.
pub fn ringfort_output(args: &[&str]) -> Output {
    ringfort_cmd().args(args).output().expect("ringfort runs")
}

/// Runs `ringfort ARGS` with its address space capped at `mib` MiB (the shell's `ulimit -v`),
/// so that an input that makes it allocate too much fails instead of taking the host down.
pub fn ringfort_capped(mib: u64, args: &[&str]) -> Output {
    let mut cmd = format!("ulimit -v {}; exec \"$0\"", mib << 10);
    for i in 1..=args.len() {
        cmd.push_str(&format!(" \"${i}\""));
    }
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .arg(RINGFORT)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs")
}
