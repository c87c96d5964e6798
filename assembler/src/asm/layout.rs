//! Section buffers: the location counter, placing bytes and reserving space in the current
//! section, and the `.section` directive that chooses it.

use super::*;

impl Assembler {
    /// Section directives: `.text`/`.data`/`.rodata`/`.bss`, `.section` and its stack, `.align`
    /// and its variants, `.org`.
    /// (`Ok(false)` if it is none of them.)
    pub(super) fn dir_sections(&mut self, d: &Dir<'_>) -> Result<bool, PErr> {
        let (lname, hspan, rest, end) = (d.lname, d.hspan, d.rest, d.end);
        let need = |n: usize, what: &str| d.need(n, what);
        match d.lname {
            ".text" | ".data" | ".rodata" | ".bss" => {
                need(0, "no operands")?;
                self.cur_sec = self.section_id(lname);
            }
            ".section" => self.section_directive(rest, hspan, end)?,
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
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Placement directives: `.align`, `.p2align`, `.balign` and `.org`.
    /// (`Ok(false)` if it is none of them.)
    pub(super) fn dir_align(&mut self, d: &Dir<'_>) -> Result<bool, PErr> {
        let (ctx, name, lname, hspan, end, ops) = (d.ctx, d.name, d.lname, d.hspan, d.end, &d.ops);
        let need = |n: usize, what: &str| d.need(n, what);
        let op_end = |i: usize| d.op_end(i);
        match d.lname {
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
                    Some(self.fill_byte(ctx, ops[1], op_end(1))?)
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
                    return Ok(true);
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
                    Err(EvalErr::Reported) => return Ok(true),
                };
                let fill = if ops.len() == 2 {
                    self.fill_byte(ctx, ops[1], end)?
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
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The id of section `name`, created (with its default flags) if new.
    pub(super) fn section_id(&mut self, name: &str) -> SecId {
        if let Some(&id) = self.sec_by_name.get(name) {
            return id;
        }
        let (flags, nobits) = default_section(name);
        self.sections.push(Section {
            name: name.to_string(),
            flags,
            nobits,
            explicit_flags: false,
            data: Vec::new(),
            size: 0,
            addr: 0,
            has_syms: false,
            align: 1,
        });
        let id = (self.sections.len() - 1) as SecId;
        self.sec_by_name.insert(name.to_string(), id);
        id
    }

    /// Offset of the location counter in the current section.
    pub(super) fn cur_off(&self) -> u32 {
        self.sections[self.cur_sec as usize].size
    }

    /// The location counter `.` as a value relative to the current section.
    pub(super) fn dot(&self) -> Val {
        Val {
            sec: Some(self.cur_sec),
            v: self.cur_off(),
        }
    }

    /// Whether the image may grow by `n` more bytes; reports an error (and says no) past
    /// [`MAX_IMAGE`].
    pub(super) fn check_grow(&mut self, ctx: &LineCtx, span: Span, n: u64) -> bool {
        if self.total + n > MAX_IMAGE {
            self.error(
                ctx,
                span,
                format!(
                    "this would make the image larger than the 256 MiB limit ({} bytes requested, {} already used)",
                    n, self.total
                ),
            );
            return false;
        }
        self.total += n;
        true
    }

    /// Records for the listing that the current line produced `len` bytes at `off` (merged with
    /// the line's previous chunk when contiguous).
    pub(super) fn note_chunk(&mut self, ctx: &LineCtx, off: u32, len: u32) {
        if len == 0 || !self.want_listing {
            return;
        }
        let sec = self.cur_sec;
        if let Some(last) = self.chunks.last_mut() {
            if last.line == ctx.listing && last.sec == sec && last.off + last.len == off {
                last.len += len;
                return;
            }
        }
        self.chunks.push(ChunkNote {
            line: ctx.listing,
            sec,
            off,
            len,
        });
    }

    /// Appends file bytes (instructions and data). Errors in a nobits section.
    pub(super) fn emit(&mut self, ctx: &LineCtx, span: Span, bytes: &[u8]) -> Option<u32> {
        let sec = &self.sections[self.cur_sec as usize];
        if sec.nobits {
            let name = sec.name.clone();
            self.error(
                ctx,
                span,
                format!(
                    "`{name}` holds no file contents: only labels, .space/.skip/.zero, .align and .org are allowed there"
                ),
            );
            return None;
        }
        if !self.check_grow(ctx, span, bytes.len() as u64) {
            return None;
        }
        let off = self.cur_off();
        let sec = &mut self.sections[self.cur_sec as usize];
        sec.data.extend_from_slice(bytes);
        sec.size += bytes.len() as u32;
        self.note_chunk(ctx, off, bytes.len() as u32);
        Some(off)
    }

    /// Reserves `n` bytes of `fill` (allowed in nobits sections when `fill` is 0).
    pub(super) fn reserve(&mut self, ctx: &LineCtx, span: Span, n: u64, pattern: &[u8]) {
        if n == 0 {
            return;
        }
        let nobits = self.sections[self.cur_sec as usize].nobits;
        if nobits && pattern.iter().any(|&b| b != 0) {
            let name = self.sections[self.cur_sec as usize].name.clone();
            self.error(
                ctx,
                span,
                format!("`{name}` holds no file contents: the fill value must be 0 there"),
            );
            return;
        }
        if !self.check_grow(ctx, span, n) {
            return;
        }
        let off = self.cur_off();
        let sec = &mut self.sections[self.cur_sec as usize];
        if !nobits {
            if let [b] = pattern {
                sec.data.resize(sec.data.len() + n as usize, *b);
            } else {
                // Multi-byte patterns (.fill values, nop padding) repeat from the start of the
                // reserved range.
                let n = n as usize;
                sec.data.reserve(n);
                let full = n / pattern.len();
                for _ in 0..full {
                    sec.data.extend_from_slice(pattern);
                }
                sec.data.extend_from_slice(&pattern[..n % pattern.len()]);
            }
        }
        sec.size += n as u32;
        self.note_chunk(ctx, off, n as u32);
    }

    /// Records for the line table that the current line's bytes start at `off`.
    pub(super) fn note_line(&mut self, ctx: &LineCtx, off: u32) {
        self.lines.push(LineNote {
            sec: self.cur_sec,
            off,
            file: ctx.phys.0,
            line: ctx.phys.1,
        });
    }

    /// `.section name[, "flags"[, @type]]`: switches to (or creates) the section. Errors: no or
    /// bad name, bad flags or type, flags or type that contradict an earlier declaration.
    pub(super) fn section_directive(
        &mut self,
        rest: &[Token],
        hspan: Span,
        end: usize,
    ) -> Result<(), PErr> {
        let ops = split_operands(rest, end)?;
        let Some(first) = ops.first() else {
            return Err((hspan, "`.section` expects a section name".into()));
        };
        let name = match first {
            [Token {
                tok: Tok::Ident(n), ..
            }] => n.clone(),
            [Token {
                tok: Tok::Str(b), ..
            }] => String::from_utf8_lossy(b).to_string(),
            _ => {
                return Err((
                    span_of(first, end),
                    "expected a section name like `.text.boot` or `\"name\"`".into(),
                ))
            }
        };
        if name.is_empty() || name.len() > 200 || name.contains('\0') {
            return Err((span_of(first, end), "invalid section name".into()));
        }
        let (mut flags, mut nobits) = default_section(&name);
        let mut explicit = false;
        if let Some(f) = ops.get(1) {
            let [Token {
                tok: Tok::Str(b), ..
            }] = f
            else {
                return Err((
                    span_of(f, end),
                    "expected section flags in quotes, like \"ax\", \"aw\" or \"a\"".into(),
                ));
            };
            flags = SegFlags::R;
            for &c in b.iter() {
                match c {
                    b'a' => {}
                    b'w' => flags.write = true,
                    b'x' => flags.exec = true,
                    _ => {
                        return Err((
                            span_of(f, end),
                            format!(
                                "unknown section flag `{}`: use a (allocate), w (writable), x (executable)",
                                c as char
                            ),
                        ))
                    }
                }
            }
            explicit = true;
        }
        if let Some(t) = ops.get(2) {
            let ty: Vec<&Token> = t.iter().filter(|t| !t.is_p("@") && !t.is_p("%")).collect();
            match ty.as_slice() {
                [t] if t.ident() == Some("nobits") => nobits = true,
                [t] if t.ident() == Some("progbits") => nobits = false,
                _ => {
                    return Err((
                        span_of(t, end),
                        "expected a section type: @progbits or @nobits".into(),
                    ))
                }
            }
            explicit = true;
        }
        if ops.len() > 3 {
            return Err((
                span_of(ops[3], end),
                "`.section` takes a name, flags and a type; found more".into(),
            ));
        }
        let existed = self.sec_by_name.contains_key(&name);
        let id = self.section_id(&name);
        let sec = &mut self.sections[id as usize];
        if explicit {
            if existed && sec.explicit_flags && (sec.flags != flags || sec.nobits != nobits) {
                return Err((
                    span_of(first, end),
                    format!(
                        "section `{name}` was declared before with other flags ({}{})",
                        sec.flags,
                        if sec.nobits { ", @nobits" } else { "" }
                    ),
                ));
            }
            if existed && sec.size > 0 && sec.nobits != nobits {
                return Err((
                    span_of(first, end),
                    format!("section `{name}` already has contents; its type cannot change"),
                ));
            }
            sec.flags = flags;
            sec.nobits = nobits;
            sec.explicit_flags = true;
        }
        self.cur_sec = id;
        Ok(())
    }
}

/// Flags and nobits of a section created by name: `.text` r-x, `.rodata` r--, `.bss` rw- nobits,
/// anything else rw-.
pub(super) fn default_section(name: &str) -> (SegFlags, bool) {
    let is = |p: &str| name == p || name.starts_with(&format!("{p}."));
    if is(".text") {
        (SegFlags::RX, false)
    } else if is(".data") {
        (SegFlags::RW, false)
    } else if is(".bss") {
        (SegFlags::RW, true)
    } else {
        (SegFlags::R, false)
    }
}

/// The encoding of `nop` (`addi zero, zero, 0`): the fill of alignment padding in code.
pub(super) fn nop_word() -> u32 {
    encode(&Insn::new(Opcode::Addi)).unwrap_or(0)
}
