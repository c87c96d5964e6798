//! Instructions: operands (registers, control registers, memory, immediates) checked against
//! the format's syntax, encoded now or left as fixups.

use super::*;

impl Assembler {
    /// Operand `op` as a general register number. Error: anything else (naming what was found).
    pub(super) fn reg(&self, ctx: &LineCtx, op: &[Token], end: usize) -> Result<u8, PErr> {
        if let [t] = op {
            if let Some(r) = t.ident().and_then(isa_spec::regs::parse_reg) {
                return Ok(r);
            }
        }
        let (span, found) = match op {
            [] => ((end, end), "nothing".to_string()),
            _ => {
                let sp = span_of(op, end);
                (sp, format!("`{}`", &ctx.text[sp.0..sp.1]))
            }
        };
        Err((
            span,
            format!("expected a register (r0..r31 or an ABI name like a0), found {found}"),
        ))
    }

    /// Operand `op` as a control register number. Error: anything else, with the list of names.
    pub(super) fn cr(&self, ctx: &LineCtx, op: &[Token], end: usize) -> Result<u8, PErr> {
        if let [t] = op {
            if let Some(r) = t.ident().and_then(isa_spec::cr::parse_cr) {
                return Ok(r);
            }
        }
        let sp = span_of(op, end);
        Err((
            sp,
            format!(
                "expected a control register ({}, or crN), found `{}`",
                isa_spec::cr::CR_NAMES.join(", "),
                &ctx.text[sp.0..sp.1.max(sp.0)]
            ),
        ))
    }

    /// `offset(reg)`, `(reg)`.
    pub(super) fn mem(
        &self,
        ctx: &LineCtx,
        op: &[Token],
        end: usize,
    ) -> Result<(Option<Expr>, u8, Span), PErr> {
        let n = op.len();
        if n >= 3 && op[n - 1].is_p(")") && op[n - 3].is_p("(") {
            if let Some(r) = op[n - 2].ident().and_then(isa_spec::regs::parse_reg) {
                let off_toks = &op[..n - 3];
                if off_toks.is_empty() {
                    return Ok((None, r, span_of(op, end)));
                }
                let e = self.imm_operand(ctx, off_toks, op[n - 3].start)?;
                return Ok((Some(e), r, span_of(off_toks, end)));
            }
            let t = &op[n - 2];
            return Err((
                (t.start, t.end),
                format!(
                    "expected a base register inside the parentheses, found `{}`",
                    &ctx.text[t.start..t.end]
                ),
            ));
        }
        let sp = span_of(op, end);
        let found = &ctx.text[sp.0..sp.1.max(sp.0)];
        let hint = match op {
            [t] if t.ident().and_then(isa_spec::regs::parse_reg).is_some() => {
                format!(" (write `0({found})`)")
            }
            _ => String::new(),
        };
        Err((
            sp,
            format!("expected a memory operand like `8(sp)` or `(a0)`, found `{found}`{hint}"),
        ))
    }

    /// Assembles one instruction statement `name` with operand tokens `rest` (up to byte `end`):
    /// a pseudo-instruction, an alias, or a real instruction. Errors: unknown mnemonic (with a
    /// suggestion), wrong operand count or kinds (with the format's syntax), values out of range.
    pub(super) fn instruction(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        hspan: Span,
        rest: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let m = name.to_ascii_lowercase();
        let ops = split_operands(rest, end)?;
        let op_end = |i: usize| -> usize {
            ops.get(i + 1)
                .and_then(|o| o.first())
                .map(|t| t.start.saturating_sub(1))
                .unwrap_or(end)
        };
        // Aliases (`nop`, `mv`, `j`, ... and the short forms `jal target`, `jalr rs`): one
        // instruction with some fields fixed, from the table the disassembler prints from.
        if let Some(a) = isa_spec::alias::find(&m, ops.len()) {
            return self.alias_insn(ctx, a, &ops, hspan, &op_end);
        }
        let found = match self.mnemonics.get(&m) {
            Some(op) => *op,
            None => {
                let op = Opcode::from_mnemonic(&m);
                if self.mnemonics.len() < 4096 {
                    self.mnemonics.insert(m.clone(), op);
                }
                op
            }
        };
        if let Some(op) = found {
            let f = op.info().format;
            // `lw rd, symbol` and `sw rs, symbol, rt`: the GNU as forms for a global.
            let kind = op.info().kind;
            let symbolic = |o: &[Token]| {
                let n = o.len();
                let mem = n >= 3 && o[n - 1].is_p(")") && o[n - 3].is_p("(");
                let reg =
                    matches!(o, [t] if t.ident().and_then(isa_spec::regs::parse_reg).is_some());
                !mem && !reg
            };
            if (kind == Kind::Load && ops.len() == 2 && symbolic(ops[1]))
                || (kind == Kind::Store && ops.len() == 3)
            {
                return self.symbol_access(ctx, op, &ops, hspan, &op_end);
            }
            if ops.len() != f.operand_count() {
                let sp = if ops.is_empty() {
                    hspan
                } else {
                    (span_of(ops[0], end).0, end)
                };
                return Err((
                    sp,
                    format!(
                        "`{m}` expects {} operand{} ({}), found {}",
                        f.operand_count(),
                        if f.operand_count() == 1 { "" } else { "s" },
                        if f == Format::N {
                            "no operands"
                        } else {
                            f.syntax()
                        },
                        ops.len()
                    ),
                ));
            }
            return self.real_insn(ctx, op, &ops, end, hspan, &op_end);
        }
        if is_pseudo(&m) {
            return self.pseudo(ctx, &m, &ops, end, hspan, &op_end);
        }
        let mut names: Vec<&str> = OPS.iter().map(|o| o.mnemonic).collect();
        names.extend(OWN_PSEUDOS);
        names.extend(isa_spec::alias::ALIASES.iter().map(|a| a.name));
        let macros: Vec<String> = self.units[self.cur_unit].macros.keys().cloned().collect();
        names.extend(macros.iter().map(|s| s.as_str()));
        let best = names
            .iter()
            .map(|k| (edit_distance(&m, k), *k))
            .min()
            .filter(|(d, _)| *d <= 2)
            .map(|(_, k)| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        let colon = if rest.is_empty() {
            format!("; a label needs a colon: `{name}:`")
        } else {
            String::new()
        };
        Err((hspan, format!("unknown instruction `{name}`{best}{colon}")))
    }

    /// An alias: its table entry's instruction with the written operands filled in.
    pub(super) fn alias_insn(
        &mut self,
        ctx: &Rc<LineCtx>,
        a: &isa_spec::alias::Alias,
        ops: &[&[Token]],
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        use isa_spec::alias::Arg;
        let mut insn = a.template();
        let mut imm = None;
        for (i, arg) in a.args.iter().enumerate() {
            match arg {
                Arg::Rd => insn.rd = self.reg(ctx, ops[i], op_end(i))?,
                Arg::Rs1 => insn.rs1 = self.reg(ctx, ops[i], op_end(i))?,
                Arg::Rs2 => insn.rs2 = self.reg(ctx, ops[i], op_end(i))?,
                Arg::Target => {
                    let e = self.imm_operand(ctx, ops[i], op_end(i))?;
                    imm = Some((e, span_of(ops[i], op_end(i)), true));
                }
            }
        }
        self.emit_insn(ctx, insn, imm, hspan)
    }

    /// `lw rd, sym` = `lui rd, %hi(sym)` + `lw rd, %lo(sym)(rd)`; `sw rs, sym, rt` =
    /// `lui rt, %hi(sym)` + `sw rs, %lo(sym)(rt)` (likewise for every load and store).
    pub(super) fn symbol_access(
        &mut self,
        ctx: &Rc<LineCtx>,
        op: Opcode,
        ops: &[&[Token]],
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        let load = op.info().kind == Kind::Load;
        let r = self.reg(ctx, ops[0], op_end(0))?;
        // A load forms the address in its destination; a store needs a register named.
        let t = if load { 0 } else { 2 };
        let tmp = if load {
            r
        } else {
            self.reg(ctx, ops[2], op_end(2))?
        };
        if tmp == 0 {
            return Err((
                span_of(ops[t], op_end(t)),
                format!(
                    "`{} {}` forms the address in {}: it cannot be `zero`",
                    op.mnemonic(),
                    if load { "rd, symbol" } else { "rs, symbol, rt" },
                    if load { "rd" } else { "rt" }
                ),
            ));
        }
        let e = self.imm_operand(ctx, ops[1], op_end(1))?;
        let sp = span_of(ops[1], op_end(1));
        let hi = Expr::Un(Un::Hi, Box::new(e.clone()));
        let lo = Expr::Un(Un::Lo, Box::new(e));
        let mut lui = Insn::new(Opcode::Lui);
        lui.rd = tmp;
        self.emit_insn(ctx, lui, Some((hi, sp, false)), hspan)?;
        let mut insn = Insn::new(op);
        if load {
            insn.rd = r;
        } else {
            insn.rs2 = r;
        }
        insn.rs1 = tmp;
        self.emit_insn(ctx, insn, Some((lo, sp, false)), hspan)
    }

    /// Assembles real instruction `op` from split operands `ops` per its format: registers, control
    /// registers and memory operands now, immediates now or as a fixup. Errors: wrong operand
    /// kinds, constants out of range.
    pub(super) fn real_insn(
        &mut self,
        ctx: &Rc<LineCtx>,
        op: Opcode,
        ops: &[&[Token]],
        _end: usize,
        hspan: Span,
        op_end: &dyn Fn(usize) -> usize,
    ) -> Result<(), PErr> {
        let mut insn = Insn::new(op);
        let mut imm: Option<(Expr, Span, bool)> = None;
        let expr_at = |s: &Self, i: usize, pcrel: bool| -> Result<(Expr, Span, bool), PErr> {
            let e = s.imm_operand(ctx, ops[i], op_end(i))?;
            Ok((e, span_of(ops[i], op_end(i)), pcrel))
        };
        match op.info().format {
            Format::R => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs1 = self.reg(ctx, ops[1], op_end(1))?;
                insn.rs2 = self.reg(ctx, ops[2], op_end(2))?;
            }
            Format::I | Format::Iu | Format::Sh => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs1 = self.reg(ctx, ops[1], op_end(1))?;
                imm = Some(expr_at(self, 2, false)?);
            }
            Format::U => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                imm = Some(expr_at(self, 1, false)?);
            }
            Format::Load | Format::Store => {
                let r = self.reg(ctx, ops[0], op_end(0))?;
                if op.info().format == Format::Load {
                    insn.rd = r;
                } else {
                    insn.rs2 = r;
                }
                let (off, base, sp) = self.mem(ctx, ops[1], op_end(1))?;
                insn.rs1 = base;
                imm = off.map(|e| (e, sp, false));
            }
            Format::B => {
                insn.rs1 = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs2 = self.reg(ctx, ops[1], op_end(1))?;
                imm = Some(expr_at(self, 2, true)?);
            }
            Format::J => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                imm = Some(expr_at(self, 1, true)?);
            }
            Format::Cas => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.rs2 = self.reg(ctx, ops[1], op_end(1))?;
                let (off, base, sp) = self.mem(ctx, ops[2], op_end(2))?;
                if off.is_some() {
                    return Err((sp, "`cas` takes no offset: write `(rs1)`".into()));
                }
                insn.rs1 = base;
            }
            Format::Gate | Format::Vec => imm = Some(expr_at(self, 0, false)?),
            Format::R1 => insn.rs1 = self.reg(ctx, ops[0], op_end(0))?,
            Format::Mfcr => {
                insn.rd = self.reg(ctx, ops[0], op_end(0))?;
                insn.imm = self.cr(ctx, ops[1], op_end(1))? as i32;
            }
            Format::Mtcr => {
                insn.imm = self.cr(ctx, ops[0], op_end(0))? as i32;
                insn.rs1 = self.reg(ctx, ops[1], op_end(1))?;
            }
            Format::N => {}
        }
        self.emit_insn(ctx, insn, imm, hspan)
    }

    /// Emits one instruction whose immediate may be an expression (pc-relative for branches).
    pub(super) fn emit_insn(
        &mut self,
        ctx: &Rc<LineCtx>,
        mut insn: Insn,
        imm: Option<(Expr, Span, bool)>,
        hspan: Span,
    ) -> Result<(), PErr> {
        let pc = self.dot();
        let mut fix = None;
        if let Some((e, span, pcrel)) = imm {
            match self.eval1(&e) {
                Ok(v) => {
                    let x = if pcrel {
                        match (v.sec, pc.sec) {
                            (Some(a), Some(b)) if a == b => Some(v.v.wrapping_sub(pc.v)),
                            _ => None,
                        }
                    } else {
                        v.sec.is_none().then_some(v.v)
                    };
                    match x {
                        Some(x) => insn.imm = x as i32,
                        None => fix = Some((e, span, pcrel)),
                    }
                }
                Err(EvalErr::Unknown) => fix = Some((e, span, pcrel)),
                Err(EvalErr::Error(s, m)) => {
                    self.emit(ctx, hspan, &[0; 4]);
                    return Err((s, m));
                }
                Err(EvalErr::Reported) => {
                    self.emit(ctx, hspan, &[0; 4]);
                    return Ok(());
                }
            }
            if fix.is_none() {
                match encode(&insn) {
                    Ok(w) => {
                        if let Some(off) = self.emit(ctx, hspan, &w.to_le_bytes()) {
                            self.note_line(ctx, off);
                        }
                        return Ok(());
                    }
                    Err(err) => {
                        self.emit(ctx, hspan, &[0; 4]);
                        return Err((span, encode_message(insn.op, &err, pcrel)));
                    }
                }
            }
        }
        let Some((e, span, pcrel)) = fix else {
            let w = encode(&insn).map_err(|err| (hspan, encode_message(insn.op, &err, false)))?;
            if let Some(off) = self.emit(ctx, hspan, &w.to_le_bytes()) {
                self.note_line(ctx, off);
            }
            return Ok(());
        };
        let dot = (self.cur_sec, self.cur_off());
        if let Some(off) = self.emit(ctx, hspan, &[0; 4]) {
            self.note_line(ctx, off);
            self.fixups.push(Fixup {
                sec: self.cur_sec,
                off,
                unit: self.cur_unit,
                dot,
                expr: e,
                kind: FixKind::Insn(insn, pcrel),
                ctx: ctx.clone(),
                span,
                seq: self.seq,
            });
        }
        Ok(())
    }
}

/// The message for an encoding failure of `op` (`pcrel`: the immediate is a branch or jump
/// distance), saying the range that fits.
pub(super) fn encode_message(op: Opcode, err: &EncodeError, pcrel: bool) -> String {
    let m = op.mnemonic();
    match err {
        EncodeError::ImmOutOfRange { value, min, max } if pcrel => format!(
            "target is out of range for `{m}`: it is {value} bytes away, the reach is {min}..{max} bytes"
        ),
        EncodeError::ImmOutOfRange { value, min, max } => format!(
            "immediate {value} ({:#x}) is out of range for `{m}`: expected {min}..{max}{}",
            *value as u32,
            if *min == 0 && *max == 65535 {
                " (an unsigned 16-bit value)"
            } else if *min == -32768 {
                " (a signed 16-bit value; use `li` for larger constants)"
            } else {
                ""
            }
        ),
        EncodeError::MisalignedOffset(o) => format!(
            "target of `{m}` is not 4-byte aligned (it is {o} bytes from this instruction)"
        ),
        EncodeError::BadRegister(r) => format!("register r{r} does not exist (r0..r31)"),
    }
}
