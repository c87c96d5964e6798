//! Measures the grader (docs/perf.md, "Grader (issue 18)"):
//!
//! 1. per-case overhead: assemble a 10-instruction program from text, build its machine,
//!    run it to `halt` (`Machine::builder().source(..).build_vm()`, then `run`), many times;
//! 2. throughput: 200 small submissions generated in a temporary folder, graded with 1 and
//!    with 2 threads (cases per second, and the ratio).
//!
//! `cargo run --release -p grader --example grade_speed [ITERATIONS] [RAM]` (RAM: `1M`, the
//! default, or e.g. `64M` for the emulator's default machine).

use emulator::{Machine, StopReason};
use std::time::Instant;

/// Ten instructions (`li` of a small value is one), ending in `halt`.
const PROGRAM: &str = "
        .text
        .global _start
_start: li   a0, 1
        li   a1, 2
        add  a0, a0, a1
        add  a0, a0, a1
        addi a0, a0, 3
        slli a0, a0, 1
        srli a0, a0, 1
        xor  a1, a1, a1
        or   a0, a0, a1
        halt
";

fn main() {
    let mut args = std::env::args().skip(1);
    let iterations: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5000);
    let ram = args.next().unwrap_or_else(|| "1M".into());
    let bytes = emulator::builder::parse_size(&ram).expect("a RAM size");

    // 1. Per-case overhead, on one thread.
    for _ in 0..100 {
        one_case(bytes);
    }
    let t = Instant::now();
    for _ in 0..iterations {
        one_case(bytes);
    }
    let per = t.elapsed().as_secs_f64() / iterations as f64;
    println!(
        "per case (assemble + build + run 10 instructions, {ram} RAM): {:.1} us ({iterations} iterations)",
        per * 1e6
    );

    // 2. Throughput over 200 generated submissions.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let subs = dir.path().join("subs");
    std::fs::create_dir(&subs).unwrap();
    for i in 0..200 {
        // Each prints its number and exits with it (a loop of i iterations first).
        let src = format!(
            "        .text\n        .global _start\n_start: li t0, 0xF0002000\n        li t1, {i}\n\
             1:      beqz t1, 2f\n        addi t1, t1, -1\n        j 1b\n\
             2:      li t1, 'o'\n        sw t1, 0(t0)\n        li t1, 'k'\n        sw t1, 0(t0)\n\
                     li a0, {}\n        halt\n",
            i % 7
        );
        std::fs::write(subs.join(format!("s{i:03}.s")), src).unwrap();
    }
    let toml = format!(
        "submissions = \"subs/*.s\"\n[defaults]\nmemory = \"{ram}\"\nmax_cycles = 100000\n\
         [[case]]\nname = \"prints ok\"\noutput = \"ok\"\nno_fault = true\n"
    );
    std::fs::write(dir.path().join("t.toml"), toml).unwrap();
    let plan = grader::load(&dir.path().join("t.toml")).expect("the test file");
    let mut rates = Vec::new();
    for threads in [1, 2] {
        let opts = grader::Options {
            threads,
            ..Default::default()
        };
        let _ = grader::grade(&plan, &opts, |_| {}); // warm up
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let r = grader::grade(&plan, &opts, |_| {}).expect("a run");
            best = best.min(t.elapsed().as_secs_f64());
            assert!(r.all_passed() && r.rows.len() == 200);
        }
        let rate = 200.0 / best;
        println!(
            "200 submissions, {threads} thread(s): {:.1} ms, {rate:.0} cases/s (best of 5)",
            best * 1e3
        );
        rates.push(rate);
    }
    println!(
        "speed-up 1 -> 2 threads: {:.2}x ({:.0}% of linear)",
        rates[1] / rates[0],
        50.0 * rates[1] / rates[0]
    );
}

/// Assemble, build, run one 10-instruction program.
fn one_case(ram: u32) {
    let mut vm = Machine::builder()
        .source("p.s", PROGRAM)
        .memory(Some(ram))
        .build_vm()
        .expect("it builds");
    let out = vm.run(10_000);
    assert_eq!(out.reason, StopReason::Halted);
    assert_eq!(out.instructions, 10);
}
