//! `ringfort bench`: runs the benchmark kernels of testkit/kernels/ and reports guest
//! instructions, cycles, host time and MIPS per kernel and engine (`--json`: one object per
//! line). Every kernel verifies its checksum, so a wrong engine cannot look fast.

use anyhow::{bail, Result};
use emulator::EngineKind;
use std::process::ExitCode;
use testkit::bench::{self, BenchResult, KERNELS};

/// `ringfort bench` arguments.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Kernels to run (default: all): crc32 sieve matmul fib memcpy gatecall tlbmiss.
    pub kernels: Vec<String>,
    /// Engine(s) to measure; repeat for several (default: interp, threaded and jit).
    #[arg(long = "engine", value_parser = crate::cmd::run::engine_parser())]
    pub engines: Vec<EngineKind>,
    /// Paging modes: `off` (ring 0, paging off), `on` (ring-3 process, paging on), or `both`.
    #[arg(long, default_value = "both", value_parser = ["on", "off", "both"])]
    pub paging: String,
    /// One JSON object per line (kernel, engine, paging, instructions, cycles, seconds, mips).
    #[arg(long)]
    pub json: bool,
    /// Run each kernel this many times and report the fastest run (on a shared machine the
    /// minimum is the figure least disturbed by other load).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
}

/// Runs `k` `times` times on `engine` and returns the fastest run.
fn fastest(
    k: &bench::Kernel,
    engine: EngineKind,
    paging: bool,
    times: u32,
) -> Result<BenchResult, String> {
    let mut best = bench::run(k, engine, paging)?;
    for _ in 1..times {
        let r = bench::run(k, engine, paging)?;
        if r.seconds < best.seconds {
            best = r;
        }
    }
    Ok(best)
}

fn json_line(r: &BenchResult) -> String {
    format!(
        "{{\"kernel\":\"{}\",\"engine\":\"{}\",\"paging\":{},\"instructions\":{},\"cycles\":{},\"seconds\":{:.6},\"mips\":{:.2}}}",
        r.kernel,
        r.engine,
        r.paging,
        r.instructions,
        r.cycles,
        r.seconds,
        r.mips()
    )
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode> {
    let kernels: Vec<_> = if a.kernels.is_empty() {
        KERNELS.iter().collect()
    } else {
        a.kernels
            .iter()
            .map(|n| {
                bench::kernel(n).ok_or_else(|| {
                    let names: Vec<_> = KERNELS.iter().map(|k| k.name).collect();
                    anyhow::anyhow!("no kernel `{n}`; the kernels are: {}", names.join(" "))
                })
            })
            .collect::<Result<_>>()?
    };
    let engines: Vec<EngineKind> = if a.engines.is_empty() {
        EngineKind::ALL.to_vec()
    } else {
        a.engines.clone()
    };
    let modes: &[bool] = match a.paging.as_str() {
        "on" => &[true],
        "off" => &[false],
        _ => &[false, true],
    };
    if !a.json {
        println!(
            "{:<9} {:<6} {:<9} {:>12} {:>12} {:>9} {:>9} {:>8}",
            "kernel", "paging", "engine", "instructions", "cycles", "seconds", "MIPS", "speedup"
        );
    }
    let mut failed = false;
    for k in kernels {
        for &paging in modes {
            let mut interp_secs = None;
            for &e in &engines {
                match fastest(k, e, paging, a.repeat) {
                    Ok(r) => {
                        if a.json {
                            println!("{}", json_line(&r));
                        } else {
                            let speedup = match (e, interp_secs) {
                                (EngineKind::Threaded | EngineKind::Jit, Some(s)) => {
                                    format!("{:.2}x", s / r.seconds)
                                }
                                _ => String::new(),
                            };
                            println!(
                                "{:<9} {:<6} {:<9} {:>12} {:>12} {:>9.3} {:>9.1} {:>8}",
                                r.kernel,
                                if paging { "on" } else { "off" },
                                r.engine,
                                r.instructions,
                                r.cycles,
                                r.seconds,
                                r.mips(),
                                speedup
                            );
                        }
                        if e == EngineKind::Interp {
                            interp_secs = Some(r.seconds);
                        }
                    }
                    Err(msg) => {
                        eprintln!("ringfort bench: {msg}");
                        failed = true;
                    }
                }
            }
        }
    }
    if failed {
        bail!("some kernels failed their checksum or faulted");
    }
    Ok(ExitCode::SUCCESS)
}
