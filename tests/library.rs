//! The embedding API (`emulator::Vm`) and the grader as libraries: a machine from source text,
//! run, its registers, memory and serial output read and written.

use emulator::{EngineKind, Machine, StopReason};

const SRC: &str = "
        .text
        .global _start
_start: li      t0, 0xF0002000          # UART
1:      lw      t1, 4(t0)               # wait for input
        andi    t1, t1, 1
        beqz    t1, 1b
        lw      t2, 0(t0)
        sw      t2, 0(t0)               # echo it
        la      t3, cell
        lw      a0, 0(t3)               # exit value: the word at `cell`
        halt
        .data
cell:   .word   7
";

#[test]
fn build_from_source_run_and_read_the_state_on_both_engines() {
    for engine in EngineKind::ALL {
        let mut vm = Machine::builder()
            .source("echo.s", SRC)
            .memory(Some(1 << 20))
            .input(b"z")
            .engine(engine)
            .build_vm()
            .unwrap();
        let cell = vm.symbol("cell").unwrap();
        assert_eq!(vm.read_mem(cell, 4).unwrap(), [7, 0, 0, 0]);
        assert!(vm.write_mem(cell, &9u32.to_le_bytes()));
        let out = vm.run(1_000_000);
        assert_eq!(
            (out.reason, out.exit_value),
            (StopReason::Halted, Some(9)),
            "{engine}"
        );
        assert_eq!(vm.serial_output(), b"z");
        let t2 = isa_spec::regs::parse_reg("t2").unwrap() as usize;
        assert_eq!(vm.reg(t2), b'z' as u32);
        assert_eq!(vm.read_phys(cell, 4).unwrap(), 9u32.to_le_bytes());
        assert_eq!(vm.rings_seen(), 1, "ring 0 only");
        assert!(vm.faults().is_empty() && !vm.output_truncated());
    }
}

#[test]
fn a_budget_stops_and_resumes_and_output_is_capped() {
    let src = "_start: li t0, 0xF0002000\n li t1, 'x'\n1: sw t1, 0(t0)\n j 1b\n";
    let mut vm = Machine::builder()
        .source("spam.s", src)
        .memory(Some(1 << 20))
        .capture_output(100)
        .build_vm()
        .unwrap();
    let first = vm.run(10_000);
    assert_eq!(first.reason, StopReason::CycleLimit);
    let second = vm.run(10_000);
    assert!(second.cycles >= first.cycles + 10_000);
    assert_eq!(vm.serial_output().len(), 100);
    assert!(vm.output_truncated());
    vm.set_reg(5, 1);
    assert_eq!(vm.reg(5), 1);
    vm.set_reg(0, 1);
    assert_eq!(vm.reg(0), 0, "x0 stays 0");
}

#[test]
fn source_that_does_not_assemble_is_a_typed_error_with_file_line_col() {
    let e = Machine::builder()
        .source("bad.s", "_start: frob a0\n")
        .build_vm()
        .err()
        .unwrap();
    assert!(matches!(e, emulator::builder::BuildError::Assemble(_)));
    assert!(e.to_string().starts_with("bad.s:1:9: error:"), "{e}");
}

#[test]
fn the_grader_as_a_library_gives_rows_in_order_whatever_the_threads() {
    let plan = grader::load(std::path::Path::new("tests/grade/course.toml")).unwrap();
    let mut runs = Vec::new();
    for threads in [1, 2] {
        let opts = grader::Options {
            threads,
            ..Default::default()
        };
        runs.push(grader::grade(&plan, &opts, |_| {}).unwrap());
    }
    assert_eq!(runs[0], runs[1]);
    let idx: Vec<usize> = runs[0].rows.iter().map(|r| r.index).collect();
    assert_eq!(idx, (0..12).collect::<Vec<_>>());
}
