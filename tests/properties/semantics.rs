//! Property group 1: every instruction against mathematics.
//!
//! Each property builds a one-instruction machine (random operands, random registers, random
//! ring, pc in RAM or ROM), executes one step on BOTH engines through the public interface, and
//! compares the result with an independent definition written here in plain wide-integer math
//! (i128 arithmetic, floor/truncating division, powers of two) from SPEC.md §5 — never with the
//! emulator's own helpers (`alu`, `branch_taken`, `extend_load`). [`COVERAGE`] maps every
//! mnemonic of `isa_spec::OPS` to the property that checks it; a test fails if one is missing.

use crate::config;
use crate::harness::{
    check, machine, pc, ram_word, regs, run_case, step_both, Case, Expect, HANDLER, RAM, SP0,
};
use emulator::{Exit, Machine};
use isa_spec::cr::{gate, gate_rule, memmap, num, vector};
use isa_spec::regs::{A0, SP};
use isa_spec::{decode, encode, Insn, Kind, Opcode, OPS};
use proptest::prelude::*;
use testkit::gen::{insn_of, opcode_where, word};

/// Mnemonic -> the property (function in this file) that checks its semantics.
pub const COVERAGE: &[(&str, &str)] = &[
    ("add", "alu_matches_math"),
    ("sub", "alu_matches_math"),
    ("and", "alu_matches_math"),
    ("or", "alu_matches_math"),
    ("xor", "alu_matches_math"),
    ("sll", "alu_matches_math"),
    ("srl", "alu_matches_math"),
    ("sra", "alu_matches_math"),
    ("slt", "alu_matches_math"),
    ("sltu", "alu_matches_math"),
    ("mul", "alu_matches_math"),
    ("mulh", "alu_matches_math"),
    ("mulhu", "alu_matches_math"),
    ("div", "alu_matches_math"),
    ("divu", "alu_matches_math"),
    ("rem", "alu_matches_math"),
    ("remu", "alu_matches_math"),
    ("addi", "alu_matches_math"),
    ("slti", "alu_matches_math"),
    ("sltiu", "alu_matches_math"),
    ("andi", "alu_matches_math"),
    ("ori", "alu_matches_math"),
    ("xori", "alu_matches_math"),
    ("slli", "alu_matches_math"),
    ("srli", "alu_matches_math"),
    ("srai", "alu_matches_math"),
    ("lui", "alu_matches_math"),
    ("auipc", "alu_matches_math"),
    ("lb", "loads_match_math"),
    ("lh", "loads_match_math"),
    ("lw", "loads_match_math"),
    ("lbu", "loads_match_math"),
    ("lhu", "loads_match_math"),
    ("sb", "stores_match_math"),
    ("sh", "stores_match_math"),
    ("sw", "stores_match_math"),
    ("beq", "branches_match_math"),
    ("bne", "branches_match_math"),
    ("blt", "branches_match_math"),
    ("bge", "branches_match_math"),
    ("bltu", "branches_match_math"),
    ("bgeu", "branches_match_math"),
    ("jal", "jumps_match_math"),
    ("jalr", "jumps_match_math"),
    ("cas", "cas_matches_math"),
    ("fence", "fence_retires"),
    ("callg", "callg_matches_spec"),
    ("retg", "retg_matches_spec"),
    ("trap", "trap_and_brk_match_spec"),
    ("brk", "trap_and_brk_match_spec"),
    ("iret", "iret_matches_spec"),
    ("halt", "halt_and_wfi_match_spec"),
    ("wfi", "halt_and_wfi_match_spec"),
    ("tlbflush", "tlb_ops_match_spec"),
    ("tlbinval", "tlb_ops_match_spec"),
    ("mfcr", "mfcr_mtcr_match_spec"),
    ("mtcr", "mfcr_mtcr_match_spec"),
];

#[test]
fn every_instruction_has_a_property() {
    for op in OPS {
        assert!(
            COVERAGE.iter().any(|(m, _)| *m == op.mnemonic),
            "instruction `{}` has no semantics property: add one to tests/properties/semantics.rs \
             and list it in COVERAGE",
            op.mnemonic
        );
    }
    for (m, _) in COVERAGE {
        assert!(
            Opcode::from_mnemonic(m).is_some(),
            "COVERAGE names `{m}`, which is not an instruction"
        );
    }
}

// ---------------------------------------------------------------- the independent model

const M32: i128 = 1 << 32;

/// A value modulo 2^32.
fn wrap(v: i128) -> u32 {
    v.rem_euclid(M32) as u32
}

/// A register read as a signed number.
fn s(v: u32) -> i128 {
    if v >= 0x8000_0000 {
        v as i128 - M32
    } else {
        v as i128
    }
}

/// A register read as an unsigned number.
fn u(v: u32) -> i128 {
    v as i128
}

/// The low 16 bits of an immediate field, sign-extended.
fn sext16(imm: i32) -> i128 {
    let v = (imm as u32 & 0xffff) as i128;
    if v >= 0x8000 {
        v - 0x10000
    } else {
        v
    }
}

fn pow2(n: i128) -> i128 {
    1i128 << n
}

/// Truncating division (toward zero) of wide integers.
fn trunc_div(x: i128, y: i128) -> i128 {
    let q = x.abs() / y.abs();
    if (x < 0) != (y < 0) {
        -q
    } else {
        q
    }
}

/// The value an ALU/multiply/divide instruction writes, or `None` for a divide-by-zero fault.
fn model_alu(op: Opcode, a: u32, b: u32, imm: i32, pc: u32) -> Option<u32> {
    let sh = |n: u32| u(n).rem_euclid(32);
    let zimm = (imm as u32 & 0xffff) as i128;
    Some(match op {
        Opcode::Add => wrap(u(a) + u(b)),
        Opcode::Sub => wrap(u(a) - u(b)),
        Opcode::And | Opcode::Or | Opcode::Xor => bitwise(op, u(a), u(b)),
        Opcode::Sll => wrap(u(a) * pow2(sh(b))),
        Opcode::Srl => wrap(u(a).div_euclid(pow2(sh(b)))),
        Opcode::Sra => wrap(s(a).div_euclid(pow2(sh(b)))),
        Opcode::Slt => (s(a) < s(b)) as u32,
        Opcode::Sltu => (u(a) < u(b)) as u32,
        Opcode::Mul => wrap(u(a) * u(b)),
        Opcode::Mulh => wrap((s(a) * s(b)).div_euclid(M32)),
        Opcode::Mulhu => wrap((u(a) * u(b)).div_euclid(M32)),
        Opcode::Div | Opcode::Divu | Opcode::Rem | Opcode::Remu if b == 0 => return None,
        Opcode::Div => wrap(trunc_div(s(a), s(b))),
        Opcode::Divu => wrap(u(a).div_euclid(u(b))),
        Opcode::Rem => wrap(s(a) - s(b) * trunc_div(s(a), s(b))),
        Opcode::Remu => wrap(u(a).rem_euclid(u(b))),
        Opcode::Addi => wrap(u(a) + sext16(imm)),
        Opcode::Slti => (s(a) < sext16(imm)) as u32,
        Opcode::Sltiu => (u(a) < u(wrap(sext16(imm)))) as u32,
        Opcode::Andi => bitwise(Opcode::And, u(a), zimm),
        Opcode::Ori => bitwise(Opcode::Or, u(a), zimm),
        Opcode::Xori => bitwise(Opcode::Xor, u(a), zimm),
        Opcode::Slli => wrap(u(a) * pow2(imm as i128 & 31)),
        Opcode::Srli => wrap(u(a).div_euclid(pow2(imm as i128 & 31))),
        Opcode::Srai => wrap(s(a).div_euclid(pow2(imm as i128 & 31))),
        Opcode::Lui => wrap(zimm * 65536),
        Opcode::Auipc => wrap(u(pc) + zimm * 65536),
        other => panic!("{other:?} is not an ALU instruction"),
    })
}

/// Bitwise operations, bit by bit.
fn bitwise(op: Opcode, a: i128, b: i128) -> u32 {
    let mut r = 0i128;
    for bit in 0..32 {
        let (x, y) = ((a >> bit) & 1, (b >> bit) & 1);
        let z = match op {
            Opcode::And => x * y,
            Opcode::Or => (x + y).min(1),
            _ => (x + y) % 2,
        };
        r += z << bit;
    }
    r as u32
}

/// Little-endian value of `bytes`.
fn le(bytes: &[u8]) -> i128 {
    bytes
        .iter()
        .enumerate()
        .map(|(i, &b)| (b as i128) * pow2(8 * i as i128))
        .sum()
}

/// Sign-extends an `n`-byte value to 32 bits.
fn sext_bytes(v: i128, n: usize) -> u32 {
    let half = pow2(8 * n as i128 - 1);
    wrap(if v >= half { v - 2 * half } else { v })
}

/// Registers never chosen as operands (the stack pointer stays valid so that a fault can push
/// its frame).
fn keep_sp(mut i: Insn) -> Insn {
    for f in [&mut i.rd, &mut i.rs1, &mut i.rs2] {
        if *f == SP {
            *f = 9;
        }
    }
    i
}

/// A valid ring-0 stack pointer for cases that keep sp.
const STACK: u32 = SP0 - 0x400;

fn case(insn: Insn, mut regs: [u32; 32], pc: u32, ring: u8) -> Case {
    regs[SP as usize] = STACK;
    Case {
        word: encode(&insn).expect("valid"),
        pc,
        regs,
        ring,
    }
}

fn retire(m: &Machine, rd: u8, value: u32, pc: u32, cycles: u32) -> Expect {
    let mut regs = m.cpu.regs;
    if rd != 0 {
        regs[rd as usize] = value;
    }
    Expect::Retire {
        regs,
        pc,
        cycles: cycles as u64,
    }
}

fn base(op: Opcode) -> u32 {
    op.info().cycles
}

fn alu_op() -> impl Strategy<Value = Opcode> {
    opcode_where(|o| matches!(o.kind, Kind::Alu | Kind::Mul | Kind::Div))
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(config(3000))]

    /// Register and immediate ALU, multiply, divide, lui and auipc.
    #[test]
    fn alu_matches_math(insn in alu_op().prop_flat_map(insn_of), regs in regs(), pc in pc(), ring in 0u8..4) {
        let insn = keep_sp(insn);
        run_case(&case(insn, regs, pc, ring), |_| {}, |m| {
            let (a, b) = (m.cpu.regs[insn.rs1 as usize], m.cpu.regs[insn.rs2 as usize]);
            match model_alu(insn.op, a, b, insn.imm, pc) {
                Some(v) => retire(m, insn.rd, v, wrap(u(pc) + 4), base(insn.op)),
                None => Expect::fault(vector::DIVIDE, 0, 0, pc),
            }
        })?;
    }

    /// Division and remainder at their edges, which random operands seldom reach: `INT_MIN`
    /// by -1 (the quotient overflows), by 0 (the exception), by 1 and by `INT_MIN`.
    #[test]
    fn division_edges_match_math(
        insn in opcode_where(|o| o.kind == Kind::Div).prop_flat_map(insn_of),
        regs in regs(), pc in pc(), ring in 0u8..4,
        a in prop::sample::select(vec![0x8000_0000u32, 0x7fff_ffff, 0, 1, u32::MAX]),
        b in prop::sample::select(vec![u32::MAX, 0, 1, 0x8000_0000u32]),
    ) {
        let insn = keep_sp(insn);
        prop_assume!(insn.rs1 != insn.rs2 && ![0, SP].contains(&insn.rs1) && ![0, SP].contains(&insn.rs2));
        let mut regs = regs;
        regs[insn.rs1 as usize] = a;
        regs[insn.rs2 as usize] = b;
        run_case(&case(insn, regs, pc, ring), |_| {}, |m| {
            match model_alu(insn.op, a, b, insn.imm, pc) {
                Some(v) => retire(m, insn.rd, v, wrap(u(pc) + 4), base(insn.op)),
                None => Expect::fault(vector::DIVIDE, 0, 0, pc),
            }
        })?;
    }

    /// Loads: little-endian assembly of the bytes, sign/zero extension, alignment, bus errors,
    /// ROM, device registers and I/O privilege.
    #[test]
    fn loads_match_math(
        insn in opcode_where(|o| o.kind == Kind::Load).prop_flat_map(insn_of),
        regs in regs(), pc in pc(), ring in 0u8..4, iopl in 0u32..4,
        bytes in prop::array::uniform16(any::<u8>()),
        target in target(),
    ) {
        let insn = keep_sp(insn);
        let (va, block) = target.resolve();
        // The random block must not cover the instruction itself (both may be in the ROM).
        prop_assume!(block.is_none_or(|b| !Target::covers(b, pc)));
        let c = case(insn, with_base(regs, insn.rs1, va, insn.imm), pc, ring);
        run_case(&c, |m| {
            m.cpu.crs[num::IOPL as usize] = iopl;
            if let Some(b) = block { crate::harness::place(m, b, &bytes) }
        }, |m| {
            let a = wrap(u(m.cpu.regs[insn.rs1 as usize]) + sext16(insn.imm));
            let n = match insn.op { Opcode::Lb | Opcode::Lbu => 1, Opcode::Lh | Opcode::Lhu => 2, _ => 4 };
            let signed = matches!(insn.op, Opcode::Lb | Opcode::Lh);
            if u(a) % n as i128 != 0 {
                return Expect::fault(vector::MISALIGNED, 0, a, pc);
            }
            let next = wrap(u(pc) + 4);
            match region(a) {
                Region::Mem => {
                    let raw = le(&mem_bytes(m, a, n));
                    let v = if signed { sext_bytes(raw, n) } else { wrap(raw) };
                    retire(m, insn.rd, v, next, 1)
                }
                Region::Mmio if ring as u32 > iopl => Expect::fault(vector::IO_PRIVILEGE, 0, a, pc),
                Region::Mmio if n != 4 => Expect::fault(vector::BUS_ERROR, 0, a, pc),
                // PIC ENABLE reads its reset value 0; a device access costs MMIO_LATENCY more.
                Region::Mmio => retire(m, insn.rd, 0, next, 1 + isa_spec::cost::MMIO_LATENCY),
                Region::Unmapped => Expect::fault(vector::BUS_ERROR, 0, a, pc),
            }
        })?;
    }

    /// Stores: exactly the accessed bytes change, little-endian; faults change nothing (but
    /// the exception frame).
    #[test]
    fn stores_match_math(
        insn in opcode_where(|o| o.kind == Kind::Store).prop_flat_map(insn_of),
        regs in regs(), pc in pc(), ring in 0u8..4, iopl in 0u32..4,
        bytes in prop::array::uniform16(any::<u8>()),
        target in target(),
    ) {
        let insn = keep_sp(insn);
        let (va, block) = target.resolve();
        // The random block must not cover the instruction itself (both may be in the ROM).
        prop_assume!(block.is_none_or(|b| !Target::covers(b, pc)));
        let c = case(insn, with_base(regs, insn.rs1, va, insn.imm), pc, ring);
        let mut want_ram = Vec::new();
        let mut faults = false;
        let [a, b] = run_case(&c, |m| {
            m.cpu.crs[num::IOPL as usize] = iopl;
            if let Some(b) = block { crate::harness::place(m, b, &bytes) }
        }, |m| {
            want_ram = m.ram().to_vec();
            let a = wrap(u(m.cpu.regs[insn.rs1 as usize]) + sext16(insn.imm));
            let v = u(m.cpu.regs[insn.rs2 as usize]);
            let n = match insn.op { Opcode::Sb => 1, Opcode::Sh => 2, _ => 4 };
            faults = true;
            if u(a) % n as i128 != 0 {
                return Expect::fault(vector::MISALIGNED, 0, a, pc);
            }
            let next = wrap(u(pc) + 4);
            match region(a) {
                Region::Mem if a < RAM => {
                    for i in 0..n {
                        want_ram[a as usize + i] = (v.div_euclid(pow2(8 * i as i128)) % 256) as u8;
                    }
                    faults = false;
                    retire(m, 0, 0, next, 1)
                }
                Region::Mmio if ring as u32 > iopl => Expect::fault(vector::IO_PRIVILEGE, 0, a, pc),
                Region::Mmio if n != 4 => Expect::fault(vector::BUS_ERROR, 0, a, pc),
                Region::Mmio => {
                    faults = false;
                    retire(m, 0, 0, next, 1 + isa_spec::cost::MMIO_LATENCY)
                }
                // ROM and unmapped addresses cannot be written.
                _ => Expect::fault(vector::BUS_ERROR, 0, a, pc),
            }
        })?;
        for (m, name) in [(&a, "interp"), (&b, "threaded")] {
            let mut got = m.ram().to_vec();
            if faults {
                // The exception frame is the only write.
                let f = m.cpu.regs[SP as usize] as usize;
                got[f..f + 20].copy_from_slice(&want_ram[f..f + 20]);
            }
            if got != want_ram {
                let i = got.iter().zip(&want_ram).position(|(x, y)| x != y).unwrap_or(0);
                prop_assert!(false, "{}: memory differs first at {:#x}: {:#x} != expected {:#x}", name, i, got[i], want_ram[i]);
            }
        }
    }

    /// Conditional branches: taken exactly when the signed/unsigned comparison holds; target
    /// relative to the branch itself; taken branches cost the penalty.
    #[test]
    fn branches_match_math(insn in opcode_where(|o| o.kind == Kind::Branch).prop_flat_map(insn_of),
                           regs in regs(), pc in pc(), ring in 0u8..4, same in any::<bool>()) {
        let insn = keep_sp(insn);
        let mut regs = regs;
        if same { regs[insn.rs2 as usize] = regs[insn.rs1 as usize]; regs[0] = 0; }
        run_case(&case(insn, regs, pc, ring), |_| {}, |m| {
            let (a, b) = (m.cpu.regs[insn.rs1 as usize], m.cpu.regs[insn.rs2 as usize]);
            let taken = match insn.op {
                Opcode::Beq => u(a) == u(b),
                Opcode::Bne => u(a) != u(b),
                Opcode::Blt => s(a) < s(b),
                Opcode::Bge => s(a) >= s(b),
                Opcode::Bltu => u(a) < u(b),
                _ => u(a) >= u(b),
            };
            let off = sext16(((encode(&insn).unwrap()) & 0xffff) as i32) * 4;
            if taken {
                retire(m, 0, 0, wrap(u(pc) + off), 1 + isa_spec::cost::TAKEN_PENALTY)
            } else {
                retire(m, 0, 0, wrap(u(pc) + 4), 1)
            }
        })?;
    }

    /// jal and jalr: link = pc + 4, target computed before the link is written, no clearing of
    /// low bits; a misaligned target faults at the next fetch (MISALIGNED, faddr = frame pc =
    /// the target).
    #[test]
    fn jumps_match_math(insn in prop_oneof![insn_of(Opcode::Jal), insn_of(Opcode::Jalr)],
                        regs in regs(), pc in pc(), ring in 0u8..4, near in any::<bool>(), skew in 0u32..4) {
        let insn = keep_sp(insn);
        let mut regs = regs;
        if near && insn.op == Opcode::Jalr {
            // Aim at RAM so that the second step (the fetch at the target) is meaningful.
            regs[insn.rs1 as usize] = wrap(0x9_0000 + skew as i128 - sext16(insn.imm));
            regs[0] = 0;
        }
        let [a, _] = run_case(&case(insn, regs, pc, ring), |_| {}, |m| {
            let target = match insn.op {
                Opcode::Jal => {
                    let w = encode(&insn).unwrap() & 0x1f_ffff;
                    let off = if w >= 1 << 20 { w as i128 - (1 << 21) } else { w as i128 };
                    wrap(u(pc) + off * 4)
                }
                _ => wrap(u(m.cpu.regs[insn.rs1 as usize]) + sext16(insn.imm)),
            };
            retire(m, insn.rd, wrap(u(pc) + 4), target, 1 + isa_spec::cost::TAKEN_PENALTY)
        })?;
        let t = a.cpu.pc;
        if t % 4 != 0 {
            let mut m = a.clone();
            m.deliveries = Some(Vec::new());
            let exp = Expect::fault(vector::MISALIGNED, 0, t, t);
            for (after, name) in step_both(&m) {
                check(&m, &after, &exp, name)?;
            }
        }
    }

    /// cas: a write-translated read-compare-write of an aligned RAM word; rd gets the old
    /// value; MISALIGNED, then BUS_ERROR for anything but RAM (no I/O-privilege step).
    #[test]
    fn cas_matches_math(insn in insn_of(Opcode::Cas), regs in regs(), pc in pc(), ring in 0u8..4,
                        old in word(), equal in any::<bool>(), target in target(),
                        misalign in prop::bool::weighted(0.15)) {
        let insn = keep_sp(insn);
        let (va, _) = target.resolve();
        let va = if misalign { va } else { va & !3 };
        let mut regs = regs;
        regs[insn.rs1 as usize] = va;
        if equal { regs[insn.rd as usize] = old; }
        regs[0] = 0;
        let mut want = None;
        let [a, b] = run_case(&case(insn, regs, pc, ring), |m| {
            if va < RAM && va % 4 == 0 { m.poke_phys(va, &old.to_le_bytes()); }
        }, |m| {
            let addr = m.cpu.regs[insn.rs1 as usize];
            let new = m.cpu.regs[insn.rs2 as usize];
            let cmp = m.cpu.regs[insn.rd as usize];
            if addr % 4 != 0 {
                return Expect::fault(vector::MISALIGNED, 0, addr, pc);
            }
            if addr >= RAM {
                return Expect::fault(vector::BUS_ERROR, 0, addr, pc);
            }
            let cur = le(&mem_bytes(m, addr, 4)) as u32;
            want = Some((addr, if cur == cmp { new } else { cur }));
            retire(m, insn.rd, cur, wrap(u(pc) + 4), base(Opcode::Cas))
        })?;
        if let Some((addr, w)) = want {
            prop_assert_eq!(ram_word(&a, addr), w, "interp: memory");
            prop_assert_eq!(ram_word(&b, addr), w, "threaded: memory");
        }
    }

    /// fence retires after one cycle and changes nothing else.
    #[test]
    fn fence_retires(regs in regs(), pc in pc(), ring in 0u8..4) {
        run_case(&case(Insn::new(Opcode::Fence), regs, pc, ring), |_| {}, |m| {
            retire(m, 0, 0, wrap(u(pc) + 4), 1)
        })?;
    }

    /// Sensitive instructions outside ring 0 raise PRIVILEGE (faddr = frame pc = the
    /// instruction); words that do not decode raise ILLEGAL in every ring.
    #[test]
    fn privileged_and_illegal_fault(
        insn in opcode_where(|o| o.privileged).prop_flat_map(insn_of),
        junk in any::<u32>(), regs in regs(), pc in pc(), ring in 0u8..4, use_junk in any::<bool>(),
    ) {
        let insn = keep_sp(insn);
        let mut c = case(insn, regs, pc, ring);
        if use_junk && decode(junk).is_err() {
            c.word = junk;
            run_case(&c, |_| {}, |_| Expect::fault(vector::ILLEGAL, 0, pc, pc))?;
        } else if ring != 0 {
            run_case(&c, |_| {}, |_| Expect::fault(vector::PRIVILEGE, 0, pc, pc))?;
        }
    }

    /// mfcr reads a control register (cycle/cycleh: the count at the start); mtcr writes one
    /// with the spec's masks and side effects (status & 0xF, iopl & 3, ptbase flushes the TLB,
    /// cycle/cycleh ignored).
    #[test]
    fn mfcr_mtcr_match_spec(insn in prop_oneof![insn_of(Opcode::Mfcr), insn_of(Opcode::Mtcr)],
                            regs in regs(), pc in pc(), crs in prop::collection::vec(word(), 17),
                            cycles in prop_oneof![any::<u64>().prop_map(|c| c >> 8), (0xffff_fff0u64..0x1_0000_0010)]) {
        let insn = keep_sp(insn);
        let c = case(insn, regs, pc, 0);
        let cr = insn.imm as usize;
        let keep = |n: usize| [num::STATUS, num::VBASE, num::SP0].contains(&(n as u8));
        let [a, b] = run_case(&c, |m| {
            for (n, v) in crs.iter().enumerate() {
                if !keep(n) { m.cpu.crs[n] = *v; }
            }
            m.cpu.crs[num::IOPL as usize] &= 3;
            m.cpu.cycles = cycles;
            m.tlb.fill(5, 0x5007);
        }, |m| {
            if insn.op == Opcode::Mfcr {
                let v = match cr as u8 {
                    num::CYCLE => wrap(cycles as i128),
                    num::CYCLEH => wrap((cycles as i128).div_euclid(M32)),
                    _ => m.cpu.crs[cr],
                };
                retire(m, insn.rd, v, wrap(u(pc) + 4), 2)
            } else {
                retire(m, 0, 0, wrap(u(pc) + 4), 2)
            }
        })?;
        if insn.op == Opcode::Mtcr {
            let v = c.regs[insn.rs1 as usize];
            let v = if insn.rs1 == 0 { 0 } else { v };
            for (m, name) in [(&a, "interp"), (&b, "threaded")] {
                match cr as u8 {
                    num::STATUS => prop_assert_eq!(m.cpu.crs[cr], v % 16, "{}: status", name),
                    num::IOPL => prop_assert_eq!(m.cpu.crs[cr], v % 4, "{}: iopl", name),
                    // Ignored: the counter only advanced by the mtcr's own 2 cycles.
                    num::CYCLE | num::CYCLEH => prop_assert_eq!(m.cpu.cycles, cycles + 2, "{}", name),
                    _ => prop_assert_eq!(m.cpu.crs[cr], v, "{}: {}", name, isa_spec::cr::CR_NAMES[cr]),
                }
                let flushed = m.tlb.lookup(5).is_none();
                prop_assert_eq!(flushed, cr as u8 == num::PTBASE, "{}: TLB flushed only by ptbase", name);
            }
        }
    }

    /// tlbflush invalidates every entry; tlbinval exactly the entry that holds rs1's page.
    #[test]
    fn tlb_ops_match_spec(insn in prop_oneof![Just(Insn::new(Opcode::Tlbflush)), insn_of(Opcode::Tlbinval)],
                          regs in regs(), pc in pc(), vpns in prop::collection::vec(0u32..0x100, 1..20), hit in any::<bool>()) {
        let insn = keep_sp(insn);
        let mut regs = regs;
        if hit && insn.rs1 != 0 { regs[insn.rs1 as usize] = (vpns[0] << 12) | 0x123; }
        let c = case(insn, regs, pc, 0);
        let [a, b] = run_case(&c, |m| {
            for v in &vpns { m.tlb.fill(*v, (*v << 12) | 0x4f); }
        }, |m| retire(m, 0, 0, wrap(u(pc) + 4), base(insn.op)))?;
        let mut filled = emulator::tlb::Tlb::default();
        for v in &vpns { filled.fill(*v, (*v << 12) | 0x4f); }
        for (m, name) in [(&a, "interp"), (&b, "threaded")] {
            for slot in 0..64u32 {
                let e = filled.entries()[slot as usize];
                let still = m.tlb.entries()[slot as usize] == e;
                let want = match insn.op {
                    Opcode::Tlbflush => e.vpn == u32::MAX,
                    _ => {
                        let a = if insn.rs1 == 0 { 0 } else { c.regs[insn.rs1 as usize] };
                        let page = u(a).div_euclid(4096) as u32;
                        e.vpn != page || e.vpn == u32::MAX
                    }
                };
                prop_assert_eq!(still, want, "{}: slot {} ({:?})", name, slot, e);
                if !still {
                    prop_assert!(m.tlb.lookup(e.vpn).is_none(), "{}: entry {:?} still valid", name, e);
                }
            }
        }
    }

    /// halt stops with exit code a0; wfi retires and sleeps until the timer's deadline (or
    /// stops "idle forever" with nothing to wait for; or is a 1-cycle no-op with a deliverable
    /// line).
    #[test]
    fn halt_and_wfi_match_spec(halt in any::<bool>(), regs in regs(), pc in pc(),
                               start in 0u64..1_000_000, wait in 1u64..5000, mode in 0u8..3) {
        let op = if halt { Opcode::Halt } else { Opcode::Wfi };
        let c = case(Insn::new(op), regs, pc, 0);
        let mut m = machine(&c);
        m.cpu.cycles = start;
        if !halt && mode >= 1 {
            // Arm the timer: deadline = start + wait, interrupt line 0 enabled.
            // Arm the timer through its registers: deadline = start + PERIOD, line 0 enabled.
            m.dev.pic.enable = 1;
            let ram = m.ram().clone();
            m.dev.write(memmap::TIMER + 4, wait.max(1) as u32, start, &ram);
            m.dev.write(memmap::TIMER, 5, start, &ram);
            if mode == 2 { m.dev.pic.pending = 1; }
        }
        for (after, name) in step_both(&m) {
            prop_assert_eq!(after.deliveries.as_deref().unwrap_or(&[]).len(), 0, "{}: no delivery", name);
            prop_assert_eq!(after.cpu.retired, 1, "{}: retired", name);
            prop_assert_eq!(&after.cpu.regs, &m.cpu.regs, "{}: registers", name);
            if halt {
                prop_assert_eq!(after.stop.clone(), Some(Exit::Halted(m.cpu.regs[A0 as usize])), "{}", name);
                prop_assert_eq!(after.cpu.cycles, start + 1, "{}: cycles", name);
                continue;
            }
            prop_assert_eq!(after.cpu.pc, wrap(u(pc) + 4), "{}: pc", name);
            match mode {
                0 => {
                    prop_assert_eq!(after.stop.clone(), Some(Exit::Idle), "{}", name);
                }
                1 => {
                    prop_assert_eq!(after.stop.clone(), None, "{}", name);
                    prop_assert_eq!(after.cpu.cycles, start + wait.max(1), "{}: woke at the deadline", name);
                    prop_assert_eq!(after.dev.pic.pending & 1, 1, "{}: line 0 pending", name);
                }
                _ => {
                    prop_assert_eq!(after.cpu.cycles, start + 1, "{}: no-op", name);
                }
            }
        }
    }

    /// iret pops pc, status (& 0xF) and sp from the frame at sp; a frame that leaves RAM is a
    /// bus error at the first word outside it.
    #[test]
    fn iret_matches_spec(regs in regs(), pc in pc(), frame in prop::array::uniform5(word()),
                         at_end in prop::bool::weighted(0.2)) {
        let sp = if at_end { RAM - 8 } else { 0x6000 };
        // (The frame must not be written over the `iret` itself.)
        prop_assume!(pc.wrapping_add(4) <= sp || pc >= sp.wrapping_add(20));
        let mut c = case(Insn::new(Opcode::Iret), regs, pc, 0);
        c.regs[SP as usize] = sp;
        let [a, b] = run_case(&c, |m| {
            for (i, w) in frame.iter().enumerate() {
                let _ = m.poke_phys(sp + 4 * i as u32, &w.to_le_bytes());
            }
        }, |m| {
            if at_end {
                return Expect::fault(vector::BUS_ERROR, 0, RAM, pc);
            }
            let mut regs = m.cpu.regs;
            regs[SP as usize] = frame[4];
            Expect::Retire { regs, pc: frame[0], cycles: 10 }
        })?;
        if !at_end {
            prop_assert_eq!(a.cpu.status(), frame[1] % 16, "interp: status");
            prop_assert_eq!(b.cpu.status(), frame[1] % 16, "threaded: status");
        }
    }

    /// callg: the checks in the spec's order (LIMIT, NOT_PRESENT, DPL, OUTWARD, BAD_ENTRY),
    /// parameter reads with the caller's rights, the frame [pc+4, CPL, sp, params...] below
    /// sp<T> (inward) or sp (same ring), precise faults.
    #[test]
    fn callg_matches_spec(cpl in 0u8..4, glimit in 0u32..8, n in 0u32..10, d in gate_descriptor(),
                          regs in regs(), pc in pc(), params in prop::array::uniform15(any::<u32>()),
                          sp_skew in prop_oneof![6 => Just(0u32), 1 => 1u32..4], sp_end in prop::bool::weighted(0.1)) {
        let (present, target, dpl, nparams, entry) = d;
        let mut c = case(Insn { imm: n as i32, ..Insn::new(Opcode::Callg) }, regs, pc, cpl);
        // A ring-0 caller's misaligned sp would make even the fault undeliverable (same stack).
        let caller_sp = if sp_end { RAM - 8 } else { 0x6000 + if cpl == 0 { 0 } else { sp_skew } };
        c.regs[SP as usize] = caller_sp;
        const GBASE: u32 = 0x600;
        let [a, b] = run_case(&c, |m| {
            m.cpu.crs[num::GBASE as usize] = GBASE;
            m.cpu.crs[num::GLIMIT as usize] = glimit;
            for i in 0..10u32 {
                let (e, f) = if i == n {
                    (entry, gate::flags(present, target, dpl, nparams))
                } else { (0x1234_5678, 0) };
                m.poke_phys(GBASE + 8 * i, &e.to_le_bytes());
                m.poke_phys(GBASE + 8 * i + 4, &f.to_le_bytes());
            }
            for (i, p) in params.iter().enumerate() {
                // Not over the `callg` itself (pc may be the last words of RAM, where the
                // stack is when `sp_end`).
                let at = caller_sp.wrapping_add(4 * i as u32);
                if at != pc {
                    let _ = m.poke_phys(at, &p.to_le_bytes());
                }
            }
        }, |m| {
            let gf = |rule| Expect::fault(vector::GATE_FAULT, rule, 0, pc);
            let t = target as u8;
            if n >= glimit { return gf(gate_rule::LIMIT); }
            if !present { return gf(gate_rule::NOT_PRESENT); }
            if cpl as u32 > dpl { return gf(gate_rule::DPL); }
            if t > cpl { return gf(gate_rule::OUTWARD); }
            if entry % 4 != 0 { return gf(gate_rule::BAD_ENTRY); }
            // Parameter reads: caller's sp, word by word.
            for i in 0..nparams {
                let a = caller_sp + 4 * i;
                if i == 0 && caller_sp % 4 != 0 { return Expect::fault(vector::MISALIGNED, 0, a, pc); }
                if a + 4 > RAM { return Expect::fault(vector::BUS_ERROR, 0, a, pc); }
            }
            let new_sp = if t < cpl { m.cpu.ring_stack(t) } else { caller_sp };
            let f = new_sp.wrapping_sub(4 * (3 + nparams));
            if f % 4 != 0 { return Expect::fault(vector::MISALIGNED, 0, f, pc); }
            for k in 0..3 + nparams {
                let a = f + 4 * k;
                if a + 4 > RAM { return Expect::fault(vector::BUS_ERROR, 0, a, pc); }
            }
            let mut regs = m.cpu.regs;
            regs[SP as usize] = f;
            Expect::Retire { regs, pc: entry, cycles: 12 }
        })?;
        for (m, name) in [(&a, "interp"), (&b, "threaded")] {
            if m.deliveries.as_deref().is_some_and(|l| l.is_empty()) {
                let f = m.cpu.regs[SP as usize];
                let mut want = vec![wrap(u(pc) + 4), cpl as u32, caller_sp];
                want.extend_from_slice(&params[..nparams as usize]);
                let got: Vec<u32> = (0..3 + nparams).map(|k| ram_word(m, f + 4 * k)).collect();
                prop_assert_eq!(got, want, "{}: gate frame", name);
                prop_assert_eq!(m.cpu.ring(), target as u8, "{}: ring", name);
            }
        }
    }

    /// retg: pops [pc, ring, sp]; a ring word with other bits is BAD_FRAME, a ring inward of
    /// the current one RETURN_INWARD; IE and PG are kept.
    #[test]
    fn retg_matches_spec(cpl in 0u8..4, ring_word in prop_oneof![4 => 0u32..4, 1 => any::<u32>()],
                         rpc in word(), rsp in word(), regs in regs(), pc in pc()) {
        let mut c = case(Insn::new(Opcode::Retg), regs, pc, cpl);
        c.regs[SP as usize] = 0x6000;
        let [a, b] = run_case(&c, |m| {
            for (i, w) in [rpc, ring_word, rsp].iter().enumerate() {
                m.poke_phys(0x6000 + 4 * i as u32, &w.to_le_bytes());
            }
        }, |m| {
            if ring_word >= 4 { return Expect::fault(vector::GATE_FAULT, gate_rule::BAD_FRAME, 0, pc); }
            if ring_word < cpl as u32 { return Expect::fault(vector::GATE_FAULT, gate_rule::RETURN_INWARD, 0, pc); }
            let mut regs = m.cpu.regs;
            regs[SP as usize] = rsp;
            Expect::Retire { regs, pc: rpc, cycles: 10 }
        })?;
        if ring_word < 4 && ring_word >= cpl as u32 {
            prop_assert_eq!(a.cpu.ring() as u32, ring_word, "interp: ring");
            prop_assert_eq!(b.cpu.ring() as u32, ring_word, "threaded: ring");
        }
    }

    /// trap V: NOT_PRESENT, DPL, OUTWARD, BAD_ENTRY gate faults (frame pc = the trap), else
    /// delivery of V (cause V, faddr 0, frame pc = trap + 4) into the descriptor's ring, on
    /// sp<T> when inward; brk delivers vector 8 the same way without a DPL check.
    #[test]
    fn trap_and_brk_match_spec(v in 0u8..64, is_brk in prop::bool::weighted(0.15), cpl in 0u8..4,
                               d in gate_descriptor(), regs in regs(), pc in pc()) {
        let (present, target, dpl, _, entry_word) = d;
        let insn = if is_brk { Insn::new(Opcode::Brk) } else { Insn { imm: v as i32, ..Insn::new(Opcode::Trap) } };
        let v = if is_brk { vector::BREAKPOINT } else { v };
        // Vectors 1-10 deliver the faults themselves: keep their descriptors standard.
        let custom = !is_brk && !(1..=10).contains(&v);
        let entry = HANDLER + 4 * v as u32 + entry_word % 4;
        let mut c = case(insn, regs, pc, cpl);
        c.regs[SP as usize] = 0x6000;
        run_case(&c, |m| {
            if custom {
                let d = crate::harness::VBASE + 8 * v as u32;
                m.poke_phys(d, &entry.to_le_bytes());
                m.poke_phys(d + 4, &gate::flags(present, target, dpl, 0).to_le_bytes());
            }
        }, |_| {
            let (present, target, dpl, entry) = if custom { (present, target, dpl, entry) } else { (true, 0, 3, 0) };
            let gf = |rule| Expect::fault(vector::GATE_FAULT, rule, 0, pc);
            if !is_brk {
                if !present { return gf(gate_rule::NOT_PRESENT); }
                if cpl as u32 > dpl { return gf(gate_rule::DPL); }
                if target > cpl as u32 { return gf(gate_rule::OUTWARD); }
                if entry % 4 != 0 { return gf(gate_rule::BAD_ENTRY); }
            }
            Expect::Fault {
                vector: v,
                cause: v as u32,
                faddr: 0,
                frame_pc: wrap(u(pc) + 4),
                cycles: 1 + isa_spec::cost::EXCEPTION_ENTRY as u64,
                target: target as u8,
            }
        })?;
    }
}

/// A gate descriptor: present, target, DPL, params, entry (aligned 19 times in 20).
fn gate_descriptor() -> impl Strategy<Value = (bool, u32, u32, u32, u32)> {
    (
        prop::bool::weighted(0.85),
        0u32..4,
        0u32..4,
        0u32..4,
        prop_oneof![19 => (0x100u32..0x200).prop_map(|w| w * 4), 1 => 0x400u32..0x800],
    )
}

/// Where a generated load, store or cas goes.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Byte `off` of a 16-byte block of random bytes at a 16-aligned RAM address.
    Ram(u32, u32),
    /// Byte `off` of a 16-byte block of random bytes in the boot ROM.
    Rom(u32, u32),
    /// Other RAM.
    Zero(u32),
    /// The PIC's ENABLE register, plus a byte offset.
    Mmio(u32),
    /// Unmapped physical space.
    Unmapped(u32),
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        8 => ((0x6000u32 / 16)..(0x7_0000 / 16), 0u32..16).prop_map(|(b, o)| Target::Ram(b * 16, o)),
        2 => ((0xFFF0_0000u32 / 16)..=(u32::MAX / 16), 0u32..16).prop_map(|(b, o)| Target::Rom(b * 16, o)),
        1 => (0x7_0000u32..RAM - 4).prop_map(Target::Zero),
        2 => (0u32..4).prop_map(Target::Mmio),
        2 => prop_oneof![RAM..0xF000_0000u32, 0xF200_0000u32..0xFFF0_0000].prop_map(Target::Unmapped),
    ]
}

impl Target {
    /// Does the 16-byte block at `b` overlap the instruction word at `pc`?
    fn covers(b: u32, pc: u32) -> bool {
        (b as u64) < pc as u64 + 4 && (pc as u64) < b as u64 + 16
    }

    /// The address and, for blocks, the block to fill with random bytes.
    fn resolve(self) -> (u32, Option<u32>) {
        match self {
            Target::Ram(b, o) | Target::Rom(b, o) => (b + o, Some(b)),
            Target::Zero(a) | Target::Unmapped(a) => (a, None),
            Target::Mmio(o) => (memmap::PIC + 4 + o, None),
        }
    }
}

/// What lies at a physical address (paging is off in these cases).
enum Region {
    /// RAM or boot ROM: the bytes there.
    Mem,
    /// A device register.
    Mmio,
    /// Nothing.
    Unmapped,
}

fn region(a: u32) -> Region {
    if !(RAM..memmap::ROM_BASE).contains(&a) {
        Region::Mem
    } else if (memmap::MMIO_BASE..memmap::MMIO_END).contains(&a) {
        Region::Mmio
    } else {
        Region::Unmapped
    }
}

/// The `n` bytes of RAM/ROM at `a`, as the machine holds them before the step.
fn mem_bytes(m: &Machine, a: u32, n: usize) -> Vec<u8> {
    (0..n as u32)
        .map(|i| m.peek_phys(a + i, 1).expect("RAM or ROM") as u8)
        .collect()
}

/// Sets register `rs1` so that `rs1 + sext(imm)` = `va` (r0 cannot be set: then the address is
/// simply `sext(imm)`).
fn with_base(mut regs: [u32; 32], rs1: u8, va: u32, imm: i32) -> [u32; 32] {
    regs[rs1 as usize] = wrap(u(va) - sext16(imm));
    regs[0] = 0;
    regs
}
