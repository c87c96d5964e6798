//! The commands that set stop points: breakpoints, watchpoints, catchpoints, and their
//! conditions.

use super::Call;
use crate::expr;
use crate::location::split_if;
use crate::points::{Catch, Kind, Watch, WatchKind};
use crate::session::{CmdResult, DbgError, Debugger};
use isa_spec::cr::vector;

/// What `catch` catches (the first word of its argument).
pub const CATCH_KINDS: &[&str] = &["ring-change", "gate", "exception", "interrupt"];

/// The exceptions `catch exception` knows by name.
pub const EXCEPTION_NAMES: &[(&str, u8)] = &[
    ("illegal", vector::ILLEGAL),
    ("privilege", vector::PRIVILEGE),
    ("misaligned", vector::MISALIGNED),
    ("bus-error", vector::BUS_ERROR),
    ("page-fault", vector::PAGE_FAULT),
    ("gate-fault", vector::GATE_FAULT),
    ("divide", vector::DIVIDE),
    ("breakpoint", vector::BREAKPOINT),
    ("io-privilege", vector::IO_PRIVILEGE),
    ("double-fault", vector::DOUBLE_FAULT),
];

impl Debugger {
    /// `break LOC [if EXPR]`, `tbreak`.
    pub(super) fn cmd_break(&mut self, c: &Call) -> CmdResult {
        let (rest, temp) = (c.rest, c.name == "tbreak");
        let (loc, cond) = split_if(rest);
        let addr = if loc.is_empty() {
            self.m.cpu.pc
        } else {
            self.resolve(loc)?
        };
        if addr & 3 != 0 {
            return Err(DbgError::hint(
                format!("{addr:#010x} is not 4-byte aligned: no instruction starts there"),
                "instructions are at multiples of 4",
            ));
        }
        let cond = match cond {
            Some("") => {
                return Err(DbgError::hint(
                    "`if` needs a condition",
                    "break LOC if $a0 == 3",
                ))
            }
            Some(c) => Some((c.to_string(), self.parse_expr(c)?)),
            None => None,
        };
        let what = if loc.is_empty() {
            format!("{addr:#x}")
        } else {
            loc.to_string()
        };
        let id = self.points.add(Kind::Break { addr, temp }, cond, what);
        let label = if temp {
            "Temporary breakpoint"
        } else {
            "Breakpoint"
        };
        let line = format!(
            "{label} {id} at {addr:#010x}{}{}",
            self.syms.angle(addr),
            self.syms.line_suffix(addr)
        );
        self.say(line);
        Ok(())
    }

    /// `delete`, `disable`, `enable` [N...].
    pub(super) fn cmd_points(&mut self, c: &Call) -> CmdResult {
        let (which, rest) = (c.name, c.rest);
        let ids: Vec<usize> = if rest.is_empty() {
            self.points.list.iter().map(|p| p.id).collect()
        } else {
            parse_ids(rest)?
        };
        for id in ids {
            let ok = match which {
                "delete" => self.points.remove(id),
                _ => match self.points.get_mut(id) {
                    Some(p) => {
                        p.enabled = which == "enable";
                        true
                    }
                    None => false,
                },
            };
            if !ok {
                return Err(DbgError::hint(
                    format!("no breakpoint, watchpoint or catchpoint number {id}"),
                    "`info breakpoints` lists them",
                ));
            }
        }
        Ok(())
    }

    /// `condition N [EXPR]`.
    pub(super) fn cmd_condition(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let (n, cond_text) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let id: usize = n.parse().map_err(|_| {
            DbgError::hint(
                "condition needs a stop point number",
                "condition 1 $a0 == 0",
            )
        })?;
        let cond = if cond_text.is_empty() {
            None
        } else {
            Some((cond_text.to_string(), self.parse_expr(cond_text)?))
        };
        let p = self.points.get_mut(id).ok_or_else(|| bad_id(n))?;
        let removed = cond.is_none();
        p.cond = cond;
        if removed {
            self.say(format!("Breakpoint {id} now unconditional."));
        }
        Ok(())
    }

    /// `watch`, `rwatch`, `awatch` [-phys] TARGET [if EXPR].
    pub(super) fn cmd_watch(&mut self, c: &Call) -> CmdResult {
        let kind = match c.name {
            "watch" => WatchKind::Write,
            "rwatch" => WatchKind::Read,
            _ => WatchKind::Access,
        };
        let rest = c.rest;
        let (target, cond) = split_if(rest);
        let (phys, target) = match target
            .strip_prefix("-phys")
            .or_else(|| target.strip_prefix("-p "))
            .or_else(|| target.strip_prefix("-physical"))
        {
            Some(t) => (true, t.trim()),
            None => (false, target),
        };
        if target.is_empty() {
            return Err(DbgError::hint(
                "watch needs an address or symbol",
                "watch counter | watch 0x1000 | watch *(u8*)flag | watch -phys 0x2000",
            ));
        }
        let (addr, len) = self.watch_target(target)?;
        if addr & (len - 1) != 0 {
            return Err(DbgError::hint(
                format!("{addr:#010x} is not aligned to the watched size ({len})"),
                "RF32 accesses are aligned; watch an aligned address",
            ));
        }
        let readable = if phys {
            self.m.peek_phys(addr, len).is_some()
        } else {
            expr::read_virt(&self.m, addr, len).is_some()
        };
        if !readable {
            return Err(DbgError::hint(
                format!(
                    "cannot watch {addr:#010x}: no RAM there{}",
                    if phys { "" } else { " (or not mapped now)" }
                ),
                "watch an address in RAM",
            ));
        }
        let cond = match cond {
            Some("") => return Err("`if` needs a condition".into()),
            Some(c) => Some((c.to_string(), self.parse_expr(c)?)),
            None => None,
        };
        let old = if phys {
            self.m.peek_phys(addr, len)
        } else {
            expr::read_virt(&self.m, addr, len)
        };
        let id = self.points.add(
            Kind::Watch(Watch {
                kind,
                addr,
                len,
                phys,
                old,
            }),
            cond,
            target.to_string(),
        );
        let line = format!(
            "{} {id}: {target} ({} byte{} at {}{addr:#010x}{})",
            kind.label(),
            len,
            if len == 1 { "" } else { "s" },
            if phys { "physical " } else { "" },
            self.syms.angle(addr)
        );
        self.say(line);
        Ok(())
    }

    /// `catch ring-change | gate [N] | exception [CAUSE] | interrupt [LINE]`.
    pub(super) fn cmd_catch(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let (spec, cond) = split_if(rest);
        let mut words = spec.split_whitespace();
        let kind = words.next().unwrap_or("");
        let arg: Vec<&str> = words.collect();
        let arg = arg.join(" ");
        let catch = match kind {
            "ring-change" | "ring" | "rings" => Catch::RingChange,
            "gate" | "callg" => Catch::Gate(if arg.is_empty() {
                None
            } else {
                let v = self.eval_str(&arg)?;
                Some(v as u32)
            }),
            "exception" | "fault" | "trap" => Catch::Exception(if arg.is_empty() {
                None
            } else {
                Some(parse_exception(&arg)?)
            }),
            "interrupt" | "irq" => Catch::Interrupt(if arg.is_empty() {
                None
            } else {
                let v = self.eval_str(&arg)?;
                if !(0..16).contains(&v) {
                    return Err(DbgError::hint(
                        format!("there is no interrupt line {v}"),
                        format!(
                            "lines are 0..15 ({})",
                            emulator::devices::Devices::lines()
                                .iter()
                                .map(|(l, name)| format!("{l} {name}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                Some(v as u8)
            }),
            "" => {
                return Err(DbgError::hint(
                    "catch what?",
                    "catch ring-change | gate [N] | exception [CAUSE] | interrupt [LINE]",
                ))
            }
            other => {
                return Err(DbgError::hint(
                    format!("cannot catch `{other}`"),
                    "catch ring-change | gate [N] | exception [CAUSE] | interrupt [LINE]",
                ))
            }
        };
        if matches!(catch, Catch::RingChange) && !arg.is_empty() {
            return Err("catch ring-change takes no argument".into());
        }
        let cond = match cond {
            Some("") => return Err("`if` needs a condition".into()),
            Some(c) => Some((c.to_string(), self.parse_expr(c)?)),
            None => None,
        };
        let desc = catch.describe();
        let id = self.points.add(Kind::Catch(catch), cond, desc.clone());
        self.say(format!("Catchpoint {id} ({desc})"));
        Ok(())
    }
}

pub(super) fn parse_ids(arg: &str) -> Result<Vec<usize>, DbgError> {
    let mut ids = Vec::new();
    for w in arg.split_whitespace() {
        if let Some((a, b)) = w.split_once('-') {
            let (a, b): (usize, usize) = match (a.parse(), b.parse()) {
                (Ok(a), Ok(b)) if a <= b => (a, b),
                _ => return Err(bad_id(w)),
            };
            ids.extend(a..=b);
        } else {
            ids.push(w.parse().map_err(|_| bad_id(w))?);
        }
    }
    Ok(ids)
}

fn bad_id(w: &str) -> DbgError {
    DbgError::hint(
        format!("`{w}` is not a stop point number"),
        "`info breakpoints` lists the numbers",
    )
}

fn parse_exception(arg: &str) -> Result<u8, DbgError> {
    let a = arg.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    if let Some((_, v)) = EXCEPTION_NAMES.iter().find(|(n, _)| *n == a) {
        return Ok(*v);
    }
    match expr::parse_number(&a) {
        Ok(v) if (0..64).contains(&v) => Ok(v as u8),
        _ => Err(DbgError::hint(
            format!("`{}` is not an exception", crate::expr::quote(arg)),
            "give a vector number 0..63 or one of illegal privilege misaligned bus-error \
             page-fault gate-fault divide breakpoint io-privilege double-fault",
        )),
    }
}
