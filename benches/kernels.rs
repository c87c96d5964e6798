//! Criterion benches over the benchmark kernels of testkit/kernels/ (regression tracking; the
//! figures for docs/perf.md come from `ringfort bench`, which reports MIPS). Each iteration
//! assembles nothing: the program is assembled once, and every sample runs a fresh machine to
//! completion and checks the checksum.
//!
//! `cargo bench --bench kernels [-- FILTER]`; a run takes a while (10 samples per kernel).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use emulator::{Budget, EngineKind, Exit};
use testkit::bench::{self, KERNELS};

fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernels");
    group.sample_size(10);
    for k in KERNELS {
        let prog = bench::assemble(k).expect("kernel assembles");
        for engine in EngineKind::ALL {
            for paging in [false, true] {
                let name = format!(
                    "{}/{}/{}",
                    k.name,
                    engine,
                    if paging { "paging" } else { "flat" }
                );
                group.bench_function(name, |b| {
                    b.iter_batched(
                        || bench::machine(&prog, paging).expect("machine"),
                        |mut m| {
                            let mut e = engine.create();
                            let exit = e.run(&mut m, Budget::UNLIMITED);
                            assert_eq!(exit, Exit::Halted(0), "{} checksum", k.name);
                            m.cpu.retired
                        },
                        BatchSize::LargeInput,
                    )
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
