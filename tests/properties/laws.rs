//! Property group 2: algebraic and round-trip laws.
//!
//! * encode/decode: `decode(encode(i)) == i` for every generated valid instruction;
//! * disassemble/assemble: the disassembler's text of a run of random instructions assembles
//!   (at the same address) back to the same words;
//! * arithmetic: `(a + b) - b == a`, `(a + b) - a == b`, `(a ^ b) ^ b == a`, `addi` by `k` then
//!   `-k` (all executed on the machine);
//! * comparisons: `slt`, `sltu`, `slti`, `sltiu` and the six branches agree with each other
//!   (`blt` taken iff `slt` = 1, `bgeu` iff `sltu` = 0, signed = unsigned with the sign bits
//!   flipped, ...);
//! * memory: a load after a store returns the stored bytes at every width, offset and
//!   signedness, little-endian.
//!
//! Programs run on both engines, which must agree.

use crate::config;
use emulator::Machine;
use isa_spec::{decode, disasm, encode};
use proptest::prelude::*;
use testkit::gen::{insn, run_engines, state_diff, word};

/// Assembles `src` at 0, runs it on both engines to its `halt`, checks they agree.
fn run(src: &str) -> Result<Machine, TestCaseError> {
    let prog = assembler::assemble(
        &[assembler::Source::new("law.s", src)],
        &assembler::Options::default(),
    )
    .map_err(|d| TestCaseError::fail(format!("{d}\n{src}")))?;
    let ((a, ea), (b, eb)) = run_engines(&prog, 1 << 16, 100_000);
    prop_assert_eq!(&ea, &emulator::Exit::Halted(0), "{}", src);
    prop_assert_eq!(&ea, &eb);
    if let Some(d) = state_diff(&a, &b) {
        return Err(TestCaseError::fail(format!("engines disagree: {d}\n{src}")));
    }
    Ok(a)
}

fn reg(m: &Machine, name: &str) -> u32 {
    m.cpu.regs[isa_spec::regs::parse_reg(name).expect("register") as usize]
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn decode_inverts_encode(i in insn()) {
        let w = encode(&i).expect("generated instructions encode");
        prop_assert_eq!(decode(w), Ok(i));
    }

    #[test]
    fn words_that_decode_encode_back(w in any::<u32>()) {
        if let Ok(i) = decode(w) {
            prop_assert_eq!(encode(&i), Ok(w));
        }
    }
}

proptest! {
    #![proptest_config(config(500))]

    /// The disassembly of random instructions reassembles to the same words.
    #[test]
    fn disassembly_reassembles(insns in prop::collection::vec(insn(), 1..24),
                               base in (0x0100_0000u32 / 4..0xFE00_0000 / 4).prop_map(|w| w * 4)) {
        let words: Vec<u32> = insns.iter().map(|i| encode(i).unwrap()).collect();
        let text: Vec<String> = insns.iter().enumerate()
            .map(|(k, i)| disasm(i, base + 4 * k as u32)).collect();
        let src = format!("{}\n", text.join("\n"));
        let opts = assembler::Options { base, ..Default::default() };
        let prog = assembler::assemble(&[assembler::Source::new("d.s", src.clone())], &opts)
            .map_err(|d| TestCaseError::fail(format!("{d}\n{src}")))?;
        let data = &prog.segments[0].data;
        let back: Vec<u32> = data.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        prop_assert_eq!(back, words, "{}", src);
    }

    /// add/sub and xor are inverses; addi k then addi -k is the identity.
    #[test]
    fn add_sub_xor_inverses(a in word(), b in word(), k in -32767i32..=32767) {
        let m = run(&format!(
            "_start: li t0, {a:#x}\n li t1, {b:#x}\n add t2, t0, t1\n sub s2, t2, t1\n sub s3, t2, t0\n \
             xor t2, t0, t1\n xor s4, t2, t1\n addi t2, t0, {k}\n addi s5, t2, {}\n sub t2, zero, t0\n add s6, t2, t0\n \
             li a0, 0\n halt\n", -k))?;
        prop_assert_eq!(reg(&m, "s2"), a);
        prop_assert_eq!(reg(&m, "s3"), b);
        prop_assert_eq!(reg(&m, "s4"), a);
        prop_assert_eq!(reg(&m, "s5"), a);
        prop_assert_eq!(reg(&m, "s6"), 0);
    }

    /// slt/sltu/slti/sltiu and the branches are consistent with each other.
    #[test]
    fn comparisons_agree(a in word(), b in word(), k in -32768i32..=32767, same in prop::bool::weighted(0.1)) {
        let b = if same { a } else { b };
        let mut src = format!("_start: li t0, {a:#x}\n li t1, {b:#x}\n li t5, 0x80000000\n \
             slt s2, t0, t1\n sltu s3, t0, t1\n xor t2, t0, t5\n xor t3, t1, t5\n sltu s4, t2, t3\n \
             slti s5, t0, {k}\n li t4, {:#x}\n slt s6, t0, t4\n sltiu s7, t0, {k}\n sltu s8, t0, t4\n",
             k as u32);
        for (i, br) in ["beq", "bne", "blt", "bge", "bltu", "bgeu"].iter().enumerate() {
            src += &format!(" li a{i}, 1\n {br} t0, t1, 1f\n li a{i}, 0\n1:\n");
        }
        src += " li t6, 0\n mv s9, a0\n li a0, 0\n halt\n";
        let m = run(&src)?;
        let (slt, sltu) = (reg(&m, "s2"), reg(&m, "s3"));
        prop_assert!(slt <= 1 && sltu <= 1);
        prop_assert_eq!(reg(&m, "s4"), slt, "signed = unsigned with flipped sign bits");
        prop_assert_eq!(reg(&m, "s5"), reg(&m, "s6"), "slti = slt with the sign-extended immediate");
        prop_assert_eq!(reg(&m, "s7"), reg(&m, "s8"), "sltiu = sltu with the sign-extended immediate");
        let taken = |r: &str| reg(&m, r);
        let eq = reg(&m, "s9");
        prop_assert_eq!(taken("a1"), 1 - eq, "bne = !beq");
        prop_assert_eq!(taken("a2"), slt, "blt = slt");
        prop_assert_eq!(taken("a3"), 1 - slt, "bge = !slt");
        prop_assert_eq!(taken("a4"), sltu, "bltu = sltu");
        prop_assert_eq!(taken("a5"), 1 - sltu, "bgeu = !sltu");
        prop_assert_eq!(eq == 1, a == b, "beq = equality");
        if a == b { prop_assert_eq!(slt + sltu, 0, "equal values are not less"); }
    }

    /// Load after store: every width, offset and signedness sees the stored bytes, little-endian.
    #[test]
    fn load_after_store(init in any::<u64>(), v in word(), width in prop::sample::select(vec![1u32, 2, 4]),
                        slot in 0u32..4, addr in (0x4000u32 / 8..0x8000 / 8).prop_map(|a| a * 8)) {
        let off = (slot * width) % 8;
        let st = match width { 1 => "sb", 2 => "sh", _ => "sw" };
        let mut src = format!("_start: li t0, {addr:#x}\n li t1, {:#x}\n sw t1, 0(t0)\n li t1, {:#x}\n sw t1, 4(t0)\n \
             li t2, {v:#x}\n {st} t2, {off}(t0)\n", init as u32, (init >> 32) as u32);
        // Loads of the word holding the store.
        let w = off & !3;
        let loads: Vec<(String, u32, u32, bool)> = (0..4).map(|i| ("lb".to_string(), 1, i, true))
            .chain((0..4).map(|i| ("lbu".to_string(), 1, i, false)))
            .chain([0, 2].map(|i| ("lh".to_string(), 2, i, true)))
            .chain([0, 2].map(|i| ("lhu".to_string(), 2, i, false)))
            .chain([("lw".to_string(), 4, 0, false)])
            .collect();
        let dests = ["s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5"];
        for ((op, _, i, _), d) in loads.iter().zip(dests) {
            src += &format!(" {op} {d}, {}(t0)\n", w + i);
        }
        src += " li a0, 0\n halt\n";
        let m = run(&src)?;
        let mut bytes = init.to_le_bytes();
        for k in 0..width {
            bytes[(off + k) as usize] = (v >> (8 * k)) as u8;
        }
        prop_assert_eq!(&m.ram().to_vec()[addr as usize..addr as usize + 8], &bytes[..], "memory after the store");
        for ((op, size, i, signed), d) in loads.iter().zip(dests) {
            let at = (w + i) as usize;
            let raw = bytes[at..at + *size as usize].iter().rev().fold(0u64, |acc, b| acc * 256 + *b as u64);
            let want = if *signed && raw >= 1 << (8 * size - 1) { raw as i64 - (1i64 << (8 * size)) } else { raw as i64 } as u32;
            prop_assert_eq!(reg(&m, d), want, "{} at offset {}", op, w + i);
        }
    }
}
