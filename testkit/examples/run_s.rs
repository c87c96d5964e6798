//! Runs one assembly file on one engine and prints instructions, cycles and MIPS:
//! `cargo run --release -p emulator --example run_s -- FILE.s [interp|threaded]`.

use emulator::{Budget, Config, EngineKind, Machine};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: run_s FILE.s [engine]");
    let engine = args.next().unwrap_or_else(|| "threaded".into());
    let text = std::fs::read_to_string(&path).expect("readable file");
    let prog = assembler::assemble(
        &[assembler::Source { name: path, text }],
        &Default::default(),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let mut m = Machine::new(Config::default());
    m.load_program(&prog).expect("loads");
    let mut e = engine.parse::<EngineKind>().expect("engine name").create();
    let t = std::time::Instant::now();
    let exit = e.run(&mut m, Budget::UNLIMITED);
    let s = t.elapsed().as_secs_f64();
    println!(
        "{exit:?}: {} insns, {} cycles, {:.3}s, {:.1} MIPS",
        m.cpu.retired,
        m.cpu.cycles,
        s,
        m.cpu.retired as f64 / s / 1e6
    );
}
