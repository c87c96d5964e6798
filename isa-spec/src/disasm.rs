//! Disassembly, in the syntax the assembler reads back (a fixed point: assemble, disassemble,
//! assemble gives the same words). Branch and jump targets print as absolute addresses; a
//! symbol, when one is known, follows as a `#` comment.

use crate::cr::CR_NAMES;
use crate::regs::reg_name;
use crate::{Format, Insn};

/// Disassembles `insn` located at `pc`.
pub fn disasm(insn: &Insn, pc: u32) -> String {
    disasm_with(insn, pc, &|_| None)
}

/// Disassembles `insn` located at `pc`, naming branch targets with `symbolize`
/// (which returns e.g. `loop+8` for an address).
pub fn disasm_with(insn: &Insn, pc: u32, symbolize: &dyn Fn(u32) -> Option<String>) -> String {
    let info = insn.op.info();
    let m = info.mnemonic;
    let (rd, rs1, rs2) = (reg_name(insn.rd), reg_name(insn.rs1), reg_name(insn.rs2));
    let target = |off: i32| {
        let t = pc.wrapping_add(off as u32);
        match symbolize(t) {
            Some(s) => format!("{t:#x}  # <{s}>"),
            None => format!("{t:#x}"),
        }
    };
    match info.format {
        Format::R => format!("{m} {rd}, {rs1}, {rs2}"),
        Format::I | Format::Sh => format!("{m} {rd}, {rs1}, {}", insn.imm),
        Format::Iu => format!("{m} {rd}, {rs1}, {:#x}", insn.imm),
        Format::U => format!("{m} {rd}, {:#x}", insn.imm),
        Format::Load => format!("{m} {rd}, {}({rs1})", insn.imm),
        Format::Store => format!("{m} {rs2}, {}({rs1})", insn.imm),
        Format::B => format!("{m} {rs1}, {rs2}, {}", target(insn.imm)),
        Format::J => format!("{m} {rd}, {}", target(insn.imm)),
        Format::Cas => format!("{m} {rd}, {rs2}, ({rs1})"),
        Format::Gate | Format::Vec => format!("{m} {}", insn.imm),
        Format::R1 => format!("{m} {rs1}"),
        Format::Mfcr => format!("{m} {rd}, {}", CR_NAMES[insn.imm as usize]),
        Format::Mtcr => format!("{m} {}, {rs1}", CR_NAMES[insn.imm as usize]),
        Format::N => m.to_string(),
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
            disasm(&w(Opcode::Beq, 0, 10, 0, -8), 0x100),
            "beq a0, zero, 0xf8"
        );
        assert_eq!(disasm(&w(Opcode::Mtcr, 0, 5, 0, 4), 0), "mtcr ptbase, t0");
        assert_eq!(
            disasm_with(&w(Opcode::Jal, 1, 0, 0, 16), 0x40, &|a| Some(format!(
                "f{a:x}"
            ))),
            "jal ra, 0x50  # <f50>"
        );
    }
}
