//! A benchmark kernel for a fixed number of steps, for instruction-count profiling under
//! valgrind (`valgrind --tool=callgrind target/release/examples/bench_steps -- threaded on fib
//! 20000000`): host instructions per guest instruction do not depend on the machine's load.
//!
//! `BENCH_BREAKPOINTS=0xADDR,0xADDR` in the environment: the run has those debugger
//! breakpoints set (to measure what breakpoints in code that does not run cost a run).

use emulator::{Budget, Engine, EngineKind};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (engine, paging, kernel, steps, repeat) = match &args[..] {
        [e, p, k, s] => (e, p, k, s, "1"),
        [e, p, k, s, r] => (e, p, k, s, r.as_str()),
        _ => {
            eprintln!("usage: bench_steps interp|threaded on|off KERNEL STEPS [REPEAT]");
            std::process::exit(2);
        }
    };
    let k = testkit::bench::kernel(kernel).expect("kernel");
    let prog = testkit::bench::assemble(k).expect("assembles");
    let steps: u64 = steps.parse().expect("steps");
    let repeat: u32 = repeat.parse().expect("repeat");
    let breakpoints: Vec<u32> = std::env::var("BENCH_BREAKPOINTS")
        .unwrap_or_default()
        .split(',')
        .filter(|a| !a.is_empty())
        .map(|a| u32::from_str_radix(a.trim_start_matches("0x"), 16).expect("hex address"))
        .collect();
    // With REPEAT, the kernel runs that many times on fresh machines and engines, and the
    // fastest run's time is printed too (for clock comparisons of short kernels).
    let mut fastest = f64::INFINITY;
    for _ in 0..repeat {
        let mut m = testkit::bench::machine(&prog, paging == "on").expect("machine");
        let mut e: Box<dyn Engine> = engine.parse::<EngineKind>().expect("engine").create();
        let start = std::time::Instant::now();
        let exit = e.run(
            &mut m,
            Budget {
                max_cycles: u64::MAX,
                max_steps: steps,
                breakpoints: &breakpoints,
                resume_at: None,
                break_filter: None,
                break_checks: &[],
            },
        );
        fastest = fastest.min(start.elapsed().as_secs_f64());
        if repeat == 1 {
            println!("{exit:?} after {} instructions", m.cpu.retired);
            // The JIT tier's own report (blocks compiled, host code), if the engine has one.
            if let Some(report) = e.tier_report() {
                print!("{report}");
            }
        }
    }
    if repeat > 1 {
        println!("fastest of {repeat}: {fastest:.4} s");
    }
}
