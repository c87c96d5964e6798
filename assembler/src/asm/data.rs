//! Data values: `.byte`/`.half`/`.word`/... operands, encoded now or left as fixups.

use super::*;

impl Assembler {
    /// Data directives: `.byte` and the other sized values, strings, `.space`, `.fill`.
    /// (`Ok(false)` if it is none of them.)
    pub(super) fn dir_data(&mut self, d: &Dir<'_>) -> Result<bool, PErr> {
        let (ctx, lname, hspan, end, ops) = (d.ctx, d.lname, d.hspan, d.end, &d.ops);
        let need = |n: usize, what: &str| d.need(n, what);
        let op_end = |i: usize| d.op_end(i);
        match d.lname {
            ".byte" | ".half" | ".short" | ".2byte" | ".hword" | ".word" | ".long" | ".4byte"
            | ".int" | ".quad" | ".8byte" => {
                let size = match lname {
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
                for o in ops {
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
                    self.fill_byte(ctx, ops[1], end)?
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
                    return Ok(true);
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
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Emits one `size`-byte value of expression `e` (little-endian): now if it is a constant,
    /// else zeros and a fixup. Errors (as `Err`): a value that does not fit `size` bytes.
    pub(super) fn data_value(
        &mut self,
        ctx: &Rc<LineCtx>,
        e: Expr,
        span: Span,
        size: u8,
    ) -> Result<(), PErr> {
        let val = match self.eval1(&e) {
            Ok(Val { sec: None, v }) => Some(v),
            Ok(_) | Err(EvalErr::Unknown) => None,
            Err(EvalErr::Error(s, m)) => return Err((s, m)),
            Err(EvalErr::Reported) => return Ok(()),
        };
        let bytes = match val {
            Some(v) => encode_data(v, size).map_err(|m| (span, m))?,
            None => vec![0; size as usize],
        };
        let dot = (self.cur_sec, self.cur_off());
        let Some(off) = self.emit(ctx, span, &bytes[..size as usize]) else {
            return Ok(());
        };
        self.note_line(ctx, off);
        if val.is_none() {
            self.fixups.push(Fixup {
                sec: self.cur_sec,
                off,
                unit: self.cur_unit,
                dot,
                expr: e,
                kind: FixKind::Data(size),
                ctx: ctx.clone(),
                span,
                seq: self.seq,
            });
        }
        Ok(())
    }
}

impl Assembler {
    /// The fill byte operand of `.space`, `.align` or `.org` (`toks`, ending at byte `end`):
    /// a constant known now that fits in a byte (-128..255), else an error at the operand.
    pub(super) fn fill_byte(&self, ctx: &LineCtx, toks: &[Token], end: usize) -> Result<u8, PErr> {
        let f = self.const_now(ctx, toks, end, "the fill byte")?;
        byte_value(f).ok_or_else(|| {
            (
                span_of(toks, end),
                format!("fill value {f:#x} does not fit in a byte (-128..255)"),
            )
        })
    }
}

/// `v` as a byte, if it fits as unsigned (0..=255) or as signed (-128..=-1).
pub(super) fn byte_value(v: u32) -> Option<u8> {
    (v <= 0xff || v >= 0xffff_ff80).then_some(v as u8)
}

/// `v` as `size` little-endian bytes. Error: a value that fits neither signed nor unsigned.
pub(super) fn encode_data(v: u32, size: u8) -> Result<Vec<u8>, String> {
    match size {
        1 => byte_value(v).map(|b| vec![b]).ok_or_else(|| {
            format!("value {v:#x} does not fit in a byte (-128..255); use .half or .word")
        }),
        2 => {
            if v <= 0xffff || v >= 0xffff_8000 {
                Ok((v as u16).to_le_bytes().to_vec())
            } else {
                Err(format!(
                    "value {v:#x} does not fit in a half-word (-32768..65535); use .word"
                ))
            }
        }
        // Values are 32-bit: a quad is the value zero-extended.
        8 => Ok((v as u64).to_le_bytes().to_vec()),
        _ => Ok(v.to_le_bytes().to_vec()),
    }
}
