//! A benchmark kernel for a fixed number of steps, for instruction-count profiling under
//! valgrind (`valgrind --tool=callgrind target/release/examples/bench_steps -- threaded on fib
//! 20000000`): host instructions per guest instruction do not depend on the machine's load.

use emulator::{Budget, Engine};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [engine, paging, kernel, steps] = &args[..] else {
        eprintln!("usage: bench_steps interp|threaded on|off KERNEL STEPS");
        std::process::exit(2);
    };
    let k = emulator::bench::kernel(kernel).expect("kernel");
    let prog = emulator::bench::assemble(k).expect("assembles");
    let mut m = emulator::bench::machine(&prog, paging == "on").expect("machine");
    let mut e: Box<dyn Engine> = emulator::bench::engine(engine).expect("engine");
    let steps: u64 = steps.parse().expect("steps");
    let exit = e.run(
        &mut m,
        Budget {
            max_cycles: u64::MAX,
            max_steps: steps,
            breakpoints: &[],
            resume_at: None,
            break_filter: None,
        },
    );
    println!("{exit:?} after {} instructions", m.cpu.retired);
}
