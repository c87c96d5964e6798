//! `info`: its subcommands are a table too (name, short names, handler), which completion and
//! the error hint read.

use super::Call;
use crate::session::{CmdResult, DbgError, Debugger};

/// One `info` subcommand.
pub struct InfoSub {
    /// Its name.
    pub name: &'static str,
    /// Short names that win over prefixes (`info r` is registers, not rings).
    pub aliases: &'static [&'static str],
    /// What it shows, from its argument.
    pub run: fn(&mut Debugger, &str) -> CmdResult,
}

/// Every `info` subcommand, in the order the hint lists them.
#[rustfmt::skip]
pub const INFO: &[InfoSub] = &[
    InfoSub { name: "registers", aliases: &["r", "reg", "regs"], run: info_registers },
    InfoSub { name: "all-registers", aliases: &[], run: info_all_registers },
    InfoSub { name: "cr", aliases: &[], run: |d, _| d.info_cr() },
    InfoSub { name: "rings", aliases: &[], run: |d, _| d.info_rings() },
    InfoSub { name: "gates", aliases: &[], run: |d, _| d.info_gates() },
    InfoSub { name: "vectors", aliases: &[], run: |d, _| d.info_vectors() },
    InfoSub { name: "pagetable", aliases: &["pt", "page", "pages"], run: info_pagetable },
    InfoSub { name: "tlb", aliases: &[], run: |d, _| d.info_tlb() },
    InfoSub { name: "devices", aliases: &["dev"], run: |d, _| d.info_devices() },
    InfoSub { name: "breakpoints", aliases: &["b", "br", "break"], run: |d, _| d.info_breakpoints() },
    InfoSub { name: "watchpoints", aliases: &[], run: |d, _| d.info_breakpoints() },
    InfoSub { name: "display", aliases: &[], run: info_display },
    InfoSub { name: "symbol", aliases: &[], run: info_symbol },
    InfoSub { name: "line", aliases: &[], run: info_line },
    InfoSub { name: "timetravel", aliases: &["snapshots", "history"], run: info_timetravel },
];

/// Finds an `info` subcommand: a short name, a unique prefix, or an exact name that is also a
/// prefix of another.
fn find(sub: &str) -> Result<&'static InfoSub, DbgError> {
    if let Some(s) = INFO.iter().find(|s| s.aliases.contains(&sub)) {
        return Ok(s);
    }
    let subs: Vec<&InfoSub> = if sub.is_empty() {
        Vec::new()
    } else {
        INFO.iter().filter(|s| s.name.starts_with(sub)).collect()
    };
    match subs.as_slice() {
        [one] => Ok(one),
        [_, _, ..] if subs.iter().any(|s| s.name == sub) => {
            Ok(subs.into_iter().find(|s| s.name == sub).expect("just seen"))
        }
        _ => {
            let names: Vec<&str> = INFO.iter().map(|s| s.name).collect();
            Err(DbgError::hint(
                if sub.is_empty() {
                    "info what?".to_string()
                } else {
                    format!("no `info {sub}`")
                },
                format!("info {}", names.join("|")),
            ))
        }
    }
}

impl Debugger {
    /// `info SUBCOMMAND [ARG]`.
    pub(super) fn cmd_info(&mut self, c: &Call) -> CmdResult {
        let rest = c.rest;
        let (sub, arg) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        (find(sub)?.run)(self, arg)
    }
}

/// `info registers [REG...]`.
fn info_registers(d: &mut Debugger, arg: &str) -> CmdResult {
    let regs: Vec<&str> = arg.split_whitespace().collect();
    d.info_registers(&regs)
}

/// `info all-registers`: as in GDB, the general registers, then every other register (here
/// the control registers).
fn info_all_registers(d: &mut Debugger, arg: &str) -> CmdResult {
    let regs: Vec<&str> = arg.split_whitespace().collect();
    d.info_registers(&regs)?;
    if regs.is_empty() {
        d.info_cr()?;
    }
    Ok(())
}

/// `info pagetable [VA]`.
fn info_pagetable(d: &mut Debugger, arg: &str) -> CmdResult {
    let va = if arg.is_empty() {
        None
    } else {
        Some(d.eval_str(arg)? as u32)
    };
    d.info_pagetable(va)
}

/// `info display`: the auto-display expressions.
fn info_display(d: &mut Debugger, _arg: &str) -> CmdResult {
    if d.displays.is_empty() {
        d.say("There are no auto-display expressions now.");
    }
    let lines: Vec<String> = d
        .displays
        .iter()
        .map(|d| {
            format!(
                "{}: {}{}",
                d.id,
                d.fmt.map(|f| format!("/{f} ")).unwrap_or_default(),
                d.text
            )
        })
        .collect();
    for l in lines {
        d.say(l);
    }
    Ok(())
}

/// `info symbol ADDR`.
fn info_symbol(d: &mut Debugger, arg: &str) -> CmdResult {
    let a = d.resolve(arg)?;
    match d.syms.name_at(a) {
        Some(s) => d.say(format!("{a:#010x} is {s}")),
        None => d.say(format!("No symbol matches {a:#010x}.")),
    }
    Ok(())
}

/// `info line [LOC]`.
fn info_line(d: &mut Debugger, arg: &str) -> CmdResult {
    let a = if arg.is_empty() {
        d.m.cpu.pc
    } else {
        d.resolve(arg)?
    };
    match d.syms.line_at(a).cloned() {
        Some(l) => d.say(format!(
            "Line {} of \"{}\" contains {a:#010x}{}.",
            l.line,
            l.file,
            d.syms.angle(a)
        )),
        None => d.say(format!("No line information for {a:#010x}.")),
    }
    Ok(())
}

/// `info timetravel`: the snapshots kept for reverse execution.
fn info_timetravel(d: &mut Debugger, _arg: &str) -> CmdResult {
    let steps = d.tt.steps_list();
    d.say(format!(
        "Time travel: {} snapshot(s) at steps {:?}; now at step {}; {:.1} ms spent \
         taking snapshots",
        d.tt.len(),
        steps,
        d.m.steps,
        d.tt.spent.as_secs_f64() * 1000.0
    ));
    d.say(format!(
        "Saved memory: {} KiB of at most {} KiB (`set timetravel-limit SIZE`; the \
         oldest snapshots are dropped beyond it)",
        d.tt.stored() >> 10,
        d.tt.limit() >> 10
    ));
    Ok(())
}
