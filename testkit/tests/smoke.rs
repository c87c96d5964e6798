//! Smoke test of the machine through the assembler: hello.s prints and halts on both engines
//! with identical state.

use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::{Budget, Config, Engine, Exit, Machine};

fn machine(src: &str) -> Machine {
    let prog = assembler::assemble(
        &[assembler::Source {
            name: "t.s".into(),
            text: src.into(),
        }],
        &Default::default(),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let mut m = Machine::new(Config {
        ram_size: 1 << 20,
        ..Config::default()
    });
    m.load_program(&prog).unwrap();
    m
}

#[test]
fn hello_on_both_engines() {
    let src = include_str!("../../examples/hello.s");
    let mut a = machine(src);
    let mut b = machine(src);
    assert_eq!(
        Interp::new().run(&mut a, Budget::UNLIMITED),
        Exit::Halted(0)
    );
    assert_eq!(
        Threaded::new().run(&mut b, Budget::UNLIMITED),
        Exit::Halted(0)
    );
    assert_eq!(a.dev.uart.output(), b"Hello from RF32 ring 0!\n");
    assert_eq!(a.cpu, b.cpu);
}
