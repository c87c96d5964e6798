//! The commands that show and change data: registers and memory (`set`, `x`, `print`,
//! `display`), code (`disassemble`, `list`) and the call stack (`backtrace`).

use super::stops::parse_ids;
use super::{parse_count, Call};
use crate::expr::{self, Place};
use crate::location::file_line;
use crate::session::{format_value, CmdResult, DbgError, Debugger, DisplayItem};

impl Debugger {
    /// `set $REG = EXPR | set *ADDR = EXPR | set timetravel-limit SIZE`.
    pub(super) fn cmd_set(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let rest = rest
            .strip_prefix("var ")
            .or_else(|| rest.strip_prefix("variable "))
            .unwrap_or(rest)
            .trim();
        if let Some(size) = rest.strip_prefix("timetravel-limit") {
            let bytes = parse_history_size(size.trim())?;
            self.tt.set_limit(bytes);
            self.say(format!(
                "Time travel keeps at most {} MiB of saved memory; the oldest snapshots are \
                 dropped beyond it.",
                bytes >> 20
            ));
            return Ok(());
        }
        let Some((lhs, rhs)) = expr::split_assignment(rest) else {
            return Err(DbgError::hint(
                "set needs an assignment",
                "set $a0 = 5 | set $pc = main | set *(u8*)0x1000 = 'A' | set timetravel-limit \
                 256M",
            ));
        };
        self.assign(lhs, rhs)?;
        Ok(())
    }

    /// `LHS = RHS`: returns the value assigned.
    fn assign(&mut self, lhs: &str, rhs: &str) -> Result<i64, DbgError> {
        let l = self.parse_expr(lhs.trim())?;
        let r = self.parse_expr(rhs.trim())?;
        let v = self.eval(&r)?;
        let place = l
            .lvalue(&expr::Env {
                m: &self.m,
                history: &self.values,
            })
            .map_err(DbgError::from)?;
        match place {
            Place::Var(var) => {
                var.write(&mut self.m, v as u32).map_err(DbgError::from)?;
            }
            Place::Mem(addr, size) => {
                if addr & (size - 1) != 0 {
                    return Err(format!("{addr:#010x} is not aligned to {size}").into());
                }
                expr::write_virt(&mut self.m, addr, size, v as u32).map_err(DbgError::from)?;
            }
        }
        // The debugger's own write is not the guest's: no watch report.
        self.m.take_watch_hit();
        self.note_modified();
        Ok(v)
    }

    /// `x/NFU [-phys] ADDR`.
    pub(super) fn cmd_x(&mut self, c: &Call) -> CmdResult {
        let (spec, rest) = (c.fmt.unwrap_or(""), c.rest);
        let (count, fmt, size) = parse_xfmt(spec, self.x_fmt)?;
        let (phys, arg) = match rest.strip_prefix("-phys") {
            Some(r) => (true, r.trim()),
            None => (false, rest),
        };
        let addr = if arg.is_empty() {
            self.x_next.ok_or_else(|| {
                DbgError::hint(
                    "x needs an address the first time",
                    "x/4xw $sp, x/s msg, x/3i $pc",
                )
            })?
        } else {
            self.eval_str(arg)? as u32
        };
        self.x_fmt = (count, fmt, size);
        let size = if matches!(fmt, 's' | 'i') { 1 } else { size };
        if size > 1 && addr & (size - 1) != 0 {
            return Err(DbgError::hint(
                format!("{addr:#010x} is not aligned to the unit size {size}"),
                "use x/Nxb for bytes at any address",
            ));
        }
        self.examine(count, fmt, size, addr, phys)
    }

    /// `print[/F] EXPR`.
    pub(super) fn cmd_print(&mut self, c: &Call) -> CmdResult {
        let (fmt, rest) = (c.fmt, c.rest);
        let f = match fmt {
            None | Some("") => None,
            Some(f) if f.len() == 1 && "xduotca".contains(f) => f.chars().next(),
            Some(f) => {
                return Err(DbgError::hint(
                    format!("print: unknown format `/{f}`"),
                    "print/x, /d, /u, /o, /t (binary), /c, /a",
                ))
            }
        };
        if rest.is_empty() {
            let Some(v) = self.values.last().copied() else {
                return Err(DbgError::hint("nothing to print", "print EXPR"));
            };
            let n = self.values.len();
            self.say(format!("${n} = {}", format_value(v, f)));
            return Ok(());
        }
        let (v, address) = match expr::split_assignment(rest) {
            Some((lhs, rhs)) => (self.assign(lhs, rhs)?, false),
            None => {
                let e = self.parse_expr(rest)?;
                (self.eval(&e)?, e.is_address())
            }
        };
        self.values.push(v);
        let n = self.values.len();
        let mut text = format!("${n} = {}", format_value(v, f));
        // GDB's rule: addresses get the symbol they point into, integers do not.
        if f == Some('a') || (f.is_none() && address) {
            text += &self.value_sym(v as u32);
        }
        self.say(text);
        Ok(())
    }

    /// `display[/F] EXPR`.
    pub(super) fn cmd_display(&mut self, c: &Call) -> CmdResult {
        let (fmt, rest) = (c.fmt, c.rest);
        if rest.is_empty() {
            self.show_displays();
            return Ok(());
        }
        let f = match fmt {
            None | Some("") => None,
            Some(f) if f.len() == 1 && "xduotcai".contains(f) => f.chars().next(),
            Some(f) => {
                return Err(DbgError::hint(
                    format!("display: unknown format `/{f}`"),
                    "display/x EXPR, display/i $pc",
                ))
            }
        };
        let e = self.parse_expr(rest)?;
        let id = self.next_display;
        self.next_display += 1;
        self.displays.push(DisplayItem {
            id,
            text: rest.to_string(),
            expr: e,
            fmt: f,
        });
        // Show it once now, as GDB does.
        let saved = std::mem::take(&mut self.displays);
        let one: Vec<DisplayItem> = saved
            .iter()
            .filter(|d| d.id == id)
            .map(|d| DisplayItem {
                id: d.id,
                text: d.text.clone(),
                expr: d.expr.clone(),
                fmt: d.fmt,
            })
            .collect();
        self.displays = one;
        self.show_displays();
        self.displays = saved;
        Ok(())
    }

    /// `undisplay [N...]`.
    pub(super) fn cmd_undisplay(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        if rest.is_empty() {
            self.displays.clear();
        } else {
            for id in parse_ids(rest)? {
                let before = self.displays.len();
                self.displays.retain(|d| d.id != id);
                if self.displays.len() == before {
                    return Err(DbgError::hint(
                        format!("no display number {id}"),
                        "`info display` lists them",
                    ));
                }
            }
        }
        Ok(())
    }

    /// `disassemble [LOC | START,END | START,+LEN]`.
    pub(super) fn cmd_disassemble(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let (start, end, title) = if rest.is_empty() {
            self.function_range(self.m.cpu.pc)?
        } else if let Some((a, b)) = rest.split_once(',') {
            let start = self.resolve(a)?;
            let b = b.trim();
            let end = match b.strip_prefix('+') {
                Some(len) => start.wrapping_add(self.eval_str(len)? as u32),
                None => self.resolve(b)?,
            };
            if end < start || end - start > 4 * 4096 {
                return Err(DbgError::hint(
                    "bad address range",
                    "START,END with END after START (at most 16 KiB), or START,+LEN",
                ));
            }
            (start, end, None)
        } else {
            let a = self.resolve(rest)?;
            self.function_range(a)?
        };
        self.disassemble(start, end, title.as_deref());
        Ok(())
    }

    /// `list [LOC | FILE:LINE]`.
    pub(super) fn cmd_list(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        if rest.is_empty() {
            self.list(None, false)?
        } else if let Some((f, l)) = file_line(rest) {
            let file = self
                .syms
                .files()
                .into_iter()
                .find(|x| x == f || crate::symbols::short_file(x) == crate::symbols::short_file(f))
                .unwrap_or_else(|| f.to_string());
            self.list(Some((file, l)), true)?
        } else {
            let a = self.resolve(rest)?;
            let Some(li) = self.syms.line_at(a).cloned() else {
                return Err(format!("no source line for {a:#010x}").into());
            };
            self.list(Some((li.file, li.line)), true)?
        }
        Ok(())
    }

    /// `backtrace [N]`.
    pub(super) fn cmd_backtrace(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let n = if rest.is_empty() {
            64
        } else {
            parse_count(self, rest, "frame")?.clamp(1, 4096) as usize
        };
        for l in self.backtrace_lines(n) {
            self.say(l);
        }
        Ok(())
    }
}

/// Parses the `/NFU` of `x`: count, format, size (previous values as defaults).
fn parse_xfmt(spec: &str, prev: (u32, char, u32)) -> Result<(u32, char, u32), DbgError> {
    let digits: String = spec.chars().take_while(|c| c.is_ascii_digit()).collect();
    let count = if digits.is_empty() {
        1
    } else {
        digits
            .parse::<u32>()
            .ok()
            .filter(|&n| n <= 100_000)
            .ok_or_else(|| DbgError::from("x: count too large (at most 100000)"))?
    };
    let (mut fmt, mut size) = (prev.1, prev.2);
    let mut size_given = false;
    for c in spec[digits.len()..].chars() {
        match c {
            'x' | 'd' | 'u' | 'o' | 't' | 'a' | 'c' | 's' | 'i' => fmt = c,
            'b' => {
                size = 1;
                size_given = true
            }
            'h' => {
                size = 2;
                size_given = true
            }
            'w' => {
                size = 4;
                size_given = true
            }
            'g' => {
                return Err(DbgError::hint(
                    "RF32 has no 8-byte unit",
                    "sizes are b (byte), h (half, 2), w (word, 4)",
                ))
            }
            other => {
                return Err(DbgError::hint(
                    format!("x: unknown format letter `{other}`"),
                    "formats x d u o t a c s i; sizes b h w; e.g. x/8xw $sp",
                ))
            }
        }
    }
    if fmt == 'c' && !size_given {
        size = 1;
    }
    if fmt == 'a' {
        size = 4;
    }
    Ok((count, fmt, size))
}

/// `set timetravel-limit SIZE`: a number of bytes with a K, M or G suffix (MiB without one).
fn parse_history_size(s: &str) -> Result<usize, DbgError> {
    let hint = "set timetravel-limit 256M (K, M or G; a bare number is MiB)";
    let (digits, shift) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 30),
        _ => (s, 20),
    };
    let n: u64 = digits
        .trim()
        .parse()
        .map_err(|_| DbgError::hint(format!("`{}` is not a size", expr::quote(s)), hint))?;
    match n
        .checked_shl(shift)
        .filter(|b| (b >> shift) == n && *b <= 1 << 40)
    {
        Some(b) => Ok(b as usize),
        None => Err(DbgError::hint(
            format!("`{}` is too large (at most 1T)", expr::quote(s)),
            hint,
        )),
    }
}
