//! One statement: labels, symbol definitions and assignments, expressions read in pass 1, and
//! dispatch to directives, macros and instructions.

use super::*;

impl Assembler {
    /// Parses tokens `toks` (up to byte `end`) as one expression. Error: a syntax error.
    pub(super) fn parse_expr(
        &self,
        ctx: &LineCtx,
        toks: &[Token],
        end: usize,
    ) -> Result<Expr, PErr> {
        let names = NumNames(&self.units[self.cur_unit].numeric);
        Parser::new(toks, &names, end)
            .parse_all(&ctx.text)
            .map_err(|e| ((e.start, e.end), e.msg))
    }

    /// An immediate operand: an expression, but not a bare register name.
    pub(super) fn imm_operand(
        &self,
        ctx: &LineCtx,
        toks: &[Token],
        end: usize,
    ) -> Result<Expr, PErr> {
        if let [t] = toks {
            if let Some(name) = t.ident() {
                if isa_spec::regs::parse_reg(name).is_some()
                    && !self.units[self.cur_unit].syms.contains_key(name)
                {
                    return Err((
                        (t.start, t.end),
                        format!("expected an immediate value or a symbol, found register `{name}`"),
                    ));
                }
            }
        }
        if toks.is_empty() {
            return Err((
                (end, end),
                "expected an immediate value, found nothing".into(),
            ));
        }
        self.parse_expr(ctx, toks, end)
    }

    /// Evaluates `e` in pass 1: symbols known so far, `.` at the location counter.
    /// `Err(EvalErr::Unknown)`: it depends on something not known yet.
    pub(super) fn eval1(&self, e: &Expr) -> Result<Val, EvalErr> {
        let mut env = P1Env {
            unit: &self.units[self.cur_unit],
            dot: self.dot(),
        };
        eval(e, &mut env)
    }

    /// Evaluates an expression that must be a known constant now.
    pub(super) fn const_now(
        &self,
        ctx: &LineCtx,
        toks: &[Token],
        end: usize,
        what: &str,
    ) -> Result<u32, PErr> {
        let e = self.parse_expr(ctx, toks, end)?;
        let span = (toks.first().map_or(end, |t| t.start), end);
        match self.eval1(&e) {
            Ok(Val { sec: None, v }) => Ok(v),
            Ok(_) | Err(EvalErr::Unknown) => Err((
                span,
                format!(
                    "{what} must be a constant known at this point (no forward references, and no addresses: they are only known after layout)"
                ),
            )),
            Err(EvalErr::Error(s, m)) => Err((s, m)),
            Err(EvalErr::Reported) => Err((span, "invalid expression".into())),
        }
    }

    /// Assembles one statement (bytes `s..e` of the line): labels, then an assignment, directive,
    /// macro call or instruction. Errors are reported, not returned.
    pub(super) fn statement(&mut self, ctx: &Rc<LineCtx>, s: usize, e: usize) {
        // `.irpc` takes its text as characters, not tokens (`.irpc d, 0123` is no number).
        let t = &ctx.text[s..e];
        let hs = s + (t.len() - t.trim_start().len());
        let word = ctx.text[hs..e]
            .bytes()
            .take_while(|&c| lex::is_ident_char(c))
            .count();
        if ctx.text[hs..hs + word].eq_ignore_ascii_case(".irpc") {
            self.irpc(ctx, (hs, hs + word), e);
            return;
        }
        let toks = match lex::lex(&ctx.text, s, e) {
            Ok(t) => t,
            Err(le) => {
                self.error(ctx, (le.start, le.end), le.msg);
                return;
            }
        };
        let mut i = 0;
        // Labels.
        while i + 1 < toks.len() && toks[i + 1].is_p(":") {
            match &toks[i].tok {
                Tok::Ident(name) => {
                    let name = name.clone();
                    self.define_label(ctx, &name, (toks[i].start, toks[i].end));
                }
                Tok::Num(n) => {
                    let n = *n;
                    let unit = &mut self.units[self.cur_unit];
                    let k = unit.numeric.entry(n).or_insert(0);
                    *k += 1;
                    let key = numeric_key(n, *k);
                    self.define_label(ctx, &key, (toks[i].start, toks[i].end));
                }
                _ => break,
            }
            i += 2;
        }
        if i >= toks.len() {
            return;
        }
        let head = &toks[i];
        let rest = &toks[i + 1..];
        let Some(name) = head.ident() else {
            self.error(
                ctx,
                (head.start, head.end),
                format!(
                    "expected a label, directive or instruction, found {}",
                    describe(head, &ctx.text)
                ),
            );
            return;
        };
        let name = name.to_string();
        let hspan = (head.start, head.end);
        if rest.first().is_some_and(|t| t.is_p("=")) {
            let r = self.assign(ctx, &name, hspan, &rest[1..], e, true, false);
            if let Err((sp, m)) = r {
                self.error(ctx, sp, m);
            }
            return;
        }
        if name.starts_with('.') {
            if let Err((sp, m)) = self.directive(ctx, &name, hspan, rest, e) {
                self.error(ctx, sp, m);
            }
            return;
        }
        if let Some(m) = self.units[self.cur_unit].macros.get(&name).cloned() {
            self.expand_macro(ctx, m, hspan, head.end, e);
            return;
        }
        if let Err((sp, m)) = self.instruction(ctx, &name, hspan, rest, e) {
            self.error(ctx, sp, m);
        }
    }

    /// Defines label `name` at the location counter (an error is reported if it already exists).
    pub(super) fn define_label(&mut self, ctx: &Rc<LineCtx>, name: &str, span: Span) {
        let val = Def::Label(self.cur_sec, self.cur_off());
        if let Err((sp, m)) = self.define(ctx, name, span, val, false) {
            self.error(ctx, sp, m);
        }
        self.sections[self.cur_sec as usize].has_syms = true;
    }

    /// The current unit's entry for symbol `name`, created (undefined) if new.
    pub(super) fn sym_entry(&mut self, name: &str) -> &mut SymEntry {
        use std::collections::hash_map::Entry;
        match self.units[self.cur_unit].syms.entry(name.to_string()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(v) => {
                self.sym_order += 1;
                v.insert(SymEntry::new(self.sym_order - 1))
            }
        }
    }

    /// Defines symbol `name` as `def`. `redefinable`: `.set`-style, may replace an earlier value.
    /// Error: a second definition of a label or `.equiv`/`.equ` constant.
    pub(super) fn define(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        span: Span,
        def: Def,
        redefinable: bool,
    ) -> Result<(), PErr> {
        let prev = {
            let e = self.sym_entry(name);
            if e.def.is_some() && !(redefinable && e.redefinable) {
                e.def_loc.clone()
            } else {
                e.def = Some(def);
                e.def_loc = Some((ctx.clone(), span));
                e.redefinable = redefinable;
                e.cache = None;
                return Ok(());
            }
        };
        let where_ = prev
            .map(|(c, s)| format!(" (first defined at {})", self.loc_string(&c, s)))
            .unwrap_or_default();
        Err((
            span,
            format!(
                "`{}` is already defined{where_}; rename one of them",
                display_name(name)
            ),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    /// `name = expr` and `.equ`/`.set`/`.equiv`: defines `name` as the expression `toks` (now if it
    /// is known, else after layout). `equiv`: error if `name` is already defined.
    pub(super) fn assign(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        span: Span,
        toks: &[Token],
        end: usize,
        redefinable: bool,
        equiv: bool,
    ) -> Result<(), PErr> {
        if !name.starts_with(|c: char| lex::is_ident_start(c as u8)) || name == "." {
            return Err((span, format!("`{name}` cannot be assigned a value")));
        }
        let e = self.parse_expr(ctx, toks, end)?;
        if equiv
            && self.units[self.cur_unit]
                .syms
                .get(name)
                .is_some_and(|e| e.def.is_some())
        {
            return Err((span, format!("`.equiv`: `{name}` is already defined")));
        }
        let def = match self.eval1(&e) {
            Ok(v) => Def::Value(v),
            Err(EvalErr::Unknown) => Def::Deferred(Box::new(Later {
                expr: Rc::new(e),
                ctx: ctx.clone(),
                dot: (self.cur_sec, self.cur_off()),
                seq: self.seq,
            })),
            Err(EvalErr::Error(s, m)) => return Err((s, m)),
            Err(EvalErr::Reported) => return Ok(()),
        };
        self.define(ctx, name, span, def, redefinable)
    }
}

/// The byte span of operand tokens `op` (an empty operand: the point `end`).
pub(super) fn span_of(op: &[Token], end: usize) -> Span {
    match (op.first(), op.last()) {
        (Some(a), Some(b)) => (a.start, b.end),
        _ => (end, end),
    }
}

/// Operand `op` as one identifier. Error: anything else (`what` names what was expected).
pub(super) fn single_ident(op: &[Token], what: &str, end: usize) -> Result<(String, Span), PErr> {
    match op {
        [t] if t.ident().is_some() => {
            Ok((t.ident().unwrap_or_default().to_string(), (t.start, t.end)))
        }
        _ => Err((span_of(op, end), format!("expected {what}"))),
    }
}

/// Splits tokens into comma-separated operands (commas inside parentheses do not split).
pub(super) fn split_operands(toks: &[Token], end: usize) -> Result<Vec<&[Token]>, PErr> {
    if toks.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.is_p("(") {
            depth += 1;
        } else if t.is_p(")") {
            depth -= 1;
        } else if t.is_p(",") && depth <= 0 {
            if i == start {
                return Err(((t.start, t.end), "empty operand before `,`".into()));
            }
            out.push(&toks[start..i]);
            start = i + 1;
        }
    }
    if start == toks.len() {
        return Err(((end, end), "expected an operand after the last `,`".into()));
    }
    out.push(&toks[start..]);
    Ok(out)
}
