//! Benchmark kernels without the CLI: `cargo run --release -p testkit --example bench_quick
//! -- [interp|threaded] [on|off] [KERNEL...]` (the CLI's `ringfort bench` is the reference).

use emulator::EngineKind;

fn main() {
    let mut engines = EngineKind::ALL.to_vec();
    let mut modes = vec![false, true];
    let mut names = Vec::new();
    for a in std::env::args().skip(1) {
        if let Ok(kind) = a.parse::<EngineKind>() {
            engines = vec![kind];
            continue;
        }
        match a.as_str() {
            "on" => modes = vec![true],
            "off" => modes = vec![false],
            _ => names.push(a),
        }
    }
    for k in testkit::bench::KERNELS {
        if !names.is_empty() && !names.iter().any(|n| n == k.name) {
            continue;
        }
        for &paging in &modes {
            for &engine in &engines {
                match testkit::bench::run(k, engine, paging) {
                    Ok(r) => println!(
                        "{:<9} {:<8} paging={:<5} insns={:>11} {:>7.3}s {:>7.1} MIPS",
                        r.kernel,
                        r.engine,
                        r.paging,
                        r.instructions,
                        r.seconds,
                        r.mips()
                    ),
                    Err(e) => println!("{}: {e}", k.name),
                }
            }
        }
    }
}
