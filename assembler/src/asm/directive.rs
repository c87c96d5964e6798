//! Directives: the known list, and dispatch of each to its handler.

use super::*;

impl Assembler {
    pub(super) fn directive(
        &mut self,
        ctx: &Rc<LineCtx>,
        name: &str,
        hspan: Span,
        rest: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let lname = name.to_ascii_lowercase();
        let switch = matches!(lname.as_str(), ".else" | ".elseif" | ".elsif" | ".endif");
        let around = if switch {
            // `.else` and `.endif` belong to the innermost conditional: what counts is
            // whether the lines around it are assembled.
            self.conds.last().is_none_or(|c| c.outer)
        } else {
            self.cond_on()
        };
        if !around {
            // Only conditionals get here (the rest of a skipped line is not read): they nest,
            // and nothing is evaluated.
            match lname.as_str() {
                ".else" => self.cond_else(name, hspan, None)?,
                ".elseif" | ".elsif" => self.cond_else(name, hspan, Some(&|_| Ok(false)))?,
                ".endif" => {
                    self.conds.pop();
                }
                _ => self.cond_open(ctx, hspan, |_| Ok(false)),
            }
            return Ok(());
        }
        // Text comparisons take their operands as text (an empty macro argument leaves `, b`).
        match lname.as_str() {
            ".ifb" | ".ifnb" => {
                let blank = ctx.text[hspan.1..end].trim().is_empty();
                self.cond_open(ctx, hspan, |_| Ok(blank == (lname == ".ifb")));
                return Ok(());
            }
            ".ifc" | ".ifnc" => {
                let sp = (hspan.0, end.max(hspan.1));
                let args = split_args(&ctx.text[hspan.1..end]);
                self.cond_open(ctx, hspan, |_| {
                    let [(_, a), (_, b)] = args.as_slice() else {
                        return Err((sp, format!("`{name}` expects two strings: `{name} a, b`")));
                    };
                    // GNU as allows single quotes around a string that holds spaces or commas.
                    let unq = |s: &str| {
                        s.strip_prefix('\'')
                            .and_then(|s| s.strip_suffix('\''))
                            .map(str::to_string)
                            .unwrap_or_else(|| s.to_string())
                    };
                    Ok((unq(a) == unq(b)) == (lname == ".ifc"))
                });
                return Ok(());
            }
            _ => {}
        }
        let ops = split_operands(rest, end)?;
        let need = |n: usize, what: &str| -> Result<(), PErr> {
            if ops.len() != n {
                Err((
                    (hspan.0, end.max(hspan.1)),
                    format!("`{name}` expects {what}, found {} operand(s)", ops.len()),
                ))
            } else {
                Ok(())
            }
        };
        let op_end = |i: usize| -> usize {
            ops.get(i + 1)
                .and_then(|o| o.first())
                .map(|t| t.start.saturating_sub(1))
                .unwrap_or(end)
        };
        match lname.as_str() {
            ".text" | ".data" | ".rodata" | ".bss" => {
                need(0, "no operands")?;
                self.cur_sec = self.section_id(&lname);
            }
            ".section" => self.section_directive(rest, hspan, end)?,
            ".equ" | ".set" | ".equiv" => {
                if ops.len() != 2 {
                    need(2, "a name and a value (`.equ NAME, VALUE`)")?;
                }
                let (sym, sspan) = single_ident(ops[0], "a symbol name", end)?;
                self.assign(
                    ctx,
                    &sym,
                    sspan,
                    ops[1],
                    end,
                    lname != ".equiv",
                    lname == ".equiv",
                )?;
            }
            ".global" | ".globl" | ".weak" => {
                if ops.is_empty() {
                    need(1, "one or more symbol names")?;
                }
                for o in &ops {
                    let (sym, _) = single_ident(o, "a symbol name", end)?;
                    let e = self.sym_entry(&sym);
                    e.global = true;
                    e.weak |= lname == ".weak";
                }
            }
            ".comm" | ".lcomm" => {
                if ops.len() < 2 || ops.len() > 3 {
                    need(
                        2,
                        "a name, a size and an optional alignment (`.comm NAME, SIZE[, ALIGN]`)",
                    )?;
                }
                let (sym, sspan) = single_ident(ops[0], "a symbol name", end)?;
                let size = self.const_now(ctx, ops[1], op_end(1), "the size")?;
                if size as u64 > MAX_IMAGE {
                    return Err((
                        span_of(ops[1], op_end(1)),
                        format!("size {size} exceeds the 256 MiB image limit"),
                    ));
                }
                let align = match ops.get(2) {
                    Some(o) => {
                        let a = self.const_now(ctx, o, end, "the alignment")?;
                        if a > MAX_ALIGN || !(a == 0 || a.is_power_of_two()) {
                            return Err((
                                span_of(o, end),
                                format!("alignment {a} is not a power of two up to 4096"),
                            ));
                        }
                        a.max(1)
                    }
                    // GNU as: the size's natural alignment, up to 16.
                    None => size.max(1).next_power_of_two().min(16),
                };
                let prev = self.cur_sec;
                self.cur_sec = self.section_id(".bss");
                let pad = (align - self.cur_off() % align) % align;
                self.reserve(ctx, hspan, pad as u64, &[0]);
                let sec = &mut self.sections[self.cur_sec as usize];
                sec.align = sec.align.max(align);
                self.define_label(ctx, &sym, sspan);
                let dot = (self.cur_sec, self.cur_off());
                let seq = self.seq;
                let e = self.sym_entry(&sym);
                e.global |= lname == ".comm";
                e.kind = SymbolKind::Object;
                e.size = Some(Box::new((Expr::Num(size), ctx.clone(), dot, seq)));
                self.reserve(ctx, hspan, size as u64, &[0]);
                self.cur_sec = prev;
            }
            ".pushsection" => {
                let prev = self.cur_sec;
                self.section_directive(rest, hspan, end)?;
                self.sec_stack.push(prev);
            }
            ".popsection" => {
                need(0, "no operands")?;
                self.cur_sec = self.sec_stack.pop().ok_or_else(|| {
                    (
                        hspan,
                        "`.popsection` without a matching `.pushsection`".to_string(),
                    )
                })?;
            }
            ".incbin" => self.incbin(ctx, hspan, &ops, end, &op_end)?,
            ".type" => {
                if ops.len() != 2 {
                    need(2, "a name and a type (`.type NAME, @function`)")?;
                }
                let (sym, _) = single_ident(ops[0], "a symbol name", end)?;
                let tt: Vec<&Token> = ops[1]
                    .iter()
                    .filter(|t| !t.is_p("@") && !t.is_p("%"))
                    .collect();
                let kind = match tt.as_slice() {
                    [t] => match t.ident().map(|s| s.to_ascii_lowercase()).as_deref() {
                        Some("function" | "stt_func") => SymbolKind::Func,
                        Some("object" | "stt_object") => SymbolKind::Object,
                        Some("notype" | "stt_notype") => SymbolKind::None,
                        _ => {
                            return Err((
                                (t.start, t.end),
                                "expected a symbol type: @function, @object or @notype".into(),
                            ))
                        }
                    },
                    _ => {
                        return Err((
                            (hspan.0, end),
                            "expected a symbol type: @function, @object or @notype".into(),
                        ))
                    }
                };
                self.sym_entry(&sym).kind = kind;
            }
            ".size" => {
                if ops.len() != 2 {
                    need(2, "a name and a size (`.size NAME, . - NAME`)")?;
                }
                let (sym, _) = single_ident(ops[0], "a symbol name", end)?;
                let e = self.parse_expr(ctx, ops[1], end)?;
                let dot = (self.cur_sec, self.cur_off());
                let seq = self.seq;
                self.sym_entry(&sym).size = Some(Box::new((e, ctx.clone(), dot, seq)));
            }
            ".byte" | ".half" | ".short" | ".2byte" | ".hword" | ".word" | ".long" | ".4byte"
            | ".int" | ".quad" | ".8byte" => {
                let size = match lname.as_str() {
                    ".byte" => 1,
                    ".half" | ".short" | ".2byte" | ".hword" => 2,
                    ".quad" | ".8byte" => 8,
                    _ => 4,
                };
                for (i, o) in ops.iter().enumerate() {
                    let oe = op_end(i);
                    let span = (o.first().map_or(oe, |t| t.start), oe);
                    let r = self
                        .imm_operand(ctx, o, oe)
                        .and_then(|e| self.data_value(ctx, e, span, size));
                    if let Err((sp, m)) = r {
                        self.error(ctx, sp, m);
                    }
                }
            }
            ".ascii" | ".asciz" | ".string" => {
                if ops.is_empty() {
                    need(1, "one or more strings")?;
                }
                let mut bytes = Vec::new();
                for o in &ops {
                    match o {
                        [Token {
                            tok: Tok::Str(b), ..
                        }] => {
                            bytes.extend_from_slice(b);
                            if lname != ".ascii" {
                                bytes.push(0);
                            }
                        }
                        _ => {
                            let sp = (
                                o.first().map_or(end, |t| t.start),
                                o.last().map_or(end, |t| t.end),
                            );
                            return Err((sp, "expected a string in double quotes".into()));
                        }
                    }
                }
                if let Some(off) = self.emit(ctx, hspan, &bytes) {
                    self.note_line(ctx, off);
                }
            }
            ".space" | ".skip" | ".zero" => {
                if ops.is_empty() || ops.len() > 2 || (lname == ".zero" && ops.len() != 1) {
                    need(1, "a size and an optional fill byte (`.space N[, FILL]`)")?;
                }
                let n = self.const_now(ctx, ops[0], op_end(0), "the size")?;
                let fill = if ops.len() == 2 {
                    let f = self.const_now(ctx, ops[1], end, "the fill byte")?;
                    byte_value(f).ok_or_else(|| {
                        (
                            span_of(ops[1], end),
                            format!("fill value {f:#x} does not fit in a byte (-128..255)"),
                        )
                    })?
                } else {
                    0
                };
                if n as u64 > MAX_IMAGE {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!("size {n} exceeds the 256 MiB image limit"),
                    ));
                }
                self.reserve(ctx, hspan, n as u64, &[fill]);
            }
            ".fill" => {
                if ops.is_empty() || ops.len() > 3 {
                    need(1, "`.fill REPEAT[, SIZE[, VALUE]]`")?;
                }
                let rep = self.const_now(ctx, ops[0], op_end(0), "the repeat count")?;
                let size = if ops.len() > 1 {
                    self.const_now(ctx, ops[1], op_end(1), "the size")?
                } else {
                    1
                };
                let value = if ops.len() > 2 {
                    self.const_now(ctx, ops[2], end, "the value")?
                } else {
                    0
                };
                if size > 8 {
                    return Err((
                        span_of(ops[1], op_end(1)),
                        format!("`.fill` size must be 0..8 bytes, found {size}"),
                    ));
                }
                let total = rep as u64 * size as u64;
                if total > MAX_IMAGE {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!("`.fill` of {total} bytes is larger than the 256 MiB image limit"),
                    ));
                }
                let mut pat = (value as u64).to_le_bytes()[..size as usize].to_vec();
                if pat.is_empty() {
                    return Ok(());
                }
                if pat.len() > 4 {
                    pat[4..].iter_mut().for_each(|b| *b = 0);
                }
                let off = self.cur_off();
                self.reserve(ctx, hspan, total, &pat);
                if total > 0 && !self.sections[self.cur_sec as usize].nobits {
                    self.note_line(ctx, off);
                }
            }
            ".align" | ".p2align" | ".balign" => {
                if ops.is_empty() || ops.len() > 3 {
                    need(
                        1,
                        "an alignment, an optional fill byte and an optional maximum",
                    )?;
                }
                let a = self.const_now(ctx, ops[0], op_end(0), "the alignment")?;
                let align = if lname == ".balign" {
                    if a == 0 {
                        1
                    } else if !a.is_power_of_two() {
                        return Err((
                            span_of(ops[0], op_end(0)),
                            format!("`.balign` needs a power of two, found {a}"),
                        ));
                    } else {
                        a
                    }
                } else if a > 12 {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!(
                            "`{name} {a}` asks for 2^{a} bytes; the largest alignment is 2^12 = 4096 (sections start on 4 KiB pages)"
                        ),
                    ));
                } else {
                    1u32 << a
                };
                if align > MAX_ALIGN {
                    return Err((
                        span_of(ops[0], op_end(0)),
                        format!(
                            "alignment {align} is larger than 4096 (sections start on 4 KiB pages)"
                        ),
                    ));
                }
                let fill = if ops.len() > 1 && !ops[1].is_empty() {
                    let f = self.const_now(ctx, ops[1], op_end(1), "the fill byte")?;
                    Some(byte_value(f).ok_or_else(|| {
                        (
                            span_of(ops[1], op_end(1)),
                            format!("fill value {f:#x} does not fit in a byte (-128..255)"),
                        )
                    })?)
                } else {
                    None
                };
                let max = if ops.len() > 2 {
                    Some(self.const_now(ctx, ops[2], end, "the maximum")?)
                } else {
                    None
                };
                let off = self.cur_off();
                let pad = (align - off % align) % align;
                if max.is_some_and(|m| pad > m) {
                    return Ok(());
                }
                let sec = &mut self.sections[self.cur_sec as usize];
                sec.align = sec.align.max(align);
                let sec = &self.sections[self.cur_sec as usize];
                let pattern = match fill {
                    Some(f) => vec![f],
                    None if sec.flags.exec
                        && off.is_multiple_of(4)
                        && pad.is_multiple_of(4)
                        && !sec.nobits =>
                    {
                        nop_word().to_le_bytes().to_vec()
                    }
                    None => vec![0],
                };
                self.reserve(ctx, hspan, pad as u64, &pattern);
            }
            ".org" => {
                if ops.is_empty() || ops.len() > 2 {
                    need(1, "an offset and an optional fill byte")?;
                }
                let e = self.parse_expr(ctx, ops[0], op_end(0))?;
                let sp = span_of(ops[0], op_end(0));
                let target = match self.eval1(&e) {
                    Ok(Val { sec: None, v }) => v,
                    Ok(Val { sec: Some(s), v }) if s == self.cur_sec => v,
                    Ok(_) => {
                        return Err((sp, "`.org` needs an offset in the current section".into()))
                    }
                    Err(EvalErr::Unknown) => {
                        return Err((
                            sp,
                            "`.org` needs a value known at this point (no forward references)"
                                .into(),
                        ))
                    }
                    Err(EvalErr::Error(s, m)) => return Err((s, m)),
                    Err(EvalErr::Reported) => return Ok(()),
                };
                let fill = if ops.len() == 2 {
                    let f = self.const_now(ctx, ops[1], end, "the fill byte")?;
                    byte_value(f).ok_or_else(|| {
                        (
                            span_of(ops[1], end),
                            format!("fill value {f:#x} does not fit in a byte (-128..255)"),
                        )
                    })?
                } else {
                    0
                };
                let cur = self.cur_off();
                if target < cur {
                    return Err((
                        sp,
                        format!(
                            "`.org` cannot move backwards: the section is already at offset {cur:#x}, asked for {target:#x}"
                        ),
                    ));
                }
                self.reserve(ctx, hspan, (target - cur) as u64, &[fill]);
            }
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
            ".if" | ".ifne" | ".ifeq" | ".ifgt" | ".ifge" | ".iflt" | ".ifle" => {
                let sp = (hspan.0, end.max(hspan.1));
                self.cond_open(ctx, hspan, |a| {
                    let [t] = ops.as_slice() else {
                        return Err((sp, format!("`{name}` expects one expression")));
                    };
                    let v = a.const_now(ctx, t, end, "the condition")?;
                    // Comparisons with zero are signed, as in GNU as (`.iflt -1` holds).
                    let sv = v as i32;
                    Ok(match lname.as_str() {
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
            ".exitm" => {
                need(0, "no operands")?;
                if self.macro_nest == 0 {
                    return Err((hspan, "`.exitm` outside a macro".into()));
                }
                self.exitm = true;
            }
            _ => {
                let best = DIRECTIVES
                    .iter()
                    .chain(COND_DIRECTIVES.iter())
                    .map(|k| (edit_distance(&lname, k), k))
                    .min()
                    .filter(|(d, _)| *d <= 2)
                    .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err((hspan, format!("unknown directive `{name}`{best}")));
            }
        }
        Ok(())
    }
}

/// Every directive but the conditionals ([`COND_DIRECTIVES`]), for "did you mean" hints; a
/// unit test checks that each is handled.
pub(super) const DIRECTIVES: &[&str] = &[
    ".text",
    ".data",
    ".rodata",
    ".bss",
    ".section",
    ".equ",
    ".set",
    ".equiv",
    ".global",
    ".globl",
    ".type",
    ".size",
    ".byte",
    ".half",
    ".short",
    ".2byte",
    ".hword",
    ".word",
    ".long",
    ".4byte",
    ".int",
    ".ascii",
    ".asciz",
    ".string",
    ".space",
    ".skip",
    ".zero",
    ".fill",
    ".align",
    ".balign",
    ".p2align",
    ".org",
    ".include",
    ".macro",
    ".endm",
    ".end",
    ".rept",
    ".endr",
    ".irp",
    ".error",
    ".warning",
    ".err",
    ".exitm",
    ".weak",
    ".comm",
    ".lcomm",
    ".pushsection",
    ".popsection",
    ".incbin",
    ".quad",
    ".8byte",
    ".irpc",
];

/// Directives that open, switch or close a conditional: the only statements read in lines
/// that are skipped.
pub(super) const COND_DIRECTIVES: [&str; 18] = [
    ".if",
    ".ifdef",
    ".ifndef",
    ".ifnotdef",
    ".ifeq",
    ".ifne",
    ".ifgt",
    ".ifge",
    ".iflt",
    ".ifle",
    ".ifb",
    ".ifnb",
    ".ifc",
    ".ifnc",
    ".else",
    ".elseif",
    ".endif",
    ".elsif",
];

/// Levenshtein distance, for "did you mean" hints. Strings whose lengths differ by more than
/// 2 (never a hint) are not compared: a huge token must not cost time per known name.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    if a.chars().count().abs_diff(b.chars().count()) > 2 {
        return usize::MAX;
    }
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let v = (prev[j] + (ca != *cb) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(v);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hint list and the directives handled agree.
    #[test]
    fn every_listed_directive_is_handled() {
        for d in DIRECTIVES.iter().chain(COND_DIRECTIVES.iter()) {
            let src = crate::Source::new("t.s", format!("{d}\n"));
            if let Err(e) = crate::assemble(&[src], &crate::Options::default()) {
                assert!(!e.to_string().contains("unknown directive"), "{d}: {e}");
            }
        }
    }
}
