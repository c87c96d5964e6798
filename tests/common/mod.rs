//! Shared test helpers: assemble a guest program, run it on BOTH engines, check they end in
//! identical state, and hand back the machine for assertions.
#![allow(dead_code)]

#[path = "../support/cli.rs"]
pub mod cli;

use emulator::{Budget, Exit, Machine};
use std::path::{Path, PathBuf};

/// RAM for test machines: small, so that comparing memory between engines stays cheap.
pub const TEST_RAM: u32 = 4 << 20;
/// Cycle limit for test programs (a runaway test fails instead of hanging).
pub const TEST_CYCLES: u64 = 50_000_000;

/// A finished run.
pub struct Run {
    /// The machine after the run (the interpreter's; the threaded engine's was identical).
    pub m: Machine,
    /// Why it stopped.
    pub exit: Exit,
}

impl Run {
    /// What the guest wrote to the UART.
    pub fn serial(&self) -> String {
        String::from_utf8_lossy(self.m.dev.uart.output()).into_owned()
    }
}

/// Path of a file under tests/.
pub fn test_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}

/// Assembles `src` (named `name`, includes resolved from tests/guest) into a program.
pub fn assemble(name: &str, src: &str) -> assembler::Program {
    let opts = assembler::Options {
        include_dirs: vec![test_path("guest")],
        ..Default::default()
    };
    let source = assembler::Source {
        name: name.to_string(),
        text: src.to_string(),
    };
    match assembler::assemble(&[source], &opts) {
        Ok(p) => p,
        Err(d) => panic!("{name} does not assemble:\n{d}"),
    }
}

/// The address of symbol `name` in the assembled `src`.
pub fn symbol(name: &str, src: &str) -> u32 {
    let prog = assemble("sym.s", src);
    prog.symbols
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no symbol {name}"))
        .value
}

/// A fresh machine with `prog` loaded (serial kept in a buffer, delivery log on).
pub fn machine_with(prog: &assembler::Program, ram: u32) -> Machine {
    testkit::machine_for(prog, ram)
}

/// Asserts two machines are in the same architectural state.
pub fn assert_same_state(a: &Machine, b: &Machine, what: &str) {
    if let Some(diff) = emulator::diff::state_diff(a, b) {
        panic!("{what}: {diff}");
    }
}

/// Runs `prog` on both engines with `budget`, checks they agree, returns the interpreter's run.
pub fn run_program_budget(name: &str, prog: &assembler::Program, ram: u32, budget: Budget) -> Run {
    let (m, exit) = testkit::run_agreeing(
        name,
        machine_with(prog, ram),
        machine_with(prog, ram),
        budget,
    );
    Run { m, exit }
}

/// Runs assembly source on both engines (cycle limit [`TEST_CYCLES`]).
pub fn run_src(name: &str, src: &str) -> Run {
    let prog = assemble(name, src);
    let budget = Budget {
        max_cycles: TEST_CYCLES,
        ..Budget::UNLIMITED
    };
    run_program_budget(name, &prog, TEST_RAM, budget)
}

/// Runs tests/guest/NAME on both engines.
pub fn run_guest(name: &str) -> Run {
    let path = test_path(&format!("guest/{name}"));
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    run_src(name, &src)
}

/// Runs tests/guest/NAME and requires it to halt with exit code 0 (the guest tests' "pass";
/// a non-zero code is the number of the check that failed).
pub fn pass_guest(name: &str) -> Run {
    let run = run_guest(name);
    match &run.exit {
        Exit::Halted(0) => run,
        Exit::Halted(code) => panic!(
            "{name}: check {code} failed (pc {:#x}, serial: {:?})",
            run.m.cpu.pc,
            run.serial()
        ),
        other => panic!("{name}: stopped with {other:?} at pc {:#x}", run.m.cpu.pc),
    }
}

/// The `ringfort` binary, to run in `dir` with `args`: colour off, standard input, output and
/// error piped (change what a test needs before spawning). The one binary-spawning helper
/// the end-to-end tests share.
pub fn ringfort_command(dir: &Path, args: &[&str]) -> std::process::Command {
    use std::process::Stdio;
    let mut c = cli::ringfort_cmd();
    c.args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs `ringfort` in `dir` with `args` and `input` on its standard input; returns its
/// output. Panics if it cannot start.
pub fn ringfort(dir: &Path, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = ringfort_command(dir, args)
        .spawn()
        .expect("ringfort starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    child.wait_with_output().expect("ringfort finishes")
}
