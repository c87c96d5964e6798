//! Quick benchmark run without the CLI: `cargo run --release -p emulator --example bench_quick
//! [KERNEL...]`.

fn main() {
    let names: Vec<String> = std::env::args().skip(1).collect();
    for k in emulator::bench::KERNELS {
        if !names.is_empty() && !names.iter().any(|n| n == k.name) {
            continue;
        }
        for paging in [false, true] {
            for engine in ["interp", "threaded"] {
                match emulator::bench::run(k, engine, paging) {
                    Ok(r) => println!(
                        "{:<9} {:<8} paging={:<5} insns={:>11} cycles={:>11} {:>7.3}s {:>7.1} MIPS",
                        r.kernel,
                        r.engine,
                        r.paging,
                        r.instructions,
                        r.cycles,
                        r.seconds,
                        r.mips()
                    ),
                    Err(e) => println!("{}: {e}", k.name),
                }
            }
        }
    }
}
