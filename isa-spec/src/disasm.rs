//! Disassembly, in the syntax the assembler reads back (a fixed point: assemble, disassemble,
//! assemble gives the same words). Branch and jump targets print as absolute addresses; a
//! symbol, when one is known, follows as a `#` comment.
//!
//! Like objdump, instructions print as their alias where one is exact (`nop`, `li`, `mv`, `j`,
//! `ret`, `beqz`, ... from [`crate::alias`]); the `_raw` functions print the instruction itself.

use crate::alias::{alias_of, li_value, Arg};
use crate::cr::CR_NAMES;
use crate::regs::reg_name;
use crate::Insn;

/// Disassembles `insn` located at `pc`, printing aliases.
pub fn disasm(insn: &Insn, pc: u32) -> String {
    disasm_with(insn, pc, &|_| None)
}

/// Disassembles `insn` located at `pc` without aliases (`addi zero, zero, 0`, not `nop`).
pub fn disasm_raw(insn: &Insn, pc: u32) -> String {
    disasm_raw_with(insn, pc, &|_| None)
}

/// The text of a branch or jump target: its address, and its symbol as a comment.
fn target_text(pc: u32, off: i32, symbolize: &dyn Fn(u32) -> Option<String>) -> String {
    let t = pc.wrapping_add(off as u32);
    match symbolize(t) {
        Some(s) => format!("{t:#x}  # <{s}>"),
        None => format!("{t:#x}"),
    }
}

/// Disassembles `insn` located at `pc`, printing aliases and naming branch targets with
/// `symbolize` (which returns e.g. `loop+8` for an address).
pub fn disasm_with(insn: &Insn, pc: u32, symbolize: &dyn Fn(u32) -> Option<String>) -> String {
    let alias = alias_of(insn);
    // objdump's choice: `li` for a constant load (`addi a0, zero, 0` too), but `nop` is `nop`.
    if alias.is_none_or(|a| a.name != "nop") {
        if let Some(v) = li_value(insn) {
            let rd = reg_name(insn.rd);
            return if insn.op == crate::Opcode::Ori {
                format!("li {rd}, {v:#x}")
            } else {
                format!("li {rd}, {}", v as i32)
            };
        }
    }
    let Some(a) = alias else {
        return disasm_raw_with(insn, pc, symbolize);
    };
    let args: Vec<String> = a
        .args
        .iter()
        .map(|arg| match arg {
            Arg::Rd => reg_name(insn.rd).to_string(),
            Arg::Rs1 => reg_name(insn.rs1).to_string(),
            Arg::Rs2 => reg_name(insn.rs2).to_string(),
            Arg::Target => target_text(pc, insn.imm, symbolize),
        })
        .collect();
    if args.is_empty() {
        a.name.to_string()
    } else {
        format!("{} {}", a.name, args.join(", "))
    }
}

/// Disassembles `insn` located at `pc` without aliases, naming branch targets with
/// `symbolize`.
pub fn disasm_raw_with(insn: &Insn, pc: u32, symbolize: &dyn Fn(u32) -> Option<String>) -> String {
    let info = insn.op.info();
    let m = info.mnemonic;
    let target = |off: i32| target_text(pc, off, symbolize);
    // The operands are the format's syntax with each field replaced by its value.
    let ops = info.format.fill_syntax(|field| match field {
        "rd" => reg_name(insn.rd).to_string(),
        "rs1" => reg_name(insn.rs1).to_string(),
        "rs2" => reg_name(insn.rs2).to_string(),
        "uimm16" => format!("{:#x}", insn.imm),
        "target" => target(insn.imm),
        "cr" => CR_NAMES[insn.imm as usize].to_string(),
        // simm16, shamt5, gate16, vector6: the number.
        _ => insn.imm.to_string(),
    });
    if ops.is_empty() {
        m.to_string()
    } else {
        format!("{m} {ops}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode, Opcode};

    #[test]
    fn samples() {
        let w = |op, rd, rs1, rs2, imm| {
            decode(
                encode(&Insn {
                    op,
                    rd,
                    rs1,
                    rs2,
                    imm,
                })
                .unwrap(),
            )
            .unwrap()
        };
        assert_eq!(disasm(&w(Opcode::Add, 10, 11, 12, 0), 0), "add a0, a1, a2");
        assert_eq!(disasm(&w(Opcode::Lw, 5, 2, 0, -8), 0), "lw t0, -8(sp)");
        assert_eq!(disasm(&w(Opcode::Sw, 0, 2, 1, 12), 0), "sw ra, 12(sp)");
        assert_eq!(
            disasm_raw(&w(Opcode::Beq, 0, 10, 0, -8), 0x100),
            "beq a0, zero, 0xf8"
        );
        assert_eq!(
            disasm(&w(Opcode::Beq, 0, 10, 0, -8), 0x100),
            "beqz a0, 0xf8"
        );
        assert_eq!(disasm(&w(Opcode::Addi, 0, 0, 0, 0), 0), "nop");
        assert_eq!(disasm(&w(Opcode::Addi, 10, 0, 0, 0), 0), "li a0, 0");
        assert_eq!(disasm(&w(Opcode::Addi, 10, 0, 0, -5), 0), "li a0, -5");
        assert_eq!(
            disasm(&w(Opcode::Ori, 10, 0, 0, 0x8000), 0),
            "li a0, 0x8000"
        );
        assert_eq!(disasm(&w(Opcode::Ori, 10, 0, 0, 5), 0), "ori a0, zero, 0x5");
        assert_eq!(disasm(&w(Opcode::Addi, 10, 11, 0, 0), 0), "mv a0, a1");
        assert_eq!(disasm(&w(Opcode::Jalr, 0, 1, 0, 0), 0), "ret");
        assert_eq!(disasm(&w(Opcode::Jalr, 0, 5, 0, 0), 0), "jr t0");
        assert_eq!(disasm(&w(Opcode::Jalr, 0, 5, 0, 4), 0), "jalr zero, 4(t0)");
        assert_eq!(disasm(&w(Opcode::Jal, 0, 0, 0, 8), 0), "j 0x8");
        assert_eq!(disasm(&w(Opcode::Mtcr, 0, 5, 0, 4), 0), "mtcr ptbase, t0");
        assert_eq!(
            disasm_with(&w(Opcode::Jal, 1, 0, 0, 16), 0x40, &|a| Some(format!(
                "f{a:x}"
            ))),
            "jal 0x50  # <f50>"
        );
    }
}
