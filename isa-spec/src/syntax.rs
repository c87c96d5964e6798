//! The operand syntax of each instruction format, written once: SPEC.md's summary table, the
//! assembler's messages and its operand count all read it from here.

use crate::Format;

impl Format {
    /// The operands as written in assembly, with their field names: `rd, simm16(rs1)` for a
    /// load, `cr, rs1` for `mtcr`; empty for a format without operands.
    pub const fn syntax(self) -> &'static str {
        match self {
            Format::R => "rd, rs1, rs2",
            Format::I => "rd, rs1, simm16",
            Format::Iu => "rd, rs1, uimm16",
            Format::Sh => "rd, rs1, shamt5",
            Format::U => "rd, uimm16",
            Format::Load => "rd, simm16(rs1)",
            Format::Store => "rs2, simm16(rs1)",
            Format::B => "rs1, rs2, target",
            Format::J => "rd, target",
            Format::Cas => "rd, rs2, (rs1)",
            Format::Gate => "gate16",
            Format::Vec => "vector6",
            Format::R1 => "rs1",
            Format::Mfcr => "rd, cr",
            Format::Mtcr => "cr, rs1",
            Format::N => "",
        }
    }

    /// [`Format::syntax`] with each field name (`rd`, `simm16`, `cr`, ...) replaced by
    /// `value(name)`; the punctuation between fields is kept.
    pub fn fill_syntax(self, mut value: impl FnMut(&str) -> String) -> String {
        let s = self.syntax();
        let mut out = String::with_capacity(s.len() + 8);
        let mut rest = s;
        while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
            out.push_str(&rest[..start]);
            let len = rest[start..]
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len() - start);
            out.push_str(&value(&rest[start..start + len]));
            rest = &rest[start + len..];
        }
        out.push_str(rest);
        out
    }

    /// How many comma-separated operands the format takes (a memory operand `simm16(rs1)` is
    /// one): the operands of [`Format::syntax`].
    pub fn operand_count(self) -> usize {
        let s = self.syntax();
        if s.is_empty() {
            0
        } else {
            s.split(", ").count()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::OPS;

    /// The counts the assembler checked against before they were derived from the syntax.
    #[test]
    fn operand_counts() {
        for o in OPS {
            use crate::Format::*;
            let want = match o.format {
                R | I | Iu | Sh | B | Cas => 3,
                U | Load | Store | J | Mfcr | Mtcr => 2,
                Gate | Vec | R1 => 1,
                N => 0,
            };
            assert_eq!(o.format.operand_count(), want, "{}", o.mnemonic);
        }
    }
}
