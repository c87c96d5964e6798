//! Directives: the known list, and dispatch of each to its handler.

use super::*;

/// A directive being handled: its name as written and lower-cased, where it is, its operands.
pub(super) struct Dir<'a> {
    /// The line it is on.
    pub(super) ctx: &'a Rc<LineCtx>,
    /// The name as written (for messages).
    pub(super) name: &'a str,
    /// The name in lower case (for matching).
    pub(super) lname: &'a str,
    /// Span of the name.
    pub(super) hspan: Span,
    /// The operand tokens, unsplit.
    pub(super) rest: &'a [Token],
    /// Byte offset where the statement ends.
    pub(super) end: usize,
    /// The operands, split at top-level commas.
    pub(super) ops: Vec<&'a [Token]>,
}

impl Dir<'_> {
    /// An error unless there are exactly `n` operands (`what` says what is expected).
    pub(super) fn need(&self, n: usize, what: &str) -> Result<(), PErr> {
        if self.ops.len() != n {
            Err((
                (self.hspan.0, self.end.max(self.hspan.1)),
                format!(
                    "`{}` expects {what}, found {} operand(s)",
                    self.name,
                    self.ops.len()
                ),
            ))
        } else {
            Ok(())
        }
    }

    /// Where operand `i` ends: just before the next operand, or at the end of the statement.
    pub(super) fn op_end(&self, i: usize) -> usize {
        self.ops
            .get(i + 1)
            .and_then(|o| o.first())
            .map(|t| t.start.saturating_sub(1))
            .unwrap_or(self.end)
    }
}

impl Assembler {
    /// Symbol directives: `.equ`/`.set`/`.equiv`, `.global`/`.weak`, `.comm`/`.lcomm`, `.type`,
    /// `.size`; and `.incbin`.
    /// (`Ok(false)` if it is none of them.)
    pub(super) fn dir_symbols(&mut self, d: &Dir<'_>) -> Result<bool, PErr> {
        let (ctx, lname, hspan, end, ops) = (d.ctx, d.lname, d.hspan, d.end, &d.ops);
        let need = |n: usize, what: &str| d.need(n, what);
        let op_end = |i: usize| d.op_end(i);
        match d.lname {
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
                for o in ops {
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
                e.size = Some(Box::new(Later {
                    expr: Expr::Num(size),
                    ctx: ctx.clone(),
                    dot,
                    seq,
                }));
                self.reserve(ctx, hspan, size as u64, &[0]);
                self.cur_sec = prev;
            }
            ".incbin" => self.incbin(ctx, hspan, ops, end, &op_end)?,
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
                self.sym_entry(&sym).size = Some(Box::new(Later {
                    expr: e,
                    ctx: ctx.clone(),
                    dot,
                    seq,
                }));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Handles one directive statement: `name` (as written, span `hspan`) with operand tokens
    /// `rest` up to byte `end` of the line. Conditionals are followed even in skipped regions
    /// (they nest); everything else only where lines are assembled. Errors: wrong operands,
    /// unknown directive (with the nearest known name), and each handler's own.
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
        let d = Dir {
            ctx,
            name,
            lname: &lname,
            hspan,
            rest,
            end,
            ops,
        };
        // Each group says whether the directive is one of its own.
        if self.dir_sections(&d)?
            || self.dir_align(&d)?
            || self.dir_data(&d)?
            || self.dir_symbols(&d)?
            || self.dir_blocks(&d)?
            || self.dir_conds(&d)?
        {
            return Ok(());
        }
        let best = DIRECTIVES
            .iter()
            .chain(COND_DIRECTIVES.iter())
            .map(|k| (edit_distance(&lname, k), k))
            .min()
            .filter(|(d, _)| *d <= 2)
            .map(|(_, k)| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        Err((hspan, format!("unknown directive `{name}`{best}")))
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
