//! Aliases: the one-instruction pseudo-instructions (`nop`, `mv`, `j`, `ret`, `beqz`, ...) and
//! `li`'s one-instruction forms. The assembler expands these names from this table and the
//! disassembler prints them from it, so the two cannot drift apart; a name printed for a word
//! assembles back to that word.

use crate::regs::RA;
use crate::{Insn, Opcode};

/// An operand of an alias, in the order it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A register, in the `rd` field.
    Rd,
    /// A register, in the `rs1` field.
    Rs1,
    /// A register, in the `rs2` field.
    Rs2,
    /// A branch or jump target address (the immediate is its offset from the instruction).
    Target,
}

impl Arg {
    /// How the operand is named in messages (`rd`, `rs`, `target`).
    pub fn describe(self) -> &'static str {
        match self {
            Arg::Rd => "rd",
            Arg::Rs1 | Arg::Rs2 => "rs",
            Arg::Target => "target",
        }
    }
}

/// One alias: a name for an instruction with some fields fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alias {
    /// The name written instead of the instruction's mnemonic.
    pub name: &'static str,
    /// The instruction.
    pub op: Opcode,
    /// The operands written, in order.
    pub args: &'static [Arg],
    /// `rd`, when fixed (else an operand or unused by the format).
    pub rd: Option<u8>,
    /// `rs1`, when fixed.
    pub rs1: Option<u8>,
    /// `rs2`, when fixed.
    pub rs2: Option<u8>,
    /// The immediate, when fixed.
    pub imm: Option<i32>,
}

const fn a(
    name: &'static str,
    op: Opcode,
    args: &'static [Arg],
    rd: Option<u8>,
    rs1: Option<u8>,
    rs2: Option<u8>,
    imm: Option<i32>,
) -> Alias {
    Alias {
        name,
        op,
        args,
        rd,
        rs1,
        rs2,
        imm,
    }
}

const Z: Option<u8> = Some(0);
const N: Option<u8> = None;

/// Every alias. When several fit one instruction, the disassembler prints the first (`nop`
/// before `mv`, `ret` before `jr`, `jal target` before `call`).
pub const ALIASES: &[Alias] = {
    use Arg::*;
    use Opcode::*;
    &[
        a("nop", Addi, &[], Z, Z, N, Some(0)),
        a("mv", Addi, &[Rd, Rs1], N, N, N, Some(0)),
        a("neg", Sub, &[Rd, Rs2], N, Z, N, None),
        a("seqz", Sltiu, &[Rd, Rs1], N, N, N, Some(1)),
        a("snez", Sltu, &[Rd, Rs2], N, Z, N, None),
        a("ret", Jalr, &[], Z, Some(RA), N, Some(0)),
        a("jr", Jalr, &[Rs1], Z, N, N, Some(0)),
        a("jalr", Jalr, &[Rs1], Some(RA), N, N, Some(0)),
        a("j", Jal, &[Target], Z, N, N, None),
        a("jal", Jal, &[Target], Some(RA), N, N, None),
        a("call", Jal, &[Target], Some(RA), N, N, None),
        a("beqz", Beq, &[Rs1, Target], N, N, Z, None),
        a("bnez", Bne, &[Rs1, Target], N, N, Z, None),
        a("bltz", Blt, &[Rs1, Target], N, N, Z, None),
        a("bgez", Bge, &[Rs1, Target], N, N, Z, None),
        a("blez", Bge, &[Rs2, Target], N, Z, N, None),
        a("bgtz", Blt, &[Rs2, Target], N, Z, N, None),
    ]
};

impl Alias {
    /// True when `insn` is this alias (its opcode and every fixed field match).
    pub fn matches(&self, insn: &Insn) -> bool {
        let fixed = |f: Option<u8>, v: u8| f.is_none_or(|f| f == v);
        insn.op == self.op
            && fixed(self.rd, insn.rd)
            && fixed(self.rs1, insn.rs1)
            && fixed(self.rs2, insn.rs2)
            && self.imm.is_none_or(|i| i == insn.imm)
    }

    /// The instruction with the fixed fields set and the operand fields zero.
    pub fn template(&self) -> Insn {
        Insn {
            op: self.op,
            rd: self.rd.unwrap_or(0),
            rs1: self.rs1.unwrap_or(0),
            rs2: self.rs2.unwrap_or(0),
            imm: self.imm.unwrap_or(0),
        }
    }

    /// The operands' syntax for messages: `rd, rs`, `rs, target`, or `no operands`.
    pub fn syntax(&self) -> String {
        if self.args.is_empty() {
            return "no operands".into();
        }
        let v: Vec<&str> = self.args.iter().map(|a| a.describe()).collect();
        v.join(", ")
    }
}

/// The alias `name` written with `nargs` operands, if there is one (`jal target` is an alias,
/// `jal rd, target` the instruction).
pub fn find(name: &str, nargs: usize) -> Option<&'static Alias> {
    ALIASES
        .iter()
        .find(|a| a.name == name && a.args.len() == nargs)
}

/// The alias the disassembler prints for `insn`, if any.
pub fn alias_of(insn: &Insn) -> Option<&'static Alias> {
    ALIASES.iter().find(|a| a.matches(insn))
}

/// The one instruction that `li rd, value` assembles to, when one is enough: `addi rd, zero,
/// v` (-32768..32767), else `lui rd, v >> 16` (low half zero), else `ori rd, zero, v`
/// (0..65535); `None` when `li` needs `lui` + `ori`.
pub fn li_single(rd: u8, v: u32) -> Option<Insn> {
    let s = v as i32;
    let mk = |op, imm| Insn {
        op,
        rd,
        rs1: 0,
        rs2: 0,
        imm,
    };
    if (-32768..=32767).contains(&s) {
        Some(mk(Opcode::Addi, s))
    } else if v & 0xffff == 0 {
        Some(mk(Opcode::Lui, (v >> 16) as i32))
    } else if v <= 0xffff {
        Some(mk(Opcode::Ori, v as i32))
    } else {
        None
    }
}

/// The value of `li` that assembles to exactly `insn`, for the forms objdump prints as `li`
/// (`addi rd, zero, v` and `ori rd, zero, v`; `lui` stays `lui`).
pub fn li_value(insn: &Insn) -> Option<u32> {
    if insn.rs1 != 0 || !matches!(insn.op, Opcode::Addi | Opcode::Ori) {
        return None;
    }
    let v = insn.imm as u32;
    (li_single(insn.rd, v) == Some(*insn)).then_some(v)
}
