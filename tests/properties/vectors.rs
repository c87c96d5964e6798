//! Property group 6: external test vectors.
//!
//! `vectors/riscv_tests_rr.txt` holds the TEST_RR_OP cases of the riscv-tests suite
//! (repository riscv-software-src/riscv-tests; files isa/rv32ui/{add,sub,and,or,xor,sll,srl,
//! sra,slt,mul,mulhu,div,divu,rem,remu}.S, isa/rv64ui/sltu.S and isa/rv32um/mulh.S; the commit
//! of each file is listed in the data file's header) for the RF32 instructions whose
//! semantics equal RISC-V's. Every vector is executed on both engines as `op rd, rs1, rs2`
//! with registers loaded by `li`, and the result compared. Division by zero is excluded (RF32
//! faults where RISC-V returns a value).

use emulator::Exit;
use testkit::gen::{run_engines, state_diff};

const DATA: &str = include_str!("vectors/riscv_tests_rr.txt");

/// Evaluates a value as written in the riscv-tests sources (`0x..`, decimal, `-x`,
/// `a<<b`) in 64-bit arithmetic, truncated to 32 bits.
fn value(s: &str) -> u32 {
    let atom = |t: &str| -> i64 {
        let (neg, t) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let v = match t.strip_prefix("0x") {
            Some(h) => i64::from_str_radix(h, 16).expect("hex"),
            None => t.parse::<i64>().expect("number"),
        };
        if neg {
            v.wrapping_neg()
        } else {
            v
        }
    };
    let v = match s.split_once("<<") {
        Some((a, b)) => atom(a).wrapping_shl(atom(b) as u32),
        None => atom(s),
    };
    v as u32
}

struct Vector {
    file: String,
    num: u32,
    op: String,
    result: u32,
    a: u32,
    b: u32,
}

fn vectors() -> Vec<Vector> {
    DATA.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 6, "bad vector line: {l}");
            Vector {
                file: f[0].to_string(),
                num: f[1].parse().expect("test number"),
                op: f[2].to_string(),
                result: value(f[3]),
                a: value(f[4]),
                b: value(f[5]),
            }
        })
        .collect()
}

#[test]
fn riscv_tests_rr_vectors() {
    let vs = vectors();
    assert!(vs.len() > 150, "only {} vectors", vs.len());
    // One program per vector group of 8 keeps the run short; each result lands in memory.
    for chunk in vs.chunks(8) {
        let mut src = String::from("_start: li t6, 0x4000\n");
        for (k, v) in chunk.iter().enumerate() {
            assert!(
                isa_spec::Opcode::from_mnemonic(&v.op).is_some(),
                "{} is not an RF32 instruction",
                v.op
            );
            src += &format!(
                " li t0, {:#x}\n li t1, {:#x}\n {} t2, t0, t1\n sw t2, {}(t6)\n",
                v.a,
                v.b,
                v.op,
                4 * k
            );
        }
        src += " li a0, 0\n halt\n";
        let prog = assembler::assemble(
            &[assembler::Source::new("vectors.s", src.clone())],
            &assembler::Options::default(),
        )
        .unwrap_or_else(|d| panic!("{d}\n{src}"));
        let ((a, ea), (b, eb)) = run_engines(&prog, 1 << 16, 100_000);
        assert_eq!(ea, Exit::Halted(0), "{src}");
        assert_eq!(ea, eb);
        assert_eq!(state_diff(&a, &b), None, "{src}");
        for (k, v) in chunk.iter().enumerate() {
            let at = 0x4000 + 4 * k;
            let got = a.ram().word(at);
            assert_eq!(
                got, v.result,
                "riscv-tests {} test {}: {} {:#x}, {:#x} = {:#x}, RF32 gives {:#x}",
                v.file, v.num, v.op, v.a, v.b, v.result, got
            );
        }
    }
}

#[test]
fn vector_values_parse_as_the_assembler_would() {
    assert_eq!(value("-1<<63"), 0);
    assert_eq!(value("-1<<31"), 0x8000_0000);
    assert_eq!(value("-20"), 0xffff_ffec);
    assert_eq!(value("0xffffffe0"), 0xffff_ffe0);
}
