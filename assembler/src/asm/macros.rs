//! Macros, repetition blocks (`.rept`, `.irp`, `.irpc`) and conditional assembly: collecting
//! bodies, substituting arguments and expanding.

use super::*;

impl Assembler {
    /// Block directives: `.include`, macros and repetitions (`.macro`, `.rept`, `.irp`, their ends,
    /// `.exitm`, `.end`).
    /// (`Ok(false)` if it is none of them.)
    pub(super) fn dir_blocks(&mut self, d: &Dir<'_>) -> Result<bool, PErr> {
        let (ctx, hspan, end, ops) = (d.ctx, d.hspan, d.end, &d.ops);
        let need = |n: usize, what: &str| d.need(n, what);
        match d.lname {
            ".include" => {
                let [[Token {
                    tok: Tok::Str(b),
                    start,
                    end: tend,
                }]] = ops.as_slice()
                else {
                    return Err((
                        (hspan.0, end),
                        "`.include` expects a file name in double quotes".into(),
                    ));
                };
                let fname = String::from_utf8_lossy(b).to_string();
                self.include(ctx, &fname, (*start, *tend));
            }
            ".macro" => {
                let (mname, params) = parse_macro_header(&ctx.text, hspan.1, end)?;
                self.collecting = Some(MacroBuild {
                    kind: BlockKind::Macro,
                    name: mname,
                    params,
                    body: Vec::new(),
                    depth: 1,
                    ctx: ctx.clone(),
                    span: hspan,
                });
            }
            ".rept" => {
                let n = if ops.len() != 1 {
                    need(1, "a repeat count (`.rept N`)").map(|_| 0)
                } else {
                    self.const_now(ctx, ops[0], end, "the repeat count")
                        .and_then(|n| {
                            if n as u64 > MAX_EXPANDED_LINES {
                                Err((
                                    span_of(ops[0], end),
                                    format!(
                                        "repeat count {n} exceeds the limit {MAX_EXPANDED_LINES}"
                                    ),
                                ))
                            } else {
                                Ok(n)
                            }
                        })
                };
                // A bad count still opens the block (repeated 0 times), so that its `.endr`
                // is not reported as well.
                let n = n.unwrap_or_else(|(sp, m)| {
                    self.error(ctx, sp, m);
                    0
                });
                self.collecting = Some(MacroBuild {
                    kind: BlockKind::Rept(n),
                    name: ".rept".into(),
                    params: Vec::new(),
                    body: Vec::new(),
                    depth: 1,
                    ctx: ctx.clone(),
                    span: hspan,
                });
            }
            ".irp" => {
                if ops.is_empty() {
                    need(1, "a parameter name and values (`.irp P, V1, V2`)")?;
                }
                // A bad header still opens the block (run 0 times): its `.endr` must match.
                let (p, values) = match single_ident(ops[0], "a parameter name", end) {
                    Ok((p, _)) => {
                        let values = ops[1..]
                            .iter()
                            .map(|o| {
                                let sp = span_of(o, end);
                                ctx.text[sp.0..sp.1].to_string()
                            })
                            .collect();
                        (p, values)
                    }
                    Err((sp, m)) => {
                        self.error(ctx, sp, m);
                        (String::new(), Vec::new())
                    }
                };
                self.collecting = Some(MacroBuild {
                    kind: BlockKind::Irp(p, values),
                    name: ".irp".into(),
                    params: Vec::new(),
                    body: Vec::new(),
                    depth: 1,
                    ctx: ctx.clone(),
                    span: hspan,
                });
            }
            ".endr" => return Err((hspan, "`.endr` without a matching `.rept` or `.irp`".into())),
            ".endm" => return Err((hspan, "`.endm` without a matching `.macro`".into())),

            ".end" => {
                self.units[self.cur_unit].ended = true;
            }
            ".exitm" => {
                need(0, "no operands")?;
                if self.macro_nest == 0 {
                    return Err((hspan, "`.exitm` outside a macro".into()));
                }
                self.exitm = true;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Conditional directives (`.if...`, `.ifdef...`, `.else`, `.elseif`, `.endif`) and `.error`/`.warning`.
    /// (`Ok(false)` if it is none of them.)
    pub(super) fn dir_conds(&mut self, d: &Dir<'_>) -> Result<bool, PErr> {
        let (ctx, name, lname, hspan, end, ops) = (d.ctx, d.name, d.lname, d.hspan, d.end, &d.ops);
        let need = |n: usize, what: &str| d.need(n, what);
        match d.lname {
            ".if" | ".ifne" | ".ifeq" | ".ifgt" | ".ifge" | ".iflt" | ".ifle" => {
                let sp = (hspan.0, end.max(hspan.1));
                self.cond_open(ctx, hspan, |a| {
                    let [t] = ops.as_slice() else {
                        return Err((sp, format!("`{name}` expects one expression")));
                    };
                    let v = a.const_now(ctx, t, end, "the condition")?;
                    // Comparisons with zero are signed, as in GNU as (`.iflt -1` holds).
                    let sv = v as i32;
                    Ok(match lname {
                        ".if" | ".ifne" => v != 0,
                        ".ifeq" => v == 0,
                        ".ifgt" => sv > 0,
                        ".ifge" => sv >= 0,
                        ".iflt" => sv < 0,
                        _ => sv <= 0,
                    })
                });
            }
            ".ifdef" | ".ifndef" | ".ifnotdef" => {
                let sp = (hspan.0, end.max(hspan.1));
                self.cond_open(ctx, hspan, |a| {
                    let [t] = ops.as_slice() else {
                        return Err((sp, format!("`{name}` expects one symbol name")));
                    };
                    let (sym, _) = single_ident(t, "a symbol name", end)?;
                    let defined = a.units[a.cur_unit]
                        .syms
                        .get(&sym)
                        .is_some_and(|e| e.def.is_some());
                    Ok(defined == (lname == ".ifdef"))
                });
            }
            ".else" => {
                need(0, "no operands")?;
                self.cond_else(name, hspan, None)?;
            }
            ".elseif" | ".elsif" => {
                let sp = (hspan.0, end.max(hspan.1));
                let test = |a: &Self| {
                    let [t] = ops.as_slice() else {
                        return Err((sp, format!("`{name}` expects one expression")));
                    };
                    Ok(a.const_now(ctx, t, end, "the condition")? != 0)
                };
                self.cond_else(name, hspan, Some(&test))?;
            }
            ".endif" => {
                need(0, "no operands")?;
                if self.conds.pop().is_none() {
                    return Err((hspan, "`.endif` without a matching `.if`".into()));
                }
            }
            ".error" | ".warning" | ".err" => {
                let msg = match ops.as_slice() {
                    [] => format!("`{name}` directive"),
                    [[Token {
                        tok: Tok::Str(b), ..
                    }]] => String::from_utf8_lossy(b).to_string(),
                    _ => {
                        return Err((
                            (hspan.0, end),
                            format!("`{name}` expects a message in double quotes"),
                        ))
                    }
                };
                if lname == ".warning" {
                    self.warn(ctx, hspan, msg);
                } else {
                    return Err((hspan, msg));
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Lines are assembled here (every open conditional's branch is taken).
    pub(super) fn cond_on(&self) -> bool {
        self.conds.last().is_none_or(|c| c.on)
    }

    /// `.if` and its kin: `test` decides the condition (only evaluated where lines are
    /// assembled). A failed test is reported and counts as false; the conditional still opens,
    /// so its `.else`/`.endif` match.
    pub(super) fn cond_open(
        &mut self,
        ctx: &Rc<LineCtx>,
        span: Span,
        test: impl FnOnce(&Self) -> Result<bool, PErr>,
    ) {
        let outer = self.cond_on();
        let on = outer
            && test(self).unwrap_or_else(|(sp, m)| {
                self.error(ctx, sp, m);
                false
            });
        self.conds.push(Cond {
            on,
            outer,
            taken: on,
            seen_else: false,
            ctx: ctx.clone(),
            span,
        });
    }

    /// `.else` (`test` = None) and `.elseif`.
    pub(super) fn cond_else(
        &mut self,
        name: &str,
        span: Span,
        test: Option<CondTest<'_>>,
    ) -> Result<(), PErr> {
        let Some(c) = self.conds.last() else {
            return Err((span, format!("`{name}` without a matching `.if`")));
        };
        if c.seen_else {
            let at = self.loc_string(&c.ctx, c.span);
            return Err((
                span,
                format!("`{name}` after `.else` (the conditional opened at {at})"),
            ));
        }
        let run = c.outer && !c.taken;
        let on = match test {
            None => run,
            Some(t) if run => t(self)?,
            Some(_) => false,
        };
        let c = self.conds.last_mut().expect("open conditional");
        c.on = on;
        c.taken |= on;
        c.seen_else = test.is_none();
        Ok(())
    }

    /// Expands a call of macro `m` whose arguments are the text between bytes `s` and `e` of the
    /// line: binds parameters (by position or `name=value`, else their defaults), substitutes and
    /// reads the body as lines. Errors are reported: bad or missing arguments, nesting too deep.
    pub(super) fn expand_macro(
        &mut self,
        ctx: &Rc<LineCtx>,
        m: Rc<Macro>,
        hspan: Span,
        s: usize,
        e: usize,
    ) {
        if ctx.depth == 0 && self.outer_nest == 0 {
            // A new top-level call: report its own problems.
            self.expansion_overflow = false;
        }
        if self.outer_nest + ctx.depth >= MAX_MACRO_DEPTH {
            // Stop every expansion in progress: one error is enough.
            self.expansion_overflow = true;
            self.error(
                ctx,
                hspan,
                format!(
                    "macro expansion nested more than {MAX_MACRO_DEPTH} deep; does macro `{}` call itself without end?",
                    m.name
                ),
            );
            return;
        }
        if self.expansion_overflow {
            return;
        }
        let text = &ctx.text[s..e];
        let mut values: Vec<Option<String>> = vec![None; m.params.len()];
        let args = split_args(text);
        let mut positional = 0;
        for (a_off, a) in args {
            let a_span = (s + a_off, s + a_off + a.len().max(1));
            // keyword argument `name=value` (but not `==`)
            if let Some((k, v)) = a.split_once('=') {
                let k = k.trim();
                if !v.starts_with('=') && !k.ends_with(['!', '<', '>']) {
                    if let Some(p) = m.params.iter().position(|(n, _)| n == k) {
                        values[p] = Some(v.trim().to_string());
                        continue;
                    }
                }
            }
            if positional >= m.params.len() {
                self.error(
                    ctx,
                    a_span,
                    format!(
                        "too many arguments for macro `{}` (it takes {}: {})",
                        m.name,
                        m.params.len(),
                        m.params
                            .iter()
                            .map(|p| p.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return;
            }
            values[positional] = Some(a.trim().to_string());
            positional += 1;
        }
        let mut bound = Vec::new();
        for (i, (pname, default)) in m.params.iter().enumerate() {
            match values[i].take().or_else(|| default.clone()) {
                Some(v) => bound.push((pname.clone(), v)),
                None => {
                    self.error(
                        ctx,
                        hspan,
                        format!(
                            "macro `{}` needs a value for parameter `{pname}` (it has no default)",
                            m.name
                        ),
                    );
                    return;
                }
            }
        }
        let counter = self.macro_counter;
        self.macro_counter += 1;
        let mut notes = ctx.notes.as_ref().clone();
        notes.insert(
            0,
            rf_object::cap_quotes(&format!(
                "{}: note: in expansion of macro `{}`",
                self.loc_string(ctx, hspan),
                m.name
            )),
        );
        if notes.len() > MAX_NOTES {
            notes.truncate(MAX_NOTES - 1);
            notes.push("note: ... (outer macro expansions omitted)".to_string());
        }
        let notes = Rc::new(notes);
        let conds = self.conds.len();
        self.macro_nest += 1;
        self.run_body(ctx, hspan, &m.name, &m.body, &bound, counter, &notes);
        self.macro_nest -= 1;
        if self.exitm {
            // `.exitm` leaves the conditionals opened in this expansion too.
            self.exitm = false;
            self.conds.truncate(conds);
        }
    }

    /// Processes the lines of a macro / `.rept` / `.irp` body with parameters substituted.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_body(
        &mut self,
        ctx: &Rc<LineCtx>,
        hspan: Span,
        what: &str,
        body: &[(Rc<str>, u32, u32)],
        bound: &[(String, String)],
        counter: u32,
        notes: &Rc<Vec<String>>,
    ) {
        for (body, file, line) in body {
            if self.units[self.cur_unit].ended {
                break;
            }
            self.expanded += 1;
            if self.expanded > MAX_EXPANDED_LINES {
                self.expansion_overflow = true;
                self.error(
                    ctx,
                    hspan,
                    format!(
                        "macro expansion produced more than {MAX_EXPANDED_LINES} lines; stopping (runaway recursion?)"
                    ),
                );
                return;
            }
            let (text, unknown) = substitute(body, bound, counter);
            if let Some(u) = unknown {
                let names: Vec<&str> = bound.iter().map(|(p, _)| p.as_str()).collect();
                let c = LineCtx {
                    file: *file,
                    line: *line,
                    text: body.clone(),
                    display: body.clone(),
                    listing: ctx.listing,
                    phys: ctx.phys,
                    notes: notes.clone(),
                    depth: ctx.depth + 1,
                    ascii: body.is_ascii(),
                };
                let at = body.find(&format!("\\{u}")).unwrap_or(0);
                self.error(
                    &c,
                    (at, at + 1 + u.len()),
                    format!(
                        "`\\{u}` is not a parameter of `{what}`{}",
                        if names.is_empty() {
                            String::new()
                        } else {
                            format!(" (its parameters: {})", names.join(", "))
                        }
                    ),
                );
                continue;
            }
            if text.len() > MAX_LINE {
                self.expansion_overflow = true;
                self.error(
                    ctx,
                    hspan,
                    format!(
                        "`{what}` expanded to a line longer than {MAX_LINE} bytes; stopping (do its arguments grow on every call?)"
                    ),
                );
                return;
            }
            let text: Rc<str> = text.into();
            let c = Rc::new(LineCtx {
                file: *file,
                line: *line,
                text: text.clone(),
                ascii: text.is_ascii(),
                display: text,
                listing: ctx.listing,
                phys: ctx.phys,
                notes: notes.clone(),
                depth: ctx.depth + 1,
            });
            self.process_line(&c);
            if self.expansion_overflow || self.exitm {
                return;
            }
        }
    }

    /// Expands a finished `.rept` or `.irp` block.
    pub(super) fn expand_block(&mut self, mb: MacroBuild) {
        let ctx = mb.ctx.clone();
        if ctx.depth == 0 && self.outer_nest == 0 {
            self.expansion_overflow = false;
        }
        if self.outer_nest + ctx.depth >= MAX_MACRO_DEPTH {
            self.expansion_overflow = true;
            self.error(
                &ctx,
                mb.span,
                format!("`{}` nested more than {MAX_MACRO_DEPTH} deep", mb.name),
            );
            return;
        }
        let mut notes = ctx.notes.as_ref().clone();
        notes.insert(
            0,
            format!(
                "{}: note: in expansion of `{}`",
                self.loc_string(&ctx, mb.span),
                mb.name
            ),
        );
        notes.truncate(MAX_NOTES);
        let notes = Rc::new(notes);
        // The values of a run: none (.rept), a list (.irp) or a text's characters (.irpc).
        let (n, param, values, text) = match mb.kind {
            BlockKind::Rept(n) => (n as u64, None, Vec::new(), String::new()),
            BlockKind::Irp(p, values) => (values.len() as u64, Some(p), values, String::new()),
            BlockKind::Irpc(p, text) => (text.chars().count() as u64, Some(p), Vec::new(), text),
            BlockKind::Macro => return,
        };
        let mut chars = text.chars();
        // Every repetition counts against the expansion budget, even of an empty body.
        if self.expanded + n > MAX_EXPANDED_LINES {
            let what = match param {
                None => format!("`.rept {n}`"),
                Some(_) => format!("`{}` with {n} values", mb.name),
            };
            self.error(
                &ctx,
                mb.span,
                format!("{what} goes past the {MAX_EXPANDED_LINES}-line expansion limit"),
            );
            return;
        }
        self.expanded += n;
        for i in 0..n as usize {
            // One binding at a time: nothing is made per run up front.
            let bound = match &param {
                Some(p) => {
                    let v = match values.get(i) {
                        Some(v) => v.clone(),
                        None => chars.next().map(String::from).unwrap_or_default(),
                    };
                    vec![(p.clone(), v)]
                }
                None => Vec::new(),
            };
            let counter = self.macro_counter;
            self.macro_counter += 1;
            self.run_body(&ctx, mb.span, &mb.name, &mb.body, &bound, counter, &notes);
            if self.expansion_overflow || self.units[self.cur_unit].ended || self.exitm {
                return;
            }
        }
    }

    /// `.irpc P, text` … `.endr`: the body once per character of the text, with `\P` replaced.
    pub(super) fn irpc(&mut self, ctx: &Rc<LineCtx>, hspan: Span, end: usize) {
        let rest = &ctx.text[hspan.1..end];
        let (p, text) = rest.split_once(',').unwrap_or((rest, ""));
        let p = p.trim();
        let text = text.trim();
        let text = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(text);
        let valid =
            p.bytes().next().is_some_and(lex::is_ident_start) && p.bytes().all(lex::is_ident_char);
        // A bad header still opens the block (run 0 times): its `.endr` must match.
        let (p, text) = if valid {
            (p.to_string(), text.to_string())
        } else {
            self.error(
                ctx,
                (hspan.0, end),
                "`.irpc` expects a parameter name and a text (`.irpc P, TEXT`)".into(),
            );
            (String::new(), String::new())
        };
        self.collecting = Some(MacroBuild {
            kind: BlockKind::Irpc(p, text),
            name: ".irpc".into(),
            params: Vec::new(),
            body: Vec::new(),
            depth: 1,
            ctx: ctx.clone(),
            span: hspan,
        });
    }
}

/// Whether a statement is a conditional directive (its first word, textually: skipped lines
/// are not lexed, as GNU as does not).
pub(super) fn is_cond_directive(stmt: &str) -> bool {
    let w = stmt.trim_start();
    let n = w.bytes().take_while(|&c| lex::is_ident_char(c)).count();
    COND_DIRECTIVES
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&w[..n]))
}

/// Splits macro call arguments on top-level commas; returns (offset, text) pairs.
pub(super) fn split_args(text: &str) -> Vec<(usize, String)> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'(' if !in_str => depth += 1,
            b')' if !in_str => depth -= 1,
            b',' if !in_str && depth <= 0 => {
                out.push((start, text[start..i].to_string()));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, text[start.min(text.len())..].to_string()));
    out.into_iter()
        .map(|(o, s)| {
            let lead = s.len() - s.trim_start().len();
            (o + lead, s.trim().to_string())
        })
        .collect()
}

/// Parses `.macro NAME [p1[=def], p2 ...]` from the text after `.macro`.
pub(super) fn parse_macro_header(text: &str, s: usize, e: usize) -> Result<(String, Params), PErr> {
    let body = &text[s..e];
    let trimmed = body.trim_start();
    let name_start = s + (body.len() - trimmed.len());
    let name_len = trimmed
        .bytes()
        .take_while(|&c| lex::is_ident_char(c))
        .count();
    if name_len == 0 || !lex::is_ident_start(trimmed.as_bytes()[0]) {
        return Err((
            (name_start, name_start + 1),
            "`.macro` expects a macro name".into(),
        ));
    }
    let name = trimmed[..name_len].to_string();
    let mut rest = &trimmed[name_len..];
    let mut rest_start = name_start + name_len;
    if let Some(r) = rest.trim_start().strip_prefix(',') {
        rest_start += rest.len() - r.len();
        rest = r;
    }
    let pieces: Vec<(usize, String)> = if rest.contains(',') {
        split_args(rest)
    } else {
        let mut v = Vec::new();
        let mut off = 0;
        for w in rest.split_whitespace() {
            let at = rest[off..].find(w).map(|p| p + off).unwrap_or(off);
            v.push((at, w.to_string()));
            off = at + w.len();
        }
        v
    };
    let mut params: Vec<(String, Option<String>)> = Vec::new();
    for (off, p) in pieces {
        let sp = (rest_start + off, rest_start + off + p.len().max(1));
        let (pname, default) = match p.split_once('=') {
            Some((n, d)) => (n.trim().to_string(), Some(d.trim().to_string())),
            None => (p.trim_end_matches(":req").trim().to_string(), None),
        };
        if pname.is_empty()
            || !pname
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        {
            return Err((sp, format!("invalid macro parameter `{p}`")));
        }
        if params.iter().any(|(n, _)| *n == pname) {
            return Err((sp, format!("duplicate macro parameter `{pname}`")));
        }
        params.push((pname, default));
    }
    Ok((name, params))
}

/// Replaces `\param`, `\@` and `\()` in a macro body line. Also returns the first `\name`
/// outside a string literal that names no parameter (inside strings it is an escape).
pub(super) fn substitute(
    line: &str,
    bound: &[(String, String)],
    counter: u32,
) -> (String, Option<String>) {
    let mut out = String::with_capacity(line.len());
    let b = line.as_bytes();
    let mut i = 0;
    let mut last = 0;
    let mut in_str = false;
    let mut unknown = None;
    while i < b.len() {
        if b[i] == b'"' {
            in_str = !in_str;
        }
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&line[last..i]);
        let r = &line[i + 1..];
        if r.starts_with('@') {
            out.push_str(&counter.to_string());
            i += 2;
        } else if r.starts_with("()") {
            i += 3;
        } else {
            let n = r
                .bytes()
                .take_while(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
                .count();
            match bound.iter().find(|(p, _)| *p == r[..n]) {
                Some((_, v)) if n > 0 => {
                    out.push_str(v);
                    i += 1 + n;
                }
                _ => {
                    if n > 0 && !in_str && unknown.is_none() {
                        unknown = Some(r[..n].to_string());
                    }
                    // Keep the backslash and the character after it (an escape like \" must
                    // not end a string).
                    let next = r.chars().next().map_or(0, |c| c.len_utf8());
                    out.push_str(&line[i..i + 1 + next]);
                    i += 1 + next;
                }
            }
        }
        last = i;
    }
    out.push_str(&line[last.min(line.len())..]);
    (out, unknown)
}
