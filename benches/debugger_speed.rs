//! The debugger's speed requirement: `continue` with three conditional breakpoints (one of them
//! on a function called every loop iteration) and a watchpoint runs at no less than 1/5 of the
//! speed of an undebugged `ringfort run` of the same program (tests/guest/dbg_bench.s, the
//! commands in tests/guest/dbg_bench.cmds). docs/perf.md ("Debugger") has the measured figures.
//!
//! A benchmark, not a test (speed is never asserted by the default test run): `cargo bench
//! --bench debugger_speed`. Best of three wall-clock runs each; exits non-zero below 1/5.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn best_of_3(args: &[&str]) -> Duration {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guest");
    (0..3)
        .map(|_| {
            let t0 = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_ringfort"))
                .args(args)
                .current_dir(&dir)
                .stdin(Stdio::null())
                .output()
                .expect("ringfort runs");
            let t = t0.elapsed();
            assert!(
                out.status.success(),
                "{args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            if args[0] == "debug" {
                assert!(
                    stdout.contains("Hardware watchpoint 4: done"),
                    "the watchpoint triggers at the end: {stdout}"
                );
                assert!(stdout.contains("exit code 0"), "{stdout}");
            }
            t
        })
        .min()
        .expect("three runs")
}

fn main() {
    let run = best_of_3(&["run", "dbg_bench.s"]);
    let debug = best_of_3(&["debug", "--batch", "-x", "dbg_bench.cmds", "dbg_bench.s"]);
    let ratio = run.as_secs_f64() / debug.as_secs_f64();
    eprintln!(
        "undebugged run {:.3}s, debugger continue {:.3}s: {:.2} of the speed",
        run.as_secs_f64(),
        debug.as_secs_f64(),
        ratio
    );
    if ratio < 0.2 {
        eprintln!("below the required 1/5 (run {run:?}, debug {debug:?})");
        std::process::exit(1);
    }
}
