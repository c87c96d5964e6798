//! Pseudo-instructions: the aliases of `isa_spec::alias` and the assembler's own (`li`, `la`,
//! `not`, `subi`, swapped-operand branches), expanded to real instructions.

use super::*;

impl Assembler {
    /// Expands pseudo-instruction `m` with operands `ops` into real instructions: an alias from
    /// `isa_spec::alias`, or one of [`OWN_PSEUDOS`] (`li` picks the shortest form for a known
    /// value, else the two-instruction form). Errors: as for the instructions it expands to.
    pub(super) fn pseudo(
        &mut self,
        ctx: &Rc<LineCtx>,
        m: &str,
        ops: &[&[Token]],
        _end: usize,
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        let alias = isa_spec::alias::ALIASES.iter().find(|a| a.name == m);
        let (n, syn) = match m {
            "li" => (2, "rd, value".to_string()),
            "la" => (2, "rd, symbol".to_string()),
            "not" => (2, "rd, rs".to_string()),
            "bgt" | "ble" | "bgtu" | "bleu" => (3, "rs, rt, target".to_string()),
            "subi" => (3, "rd, rs, imm".to_string()),
            _ => alias.map_or((0, String::new()), |a| (a.args.len(), a.syntax())),
        };
        if ops.len() != n {
            return Err((
                hspan,
                format!(
                    "`{m}` expects {n} operand{} ({syn}), found {}",
                    if n == 1 { "" } else { "s" },
                    ops.len()
                ),
            ));
        }
        let i3 = |op: Opcode, rd: u8, rs1: u8, rs2: u8, imm: i32| Insn {
            op,
            rd,
            rs1,
            rs2,
            imm,
        };
        let reg = |s: &Self, i: usize| s.reg(ctx, ops[i], op_end(i));
        let target = |s: &Self, i: usize| -> Result<(Expr, Span, bool), PErr> {
            let e = s.imm_operand(ctx, ops[i], op_end(i))?;
            Ok((e, span_of(ops[i], op_end(i)), true))
        };
        use Opcode::*;
        match m {
            "not" => {
                let (rd, rs) = (reg(self, 0)?, reg(self, 1)?);
                self.emit_insn(ctx, i3(Sub, rd, 0, rs, 0), None, hspan)?;
                self.emit_insn(ctx, i3(Addi, rd, rd, 0, -1), None, hspan)
            }
            "subi" => {
                let (rd, rs) = (reg(self, 0)?, reg(self, 1)?);
                let e = self.imm_operand(ctx, ops[2], op_end(2))?;
                let neg = Expr::Un(Un::Neg, Box::new(e));
                self.emit_insn(
                    ctx,
                    i3(Addi, rd, rs, 0, 0),
                    Some((neg, span_of(ops[2], op_end(2)), false)),
                    hspan,
                )
            }
            "bgt" | "ble" | "bgtu" | "bleu" => {
                let (rs, rt) = (reg(self, 0)?, reg(self, 1)?);
                let t = target(self, 2)?;
                let op = match m {
                    "bgt" => Blt,
                    "ble" => Bge,
                    "bgtu" => Bltu,
                    _ => Bgeu,
                };
                self.emit_insn(ctx, i3(op, 0, rt, rs, 0), Some(t), hspan)
            }
            "li" | "la" => {
                let rd = reg(self, 0)?;
                let e = self.imm_operand(ctx, ops[1], op_end(1))?;
                let sp = span_of(ops[1], op_end(1));
                let known = if m == "li" {
                    match self.eval1(&e) {
                        Ok(Val { sec: None, v }) => Some(v),
                        Ok(_) | Err(EvalErr::Unknown) => None,
                        Err(EvalErr::Error(s, msg)) => {
                            self.emit(ctx, hspan, &[0; 8]);
                            return Err((s, msg));
                        }
                        Err(EvalErr::Reported) => return Ok(()),
                    }
                } else {
                    None
                };
                if let Some(v) = known {
                    if let Some(insn) = li_single(rd, v) {
                        return self.emit_insn(ctx, insn, None, hspan);
                    }
                }
                let hi = Expr::Un(Un::Upper, Box::new(e.clone()));
                let lo = Expr::Un(Un::Lower, Box::new(e));
                self.emit_insn(ctx, i3(Lui, rd, 0, 0, 0), Some((hi, sp, false)), hspan)?;
                self.emit_insn(ctx, i3(Ori, rd, rd, 0, 0), Some((lo, sp, false)), hspan)
            }
            _ => Err((hspan, format!("unknown instruction `{m}`"))),
        }
    }
}

/// Pseudo-instructions other than the aliases of `isa_spec::alias` (which expand from that
/// table): several instructions, or a choice among them.
pub(super) const OWN_PSEUDOS: [&str; 8] = ["li", "la", "not", "subi", "bgt", "ble", "bgtu", "bleu"];

/// Whether `m` names a pseudo-instruction (an alias or one of [`OWN_PSEUDOS`]).
pub(super) fn is_pseudo(m: &str) -> bool {
    OWN_PSEUDOS.contains(&m) || isa_spec::alias::ALIASES.iter().any(|a| a.name == m)
}

/// The one-instruction form of `li rd, v`, if there is one (the table's, which the
/// disassembler prints `li` from).
pub(crate) fn li_single(rd: u8, v: u32) -> Option<Insn> {
    isa_spec::alias::li_single(rd, v)
}
