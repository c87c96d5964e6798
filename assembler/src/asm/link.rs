//! After pass 1: placing sections, resolving fixups against final symbol values, and building
//! the [`Program`] (segments, symbols, line table, listing).

use super::*;

impl Assembler {
    /// The final value of symbol `name` as seen from `unit` (its own, else the global that owns
    /// it), following `.equ` chains evaluated after layout. `depth` and `cost` bound recursion and
    /// work. Errors: undefined symbol, circular or too deep definitions.
    pub(super) fn resolve_final(
        &mut self,
        unit: usize,
        name: &str,
        span: Span,
        depth: u32,
        cost: u32,
    ) -> Result<u32, EvalErr> {
        // Labels and plain values (nearly every symbol): one lookup.
        let here = self.units[unit].syms.get(name);
        match here.filter(|e| !e.weak).and_then(|e| e.def.as_ref()) {
            Some(Def::Label(s, o)) => return Ok(self.sections[*s as usize].addr.wrapping_add(*o)),
            Some(Def::Value(v)) => return Ok(self.val_abs(*v)),
            _ => {}
        }
        let (defined, weak) = here.map_or((false, false), |e| (e.def.is_some(), e.weak));
        let owner = if defined && !weak {
            unit
        } else {
            // A weak definition gives way to another file's non-weak global.
            match self.global_owner(name) {
                Some(u) if !(defined && self.units[u].syms[name].weak) => u,
                _ if defined => unit,
                // An undefined weak symbol is 0 (as a linker makes it).
                _ if weak => return Ok(0),
                _ => {
                    let what = display_name(name);
                    let hint = if name.contains('\u{1}') {
                        " (no matching numeric label in that direction)".to_string()
                    } else if self
                        .units
                        .iter()
                        .any(|u| u.syms.get(name).is_some_and(|e| e.def.is_some()))
                    {
                        " in this file (it is defined in another file: mark it `.global` there)"
                            .to_string()
                    } else {
                        String::new()
                    };
                    return Err(EvalErr::Error(
                        span,
                        format!("undefined symbol `{what}`{hint}"),
                    ));
                }
            }
        };
        let entry = self.units[owner].syms.get_mut(name).expect("defined");
        match entry.def.clone().expect("defined") {
            Def::Label(s, o) => Ok(self.sections[s as usize].addr.wrapping_add(o)),
            Def::Value(v) => Ok(self.val_abs(v)),
            Def::Deferred(d) => {
                let Later {
                    expr: e,
                    ctx,
                    dot,
                    seq,
                } = *d;
                if let Some(c) = entry.cache {
                    return c.map_err(|_| EvalErr::Reported);
                }
                if entry.resolving || depth > MAX_EQU_DEPTH {
                    return Err(EvalErr::Error(
                        span,
                        format!("`{name}` is defined in terms of itself"),
                    ));
                }
                // Evaluation recurses through each expression and each symbol it names: bound
                // the operators on the whole path, not only the symbols.
                let cost = cost + 1 + e.ops();
                if cost > MAX_EVAL_COST {
                    return Err(EvalErr::Error(
                        span,
                        format!(
                            "`{name}` is defined through more than {MAX_EVAL_COST} operators \
                             in a chain of symbols; compute it in fewer steps"
                        ),
                    ));
                }
                entry.resolving = true;
                let dotv = self.sections[dot.0 as usize].addr.wrapping_add(dot.1);
                let mut env = FinalEnv {
                    asm: self,
                    unit: owner,
                    dot: dotv,
                    depth: depth + 1,
                    cost,
                };
                let r = eval(&e, &mut env);
                let r = match r {
                    Ok(v) => Ok(v.v),
                    Err(EvalErr::Error(s, m)) => {
                        self.error_seq(seq, &ctx, s, m);
                        Err(())
                    }
                    Err(_) => Err(()),
                };
                let entry = self.units[owner].syms.get_mut(name).expect("defined");
                entry.resolving = false;
                entry.cache = Some(r);
                r.map_err(|_| EvalErr::Reported)
            }
        }
    }

    /// A value with a section made absolute with the section's final address.
    pub(super) fn val_abs(&self, v: Val) -> u32 {
        match v.sec {
            Some(s) => self.sections[s as usize].addr.wrapping_add(v.v),
            None => v.v,
        }
    }

    /// The file whose global `name` other files see: a non-weak definition, else a weak one.
    pub(super) fn global_owner(&self, name: &str) -> Option<usize> {
        let def = |weak: bool| {
            self.units.iter().position(|u| {
                u.syms
                    .get(name)
                    .is_some_and(|e| e.global && e.def.is_some() && e.weak == weak)
            })
        };
        def(false).or_else(|| def(true))
    }

    /// Evaluates `e` after layout, in `unit`, with `.` at `dot` (section and offset). Errors: as
    /// [`Assembler::resolve_final`], and the expression's own (division by zero, ...).
    pub(super) fn eval_final(
        &mut self,
        unit: usize,
        dot: (SecId, u32),
        e: &Expr,
    ) -> Result<u32, EvalErr> {
        let dotv = self.sections[dot.0 as usize].addr.wrapping_add(dot.1);
        let mut env = FinalEnv {
            asm: self,
            unit,
            dot: dotv,
            depth: 0,
            cost: e.ops(),
        };
        eval(e, &mut env).map(|v| v.v)
    }

    /// Pass 2: checks what needs the whole program (globals defined twice, `.size` of undefined
    /// symbols), places the sections, patches every fixup with its final value and builds the
    /// [`Program`] (segments, symbols, line table, listing, warnings). Errors: every diagnostic
    /// of both passes, in source order, if any is an error.
    pub(crate) fn finish(mut self) -> Result<Program, Diagnostics> {
        self.check_duplicate_globals();
        let order = self.place_sections();
        self.apply_fixups();
        let (mut locals, globals) = self.collect_symbols();
        self.check_undefined_sizes();
        // The symbol tables (and the lines their definitions keep) are done with: free them
        // before the program's own tables are built.
        self.units = Vec::new();
        let entry_name = self.entry_name.clone();
        let entry = globals
            .iter()
            .chain(locals.iter())
            .find(|s| s.name == entry_name)
            .map(|s| s.value)
            .unwrap_or_else(|| {
                let text = &self.sections[0];
                if text.size > 0 || text.has_syms {
                    text.addr
                } else {
                    self.opts_base
                }
            });
        let warnings = self.take_diagnostics()?;
        let segments = self.build_segments(&order);
        let lines = self.build_lines();
        let listing = self.build_listing(&segments);
        locals.extend(globals);
        Ok(Program {
            segments,
            entry,
            symbols: locals,
            lines,
            listing,
            warnings,
        })
    }

    /// Reports each global defined in two units (at the second definition).
    fn check_duplicate_globals(&mut self) {
        let mut seen: HashMap<String, (usize, Rc<LineCtx>, Span)> = HashMap::new();
        for ui in 0..self.units.len() {
            let mut defs: Vec<(&String, &SymEntry)> = self.units[ui]
                .syms
                .iter()
                .filter(|(_, e)| e.global && !e.weak && e.def.is_some())
                .collect();
            defs.sort_by_key(|(_, e)| e.order);
            let defs: Vec<(String, Rc<LineCtx>, Span)> = defs
                .into_iter()
                .filter_map(|(n, e)| e.def_loc.clone().map(|(c, s)| (n.clone(), c, s)))
                .collect();
            for (name, c, s) in defs {
                if let Some((_, pc, ps)) = seen.get(&name) {
                    let msg = format!(
                        "global symbol `{name}` is defined twice: here and at {}; rename one or drop its `.global`",
                        self.loc_string(pc, *ps)
                    );
                    let seq = self.seq;
                    self.error_seq(seq, &c, s, msg);
                } else {
                    seen.insert(name, (ui, c, s));
                }
            }
        }
    }

    /// Gives each section its address: `.text`, `.rodata`, `.data`, `.bss`, then the others
    /// in order of creation, each after the first on a new page, empty ones skipped. Returns
    /// that order. Error: a section that would end past 4 GiB.
    fn place_sections(&mut self) -> Vec<usize> {
        let mut order: Vec<usize> = Vec::new();
        for std in [".text", ".rodata", ".data", ".bss"] {
            if let Some(&id) = self.sec_by_name.get(std) {
                order.push(id as usize);
            }
        }
        for i in 0..self.sections.len() {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        let mut cursor = self.opts_base as u64;
        let mut first = true;
        for &i in &order {
            let s = &mut self.sections[i];
            if s.size == 0 && !s.has_syms {
                continue;
            }
            if !first {
                cursor = cursor.div_ceil(PAGE) * PAGE;
            }
            first = false;
            s.addr = cursor as u32;
            cursor += s.size as u64;
            if cursor > 1u64 << 32 {
                let name = s.name.clone();
                self.file_error(
                    "<layout>",
                    format!(
                        "section `{name}` would end at {cursor:#x}, past the 4 GiB address space; lower the base address or shrink the program"
                    ),
                );
                break;
            }
        }
        order
    }

    /// Evaluates every fixup with final symbol values and patches it in. Errors: values that
    /// cannot be computed or do not fit.
    fn apply_fixups(&mut self) {
        let fixups = std::mem::take(&mut self.fixups);
        for f in &fixups {
            let v = match self.eval_final(f.unit, f.dot, &f.expr) {
                Ok(v) => v,
                Err(EvalErr::Error(s, m)) => {
                    self.error_seq(f.seq, &f.ctx, s, m);
                    continue;
                }
                Err(_) => continue,
            };
            let bytes = match &f.kind {
                FixKind::Data(size) => match encode_data(v, *size) {
                    Ok(b) => b,
                    Err(m) => {
                        self.error_seq(f.seq, &f.ctx, f.span, m);
                        continue;
                    }
                },
                FixKind::Insn(insn, pcrel) => {
                    let mut insn = *insn;
                    let pc = self.sections[f.sec as usize].addr.wrapping_add(f.off);
                    insn.imm = if *pcrel { v.wrapping_sub(pc) } else { v } as i32;
                    match encode(&insn) {
                        Ok(w) => w.to_le_bytes().to_vec(),
                        Err(err) => {
                            let msg = encode_message(insn.op, &err, *pcrel);
                            self.error_seq(f.seq, &f.ctx, f.span, msg);
                            continue;
                        }
                    }
                }
            };
            let data = &mut self.sections[f.sec as usize].data;
            let o = f.off as usize;
            data[o..o + bytes.len()].copy_from_slice(&bytes);
        }
        drop(fixups);
    }

    /// The symbol table: (locals, globals), each in definition order per unit; `.L` and
    /// internal names are left out, and a weak symbol only from the unit that owns it.
    fn collect_symbols(&mut self) -> (Vec<Symbol>, Vec<Symbol>) {
        let mut locals = Vec::new();
        let mut globals = Vec::new();
        for ui in 0..self.units.len() {
            let mut names: Vec<(u32, String)> = self.units[ui]
                .syms
                .iter()
                .filter(|(n, e)| e.def.is_some() && !n.starts_with(".L") && !n.contains('\u{1}'))
                .map(|(n, e)| (e.order, n.clone()))
                .collect();
            names.sort();
            for (_, name) in names {
                let e = &self.units[ui].syms[&name];
                if e.weak && self.global_owner(&name) != Some(ui) {
                    // Replaced by another file's definition (or an earlier weak one).
                    continue;
                }
                let Ok(value) = self.resolve_final(ui, &name, (0, 0), 0, 0) else {
                    continue;
                };
                let e = &self.units[ui].syms[&name];
                let section = match e.def {
                    Some(Def::Label(s, _)) => Some(self.sections[s as usize].name.clone()),
                    Some(Def::Value(Val { sec: Some(s), .. })) => {
                        Some(self.sections[s as usize].name.clone())
                    }
                    _ => None,
                };
                let (kind, global, weak) = (e.kind, e.global, e.weak);
                let size = e.size.clone().map(|b| *b);
                let size = match size {
                    Some(Later {
                        expr,
                        ctx,
                        dot,
                        seq,
                    }) => match self.eval_final(ui, dot, &expr) {
                        Ok(v) => v,
                        Err(EvalErr::Error(s, m)) => {
                            self.error_seq(seq, &ctx, s, m);
                            0
                        }
                        Err(_) => 0,
                    },
                    None => 0,
                };
                let sym = Symbol {
                    name,
                    value,
                    size,
                    global,
                    weak,
                    kind,
                    section,
                };
                if global {
                    globals.push(sym);
                } else {
                    locals.push(sym);
                }
            }
        }
        (locals, globals)
    }

    /// Reports `.size` directives that name a symbol never defined.
    fn check_undefined_sizes(&mut self) {
        for ui in 0..self.units.len() {
            let bad: Vec<(Rc<LineCtx>, u64)> = self.units[ui]
                .syms
                .values()
                .filter(|e| e.def.is_none())
                .filter_map(|e| e.size.as_ref().map(|s| (s.ctx.clone(), s.seq)))
                .collect();
            for (ctx, seq) in bad {
                self.error_seq(
                    seq,
                    &ctx,
                    (0, ctx.text.len()),
                    "`.size` names a symbol that is never defined".into(),
                );
            }
        }
    }

    /// The diagnostics in source order, duplicates dropped: `Err` with all of them if any is
    /// an error (or some were suppressed), else the warnings.
    fn take_diagnostics(&mut self) -> Result<Vec<Diagnostic>, Diagnostics> {
        let mut d = std::mem::take(&mut self.diags);
        d.sort_by_key(|n| (n.seq, n.col));
        // One source mistake can fail several expansions (e.g. both halves of `la`).
        d.dedup_by(|a, b| a.diag == b.diag);
        // (Diagnostics past the limit are not kept: count them as errors.)
        if self.suppressed > 0 || d.iter().any(|x| x.diag.severity == Severity::Error) {
            if self.suppressed > 0 {
                d.push(Noted {
                    seq: u64::MAX,
                    col: 0,
                    diag: Diagnostic::file_error(
                        "<input>",
                        format!(
                            "too many errors: {} more not shown (fix the ones above first)",
                            self.suppressed
                        ),
                    ),
                });
            }
            return Err(Diagnostics {
                errors: d.into_iter().map(|n| n.diag).collect(),
            });
        }
        Ok(d.into_iter().map(|n| n.diag).collect())
    }

    /// The non-empty sections as segments, in placement `order`, their data moved out.
    fn build_segments(&mut self, order: &[usize]) -> Vec<Segment> {
        let mut segments = Vec::new();
        for &i in order {
            let s = &mut self.sections[i];
            if s.size == 0 {
                continue;
            }
            segments.push(Segment {
                name: s.name.clone(),
                addr: s.addr,
                data: std::mem::take(&mut s.data),
                size: s.size,
                flags: s.flags,
                nobits: s.nobits,
                align: s.align,
            });
            let seg = segments.last_mut().expect("just pushed");
            seg.align = rf_object::addralign(seg);
        }
        segments
    }

    /// The address-to-line table, sorted by address, one entry per address.
    fn build_lines(&self) -> Vec<LineInfo> {
        let mut lines: Vec<LineInfo> = self
            .lines
            .iter()
            .map(|n| LineInfo {
                addr: self.sections[n.sec as usize].addr.wrapping_add(n.off),
                file: self.files[n.file as usize].name.clone(),
                line: n.line,
            })
            .collect();
        lines.sort_by_key(|l| l.addr);
        lines.dedup_by_key(|l| l.addr);
        lines
    }

    /// The listing: each source line with the chunks of bytes it produced (read back from
    /// `segments`, at most [`LISTING_BYTES`] each).
    fn build_listing(&mut self, segments: &[Segment]) -> Vec<ListingLine> {
        let seg_of = |name: &str| segments.iter().find(|s| s.name == name);
        // A line's chunks are in order but may be interleaved with those of the lines of a file
        // it included (inside a macro): group them by line, keeping their order.
        self.chunks.sort_by_key(|c| c.line);
        let mut by_line = self.chunks.chunk_by(|a, b| a.line == b.line).peekable();
        self.listing
            .iter()
            .enumerate()
            .map(|(i, l)| ListingLine {
                file: self.files[l.file as usize].name.clone(),
                line: l.line,
                text: l.text.to_string(),
                chunks: by_line
                    .next_if(|c| c[0].line == i)
                    .unwrap_or_default()
                    .iter()
                    .map(|&ChunkNote { sec, off, len, .. }| {
                        let sec = &self.sections[sec as usize];
                        let bytes = match seg_of(&sec.name) {
                            Some(seg) if !seg.nobits => {
                                let a = off as usize;
                                let b = (off as usize + len as usize).min(a + LISTING_BYTES);
                                seg.data[a..b].to_vec()
                            }
                            _ => Vec::new(),
                        };
                        ListingChunk {
                            addr: sec.addr.wrapping_add(off),
                            len,
                            bytes,
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}

pub(super) struct FinalEnv<'a> {
    asm: &'a mut Assembler,
    unit: usize,
    dot: u32,
    /// Symbols being resolved on the current path (bounded by [`MAX_EQU_DEPTH`]).
    depth: u32,
    /// Operators on the current path (bounded by [`MAX_EVAL_COST`]).
    cost: u32,
}

impl Env for FinalEnv<'_> {
    fn symbol(&mut self, name: &str, span: Span) -> Result<Val, EvalErr> {
        self.asm
            .resolve_final(self.unit, name, span, self.depth, self.cost)
            .map(Val::abs)
    }
    fn dot(&self) -> Val {
        Val::abs(self.dot)
    }
}
