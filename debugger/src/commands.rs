//! The command table, `help`, and what each command does.

use crate::control::StopAt;
use crate::expr::{self, Place};
use crate::location::{file_line, split_if};
use crate::points::{Catch, Kind, Watch, WatchKind};
use crate::session::{format_value, CmdResult, DbgError, Debugger, DisplayItem};
use crate::snapshot::{options_for, write_atomic, SnapshotFile};
use emulator::state::StateConfig;
use emulator::trace::Tracer;
use emulator::EngineKind;
use isa_spec::cr::vector;

/// One command: name, aliases, usage and help.
pub struct CmdInfo {
    /// Canonical name.
    pub name: &'static str,
    /// Other names (GDB's short forms).
    pub aliases: &'static [&'static str],
    /// Usage line.
    pub usage: &'static str,
    /// What it does.
    pub help: &'static str,
}

/// Every command, in `help` order.
pub const COMMANDS: &[CmdInfo] = &[
    CmdInfo { name: "stepi", aliases: &["si", "step", "s"], usage: "stepi [N]", help: "Execute N instructions (default 1), then show where the machine is. A step is one instruction or one exception/interrupt delivery." },
    CmdInfo { name: "nexti", aliases: &["ni", "next", "n"], usage: "nexti [N]", help: "Like stepi, but a call (jal/jalr that link, callg, trap, brk) runs until it returns to the next instruction, in the same ring and frame." },
    CmdInfo { name: "continue", aliases: &["c", "cont", "fg"], usage: "continue [N]", help: "Run until a breakpoint, watchpoint or catchpoint triggers, the machine stops, or Ctrl-C. With N, do that N times." },
    CmdInfo { name: "until", aliases: &["u"], usage: "until [LOC]", help: "Run until LOC is reached or the current function returns. Without LOC: like nexti, but a backward branch (a loop) runs until the loop exits." },
    CmdInfo { name: "advance", aliases: &[], usage: "advance LOC", help: "Run until LOC is reached (or another stop point triggers)." },
    CmdInfo { name: "finish", aliases: &["fin"], usage: "finish", help: "Run until the current function returns to its caller (through retg/iret when the frame was entered through a gate or vector), then show a0." },
    CmdInfo { name: "run", aliases: &["r"], usage: "run", help: "Start the program again from its freshly loaded state and continue. Breakpoints are kept." },
    CmdInfo { name: "reset", aliases: &[], usage: "reset", help: "Hardware reset (SPEC section 13): registers, control registers, TLB and devices reset, pc = entry; RAM keeps its contents." },
    CmdInfo { name: "break", aliases: &["b", "br", "bre", "brea"], usage: "break LOC [if EXPR]", help: "Stop before executing the instruction at LOC (symbol, symbol+off, address, *EXPR, file.s:LINE), only when EXPR is non-zero if given." },
    CmdInfo { name: "tbreak", aliases: &["tb"], usage: "tbreak LOC [if EXPR]", help: "A breakpoint deleted after it first stops the program." },
    CmdInfo { name: "delete", aliases: &["d"], usage: "delete [N...]", help: "Delete breakpoints, watchpoints or catchpoints by number (all without N)." },
    CmdInfo { name: "disable", aliases: &["dis"], usage: "disable [N...]", help: "Disable stop points (all without N)." },
    CmdInfo { name: "enable", aliases: &["en"], usage: "enable [N...]", help: "Enable stop points (all without N)." },
    CmdInfo { name: "condition", aliases: &["cond"], usage: "condition N [EXPR]", help: "Set (or remove) the condition of stop point N." },
    CmdInfo { name: "watch", aliases: &["wa"], usage: "watch [-phys] ADDR|SYMBOL|*(u8*)ADDR [if EXPR]", help: "Stop after a write changes the value at a virtual (or, with -phys, physical) address; shows old and new value. A symbol or address watches a word; *(u8*)X or *(u16*)X a byte or half." },
    CmdInfo { name: "rwatch", aliases: &[], usage: "rwatch [-phys] ADDR|SYMBOL [if EXPR]", help: "Stop after a load reads the location (the debugger then checks each instruction: slower)." },
    CmdInfo { name: "awatch", aliases: &[], usage: "awatch [-phys] ADDR|SYMBOL [if EXPR]", help: "Stop after a load or store accesses the location." },
    CmdInfo { name: "catch", aliases: &[], usage: "catch ring-change | gate [N] | exception [CAUSE] | interrupt [LINE]", help: "Stop after a change of ring, a successful callg (of gate N), an exception or trap delivered (vector number or name: illegal privilege misaligned bus-error page-fault gate-fault divide breakpoint io-privilege double-fault), or an interrupt (from line N)." },
    CmdInfo { name: "info", aliases: &["i", "inf"], usage: "info registers|cr|rings|gates|vectors|pagetable [VA]|tlb|devices|breakpoints|display|symbol ADDR|line [LOC]|timetravel", help: "Show machine state. `info rings`: current ring, per-ring stacks, IOPL and what the ring may do. `info gates`/`info vectors`: the descriptor tables decoded. `info pagetable VA`: a walk level by level, with each ring's rights." },
    CmdInfo { name: "set", aliases: &[], usage: "set $REG = EXPR | set *ADDR = EXPR | set *(u8*)ADDR = EXPR | set timetravel-limit SIZE", help: "Change a register, control register ($status, $sp0 ...), $pc, $ring, or memory (virtual address); or the memory time travel may keep (default 512M; the oldest snapshots are dropped beyond it)." },
    CmdInfo { name: "x", aliases: &[], usage: "x/NFU [-phys] ADDR", help: "Examine memory: N units, format F (x hex, d signed, u unsigned, o octal, t binary, a address, c char, s string, i instruction), unit size U (b byte, h half, w word). Without ADDR, continue after the last x." },
    CmdInfo { name: "print", aliases: &["p", "inspect", "call"], usage: "print[/F] EXPR", help: "Evaluate an expression: $registers, symbols (their address), numbers, *(u32*)ADDR, *(u8*)ADDR, arithmetic, comparisons, && || and parentheses. Results are numbered $1, $2 ... F: x d u o t c a." },
    CmdInfo { name: "display", aliases: &["disp"], usage: "display[/F] EXPR", help: "Print EXPR at every stop (display/i $pc shows the instruction). Without EXPR, show them now." },
    CmdInfo { name: "undisplay", aliases: &[], usage: "undisplay [N...]", help: "Stop displaying expression N (all without N)." },
    CmdInfo { name: "disassemble", aliases: &["disas"], usage: "disassemble [LOC | START,END | START,+LEN]", help: "Disassemble the function around pc or LOC, or an address range. => marks pc." },
    CmdInfo { name: "list", aliases: &["l"], usage: "list [LOC | FILE:LINE]", help: "Show source lines around pc (or LOC) from the program's line table; again to continue." },
    CmdInfo { name: "backtrace", aliases: &["bt", "where"], usage: "backtrace [N]", help: "Show the call frames, innermost first, each with its ring, across gate and exception frames (from prologues, the ra chain and the frames gates and vectors push)." },
    CmdInfo { name: "trace", aliases: &[], usage: "trace on [FILE] | trace off", help: "Instruction trace (cycle, pc, ring, disassembly, registers and memory written, cost) to FILE or the terminal." },
    CmdInfo { name: "hot", aliases: &[], usage: "hot [N]", help: "The N (default 10) hottest translated blocks of the threaded engine, with their share of cycles." },
    CmdInfo { name: "engine", aliases: &[], usage: "engine [interp|threaded]", help: "Show or choose the engine. Stop points and tracing always use the interpreter; the threaded engine runs `continue` when nothing must be checked, and keeps the profile `hot` shows." },
    CmdInfo { name: "reverse-stepi", aliases: &["rsi", "rs", "reverse-step"], usage: "reverse-stepi [N]", help: "Go back N steps (default 1): restore the nearest earlier snapshot and re-execute deterministically." },
    CmdInfo { name: "reverse-continue", aliases: &["rc"], usage: "reverse-continue", help: "Go back to the previous breakpoint, watchpoint or catchpoint hit (or the start of the history)." },
    CmdInfo { name: "snapshot", aliases: &[], usage: "snapshot save FILE | snapshot load FILE", help: "Save the machine's state to a file, or load one into this machine (it needs the -m and disk it was taken with; the disk's contents are the image file's). Versioned and checksummed: a corrupt, foreign or old file is refused." },
    CmdInfo { name: "cycles", aliases: &[], usage: "cycles", help: "Cycle count, cycles since the previous stop, instructions retired, steps." },
    CmdInfo { name: "echo", aliases: &[], usage: "echo TEXT", help: "Print TEXT (\\n is a newline). For scripts." },
    CmdInfo { name: "help", aliases: &["h", "?"], usage: "help [COMMAND]", help: "List the commands, or explain one." },
    CmdInfo { name: "quit", aliases: &["q", "exit"], usage: "quit [CODE]", help: "Leave the debugger with exit status CODE (default: the guest's exit code once it has stopped, else 0)." },
];

/// `info` subcommands (for completion and errors).
pub const INFO_SUBS: &[&str] = &[
    "registers",
    "all-registers",
    "cr",
    "rings",
    "gates",
    "vectors",
    "pagetable",
    "tlb",
    "devices",
    "breakpoints",
    "watchpoints",
    "display",
    "symbol",
    "line",
    "timetravel",
];

/// Finds a command by name, alias or unique prefix.
pub fn lookup(word: &str) -> Result<&'static CmdInfo, DbgError> {
    let w = word.to_ascii_lowercase();
    if let Some(c) = COMMANDS
        .iter()
        .find(|c| c.name == w || c.aliases.contains(&w.as_str()))
    {
        return Ok(c);
    }
    let matches: Vec<&CmdInfo> = COMMANDS.iter().filter(|c| c.name.starts_with(&w)).collect();
    match matches.len() {
        1 => Ok(matches[0]),
        0 => {
            let near = COMMANDS
                .iter()
                // The distance is at least the difference in length: a long word is compared
                // with nothing (a pasted megabyte would take seconds).
                .filter(|c| w.len().abs_diff(c.name.len()) <= 2)
                .map(|c| (crate::symbols::edit_distance(&w, c.name), c.name))
                .min()
                .filter(|(d, _)| *d <= 2)
                .map(|(_, n)| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            Err(DbgError::hint(
                format!("unknown command `{}`", crate::expr::quote(word)),
                format!("{near}`help` lists the commands"),
            ))
        }
        _ => Err(DbgError::hint(
            format!("`{}` is ambiguous", crate::expr::quote(word)),
            format!(
                "it could be {}",
                matches
                    .iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn parse_count(d: &Debugger, arg: &str, what: &str) -> Result<u64, DbgError> {
    if arg.trim().is_empty() {
        return Ok(1);
    }
    let v = d.eval_str(arg)?;
    if v < 0 {
        return Err(DbgError::hint(
            format!("{what} count must not be negative"),
            "reverse-stepi goes backwards",
        ));
    }
    Ok(v as u64)
}

fn parse_ids(arg: &str) -> Result<Vec<usize>, DbgError> {
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

fn parse_exception(arg: &str) -> Result<u8, DbgError> {
    let a = arg.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    let named = [
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
    if let Some((_, v)) = named.iter().find(|(n, _)| *n == a) {
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

impl Debugger {
    /// Executes one command line.
    pub fn execute(&mut self, line: &str) -> CmdResult {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        let (word, rest) = match line.find(|c: char| c.is_whitespace()) {
            Some(i) => (&line[..i], line[i..].trim()),
            None => (line, ""),
        };
        // `x/4xw`, `p/x`, `display/i`: the format rides on the command word.
        let (word, fmt) = match word.split_once('/') {
            Some((w, f)) => (w, Some(f)),
            None => (word, None),
        };
        let cmd = lookup(word)?;
        if fmt.is_some() && !matches!(cmd.name, "x" | "print" | "display") {
            return Err(DbgError::hint(
                format!("`{}` takes no /FORMAT", cmd.name),
                "formats go with x, print and display",
            ));
        }
        match cmd.name {
            "stepi" => {
                self.require_running()?;
                let n = parse_count(self, rest, "step")?;
                let why = self.stepi(n);
                self.show_stop(&why);
            }
            "nexti" => {
                self.require_running()?;
                let n = parse_count(self, rest, "step")?;
                let why = self.nexti(n);
                self.show_stop(&why);
            }
            "continue" => {
                let n = parse_count(self, rest, "continue")?;
                self.require_running()?;
                for i in 0..n.max(1) {
                    let why = self.cont();
                    let last = i + 1 >= n.max(1)
                        || !matches!(
                            why,
                            crate::session::StopWhy::Breakpoint { .. }
                                | crate::session::StopWhy::Watch { .. }
                                | crate::session::StopWhy::Catch { .. }
                        );
                    if last {
                        self.show_stop(&why);
                        break;
                    }
                }
            }
            "until" | "advance" => {
                self.require_running()?;
                let mut stops = Vec::new();
                if rest.is_empty() {
                    if cmd.name == "advance" {
                        return Err(DbgError::hint("advance needs a location", "advance LOC"));
                    }
                    let pc = self.m.cpu.pc;
                    if !self.is_backward_branch(pc) {
                        let why = self.nexti(1);
                        self.show_stop(&why);
                        return Ok(());
                    }
                    stops.push(StopAt {
                        addr: pc.wrapping_add(4),
                        ring: Some(self.m.cpu.ring()),
                        min_sp: Some(self.m.cpu.regs[isa_spec::regs::SP as usize]),
                    });
                } else {
                    let addr = self.resolve(rest)?;
                    stops.push(StopAt {
                        addr,
                        ring: None,
                        min_sp: None,
                    });
                }
                if cmd.name == "until" {
                    if let Some(f) = self.unwind(2).get(1) {
                        stops.push(StopAt {
                            addr: f.pc,
                            ring: Some(f.ring),
                            min_sp: Some(f.sp),
                        });
                    }
                }
                let why = self.run_to(stops);
                self.show_stop(&why);
            }
            "finish" => {
                self.require_running()?;
                let frames = self.unwind(2);
                let Some(caller) = frames.get(1).cloned() else {
                    return Err(DbgError::hint(
                        "cannot find the caller of this frame",
                        "`backtrace` shows what is known; `until LOC` runs to an address",
                    ));
                };
                self.say(format!(
                    "Run till exit from #0 {:#010x}{} [ring {}] to {:#010x}{} [ring {}]",
                    self.m.cpu.pc,
                    self.syms.angle(self.m.cpu.pc),
                    self.m.cpu.ring(),
                    caller.pc,
                    self.syms.angle(caller.pc),
                    caller.ring
                ));
                let back = StopAt {
                    addr: caller.pc,
                    ring: Some(caller.ring),
                    min_sp: Some(caller.sp),
                };
                // A frame entered through a gate or vector is left by the retg/iret that pops
                // it, which may return elsewhere (a handler that skips the faulting
                // instruction): stop at those in this function too, with the frame on top.
                let leaves = match caller.frame_at {
                    Some(at) => self.frame_exits(self.m.cpu.pc, self.m.cpu.ring(), at),
                    None => Vec::new(),
                };
                let mut stops = vec![back];
                stops.extend(leaves.iter().copied());
                let mut why = self.run_to(stops);
                if why == crate::session::StopWhy::Internal
                    && leaves.iter().any(|s| s.matches(&self.m))
                    && !back.matches(&self.m)
                {
                    why = self.stepi(1);
                    if why == crate::session::StopWhy::Done {
                        why = crate::session::StopWhy::Internal;
                    }
                }
                // A breakpoint at the return address is reported, and the frame did return.
                let returned = why == crate::session::StopWhy::Internal
                    || matches!(why, crate::session::StopWhy::Breakpoint { .. })
                        && back.matches(&self.m);
                self.show_stop(&why);
                if returned {
                    let a0 = self.m.cpu.reg(isa_spec::regs::A0);
                    self.say(format!(
                        "Value returned: $a0 = {}",
                        format_value(a0 as i64, None)
                    ));
                }
            }
            "run" => {
                self.restart()?;
                self.say("Starting the program from its loaded state.");
                let why = self.cont();
                self.show_stop(&why);
            }
            "reset" => {
                self.m.reset();
                self.note_modified();
                self.say("Machine reset (RAM kept): registers, control registers, TLB and devices are in their reset state.");
                let w = self.where_line();
                self.say(w);
            }
            "break" | "tbreak" => self.cmd_break(rest, cmd.name == "tbreak")?,
            "delete" | "disable" | "enable" => self.cmd_points(cmd.name, rest)?,
            "condition" => self.cmd_condition(rest)?,
            "watch" | "rwatch" | "awatch" => {
                let kind = match cmd.name {
                    "watch" => WatchKind::Write,
                    "rwatch" => WatchKind::Read,
                    _ => WatchKind::Access,
                };
                self.cmd_watch(kind, rest)?
            }
            "catch" => self.cmd_catch(rest)?,
            "info" => self.cmd_info(rest)?,
            "set" => self.cmd_set(rest)?,
            "x" => self.cmd_x(fmt.unwrap_or(""), rest)?,
            "print" => self.cmd_print(fmt, rest)?,
            "display" => self.cmd_display(fmt, rest)?,
            "undisplay" => {
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
            }
            "disassemble" => {
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
            }
            "list" => {
                if rest.is_empty() {
                    self.list(None, false)?
                } else if let Some((f, l)) = file_line(rest) {
                    let file = self
                        .syms
                        .files()
                        .into_iter()
                        .find(|x| {
                            x == f || crate::symbols::short_file(x) == crate::symbols::short_file(f)
                        })
                        .unwrap_or_else(|| f.to_string());
                    self.list(Some((file, l)), true)?
                } else {
                    let a = self.resolve(rest)?;
                    let Some(li) = self.syms.line_at(a).cloned() else {
                        return Err(format!("no source line for {a:#010x}").into());
                    };
                    self.list(Some((li.file, li.line)), true)?
                }
            }
            "backtrace" => {
                let n = if rest.is_empty() {
                    64
                } else {
                    parse_count(self, rest, "frame")?.clamp(1, 4096) as usize
                };
                for l in self.backtrace_lines(n) {
                    self.say(l);
                }
            }
            "trace" => self.cmd_trace(rest)?,
            "hot" => {
                let n = if rest.is_empty() {
                    10
                } else {
                    parse_count(self, rest, "block")?.clamp(1, 1000) as usize
                };
                self.hot(n)?
            }
            "engine" => match rest {
                "" => {
                    let e = match self.engine {
                        EngineKind::Interp => "interp (the reference interpreter)",
                        EngineKind::Threaded => {
                            "threaded (used by `continue` when nothing must be checked)"
                        }
                    };
                    self.say(format!("engine: {e}"));
                }
                _ if rest.parse::<EngineKind>().is_ok() => {
                    let kind = rest.parse::<EngineKind>().unwrap_or_default();
                    if kind == EngineKind::Threaded && self.engine != kind {
                        self.threaded = emulator::engine::threaded::Threaded::new();
                    }
                    self.engine = kind
                }
                other => {
                    return Err(DbgError::hint(
                        format!("no engine `{other}`"),
                        "engines are interp and threaded",
                    ))
                }
            },
            "reverse-stepi" => {
                let n = parse_count(self, rest, "step")?;
                let before = crate::session::transition_count(&self.m);
                let undone = self.m.last_transition;
                let why = self.reverse_stepi(n)?;
                self.show_reverse(&why, before, undone);
            }
            "reverse-continue" => {
                if !rest.is_empty() {
                    return Err("reverse-continue takes no argument".into());
                }
                let before = crate::session::transition_count(&self.m);
                let undone = self.m.last_transition;
                let why = self.reverse_continue()?;
                self.show_reverse(&why, before, undone);
            }
            "snapshot" => self.cmd_snapshot(rest)?,
            "cycles" => {
                let m = &self.m;
                let line = format!(
                    "cycles {} (+{} since the previous stop); instructions retired {}; steps {}",
                    m.cpu.cycles,
                    m.cpu.cycles.saturating_sub(self.prev_stop_cycles),
                    m.cpu.retired,
                    m.steps
                );
                self.say(line);
            }
            "echo" => {
                let text = rest.replace("\\n", "\n");
                self.emit(crate::output::Event::Text(text));
            }
            "help" => self.cmd_help(rest)?,
            "quit" => {
                let code = if rest.is_empty() {
                    self.guest_status()
                } else {
                    let v = self.eval_str(rest)?;
                    (v & 0xff) as u8
                };
                self.quit = Some(code);
            }
            other => return Err(format!("command `{other}` is not implemented").into()),
        }
        Ok(())
    }

    /// The `retg`/`iret` instructions of the function around `pc` (at most 4096 instructions
    /// in), as stops that match when executing them in `ring` would pop the frame at `frame`
    /// (sp at or above it: not a nested frame).
    fn frame_exits(&self, pc: u32, ring: u8, frame: u32) -> Vec<StopAt> {
        let Some((start, end, _)) = self.func_bounds(pc) else {
            return Vec::new();
        };
        let end = end.min(start.saturating_add(4 * 4096));
        (start..end)
            .step_by(4)
            .filter(|&a| {
                self.insn_at(a).is_some_and(|i| {
                    matches!(i.op, isa_spec::Opcode::Iret | isa_spec::Opcode::Retg)
                })
            })
            .map(|addr| StopAt {
                addr,
                ring: Some(ring),
                min_sp: Some(frame),
            })
            .collect()
    }

    fn require_running(&self) -> CmdResult {
        if let Some(e) = &self.m.stop {
            return Err(DbgError::hint(
                format!(
                    "the machine has stopped ({})",
                    crate::session::exit_words(e)
                ),
                "`run` starts the program again; `reverse-stepi` goes back",
            ));
        }
        Ok(())
    }

    fn show_reverse(
        &mut self,
        why: &crate::session::StopWhy,
        before: u64,
        undone: Option<emulator::machine::Transition>,
    ) {
        let now = crate::session::transition_count(&self.m);
        if now < before {
            if let Some(t) = undone {
                let n = before - now;
                self.say(format!(
                    "(going back undid {n} ring change{}; the last undone: ring {} -> ring {} \
                     by {}; now in ring {})",
                    if n == 1 { "" } else { "s" },
                    t.from,
                    t.to,
                    crate::session::via_words(t.via),
                    self.m.cpu.ring()
                ));
            }
        }
        // Ring changes already shown going forward are not shown again.
        self.seen_transitions = now;
        self.seen_delivered = self.m.delivered;
        self.show_stop(why);
    }

    fn cmd_break(&mut self, rest: &str, temp: bool) -> CmdResult {
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

    fn cmd_points(&mut self, which: &str, rest: &str) -> CmdResult {
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

    fn cmd_condition(&mut self, rest: &str) -> CmdResult {
        let (n, c) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let id: usize = n.parse().map_err(|_| {
            DbgError::hint(
                "condition needs a stop point number",
                "condition 1 $a0 == 0",
            )
        })?;
        let cond = if c.is_empty() {
            None
        } else {
            Some((c.to_string(), self.parse_expr(c)?))
        };
        let p = self.points.get_mut(id).ok_or_else(|| bad_id(n))?;
        let removed = cond.is_none();
        p.cond = cond;
        if removed {
            self.say(format!("Breakpoint {id} now unconditional."));
        }
        Ok(())
    }

    fn cmd_watch(&mut self, kind: WatchKind, rest: &str) -> CmdResult {
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

    fn cmd_catch(&mut self, rest: &str) -> CmdResult {
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
                        "lines are 0..15 (0 timer, 1 UART)",
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

    fn cmd_info(&mut self, rest: &str) -> CmdResult {
        let (sub, arg) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let subs: Vec<&&str> = if sub.is_empty() {
            Vec::new()
        } else {
            INFO_SUBS.iter().filter(|s| s.starts_with(sub)).collect()
        };
        let name = match sub {
            "r" | "reg" | "regs" => "registers",
            "b" | "br" | "break" => "breakpoints",
            "pt" | "page" | "pages" => "pagetable",
            "dev" => "devices",
            "snapshots" | "history" => "timetravel",
            _ if subs.len() == 1 => subs[0],
            _ if subs.len() > 1 && subs.iter().any(|s| **s == sub) => sub,
            _ => {
                return Err(DbgError::hint(
                    if sub.is_empty() {
                        "info what?".to_string()
                    } else {
                        format!("no `info {sub}`")
                    },
                    format!("info {}", INFO_SUBS.join("|")),
                ))
            }
        };
        match name {
            "registers" => {
                let regs: Vec<&str> = arg.split_whitespace().collect();
                self.info_registers(&regs)
            }
            // As in GDB: the general registers, then every other register (here the control
            // registers).
            "all-registers" => {
                let regs: Vec<&str> = arg.split_whitespace().collect();
                self.info_registers(&regs)?;
                if regs.is_empty() {
                    self.info_cr()?;
                }
                Ok(())
            }
            "cr" => self.info_cr(),
            "rings" => self.info_rings(),
            "gates" => self.info_gates(),
            "vectors" => self.info_vectors(),
            "pagetable" => {
                let va = if arg.is_empty() {
                    None
                } else {
                    Some(self.eval_str(arg)? as u32)
                };
                self.info_pagetable(va)
            }
            "tlb" => self.info_tlb(),
            "devices" => self.info_devices(),
            "breakpoints" | "watchpoints" => self.info_breakpoints(),
            "display" => {
                if self.displays.is_empty() {
                    self.say("There are no auto-display expressions now.");
                }
                let lines: Vec<String> = self
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
                    self.say(l);
                }
                Ok(())
            }
            "symbol" => {
                let a = self.resolve(arg)?;
                match self.syms.name_at(a) {
                    Some(s) => self.say(format!("{a:#010x} is {s}")),
                    None => self.say(format!("No symbol matches {a:#010x}.")),
                }
                Ok(())
            }
            "line" => {
                let a = if arg.is_empty() {
                    self.m.cpu.pc
                } else {
                    self.resolve(arg)?
                };
                match self.syms.line_at(a).cloned() {
                    Some(l) => self.say(format!(
                        "Line {} of \"{}\" contains {a:#010x}{}.",
                        l.line,
                        l.file,
                        self.syms.angle(a)
                    )),
                    None => self.say(format!("No line information for {a:#010x}.")),
                }
                Ok(())
            }
            "timetravel" => {
                let steps = self.tt.steps_list();
                self.say(format!(
                    "Time travel: {} snapshot(s) at steps {:?}; now at step {}; {:.1} ms spent \
                     taking snapshots",
                    self.tt.len(),
                    steps,
                    self.m.steps,
                    self.tt.spent.as_secs_f64() * 1000.0
                ));
                self.say(format!(
                    "Saved memory: {} KiB of at most {} KiB (`set timetravel-limit SIZE`; the \
                     oldest snapshots are dropped beyond it)",
                    self.tt.stored() >> 10,
                    self.tt.limit() >> 10
                ));
                Ok(())
            }
            _ => Err(format!("no `info {}`", crate::expr::quote(name)).into()),
        }
    }

    fn cmd_set(&mut self, rest: &str) -> CmdResult {
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
        self.m.watch_hit = false;
        self.note_modified();
        Ok(v)
    }

    fn cmd_x(&mut self, spec: &str, rest: &str) -> CmdResult {
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

    fn cmd_print(&mut self, fmt: Option<&str>, rest: &str) -> CmdResult {
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

    fn cmd_display(&mut self, fmt: Option<&str>, rest: &str) -> CmdResult {
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

    fn cmd_trace(&mut self, rest: &str) -> CmdResult {
        let mut w = rest.split_whitespace();
        match (w.next(), w.next(), w.next()) {
            (Some("on"), file, None) => {
                let sink: Box<dyn std::io::Write + Send> = match file {
                    Some(f) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(f)
                            .map_err(|e| format!("cannot create trace file {f}: {e}"))?,
                    )),
                    None => Box::new(self.trace_buf.clone()),
                };
                self.interp.tracer = Some(Tracer::new(sink));
                self.tracing = true;
                self.say(format!(
                    "Tracing every instruction to {} (the interpreter runs while tracing).",
                    file.unwrap_or("the terminal")
                ));
                Ok(())
            }
            (Some("off"), None, None) => {
                self.interp.tracer = None;
                self.m.trace_writes = None;
                self.tracing = false;
                self.say("Tracing off.");
                Ok(())
            }
            (None, _, _) => {
                self.say(format!(
                    "Tracing is {}.",
                    if self.tracing { "on" } else { "off" }
                ));
                Ok(())
            }
            _ => Err(DbgError::hint(
                "bad trace command",
                "trace on [FILE] | trace off",
            )),
        }
    }

    fn cmd_snapshot(&mut self, rest: &str) -> CmdResult {
        let (op, file) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        let usage = "snapshot save FILE | snapshot load FILE";
        if file.is_empty() || !matches!(op, "save" | "load") {
            return Err(DbgError::hint(
                "snapshot needs save or load and a file",
                usage,
            ));
        }
        let path = std::path::Path::new(file);
        if op == "save" {
            let f = SnapshotFile {
                program: self.program_name.clone(),
                engine: self.engine.name().into(),
                state: self.m.save_state(),
            };
            let bytes = f.encode().map_err(DbgError::from)?;
            write_atomic(path, &bytes).map_err(|e| format!("cannot write snapshot {file}: {e}"))?;
            self.say(format!(
                "Saved the machine at step {} (cycle {}) to {file} ({} bytes).",
                self.m.steps,
                self.m.cpu.cycles,
                bytes.len()
            ));
            return Ok(());
        }
        let unchanged = "the machine was not changed";
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read snapshot {file}: {e}"))?;
        let snap = SnapshotFile::decode(&bytes)
            .map_err(|e| DbgError::hint(format!("{file}: {e}"), unchanged))?;
        let have = StateConfig::of(&self.m);
        let diffs = snap.state.config.differences(&have);
        if !diffs.is_empty() {
            return Err(DbgError::hint(
                format!(
                    "{file} was taken on another machine configuration: {}",
                    diffs.join("; ")
                ),
                format!(
                    "start the debugger with {} to load it; {unchanged}",
                    options_for(&snap.state.config)
                ),
            ));
        }
        self.load_snapshot(&snap.state)
            .map_err(|e| DbgError::hint(format!("{file}: {e}"), unchanged))?;
        self.say(format!(
            "Loaded {file}: step {}, cycle {}, {} RAM.",
            self.m.steps,
            self.m.cpu.cycles,
            emulator::state::size_text(snap.state.config.ram_size as u64)
        ));
        if snap.program != self.program_name {
            self.say(format!(
                "note: the snapshot was taken with program {}; symbols are from {}",
                snap.program.as_deref().unwrap_or("(none)"),
                self.program_name.as_deref().unwrap_or("(none)")
            ));
        }
        let w = self.where_line();
        self.say(w);
        Ok(())
    }

    /// Puts the machine into a saved state (or leaves everything as it was and says why
    /// not). Reverse execution then starts from the loaded state; guest output already shown
    /// stays shown.
    fn load_snapshot(&mut self, state: &emulator::state::MachineState) -> Result<(), String> {
        self.drain_serial();
        self.m.restore_state(state)?;
        self.tt.clear();
        self.tt.take(&mut self.m, self.serial_count);
        self.serial_shown = self.serial_count;
        self.seen_transitions = crate::session::transition_count(&self.m);
        self.seen_delivered = self.m.delivered;
        self.last_stop_cycles = self.m.cpu.cycles;
        self.prev_stop_cycles = self.m.cpu.cycles;
        Ok(())
    }

    fn cmd_help(&mut self, rest: &str) -> CmdResult {
        if rest.is_empty() {
            let mut l =
                vec!["Ringfort debugger commands (GDB names; unique prefixes work):".to_string()];
            for c in COMMANDS {
                let aliases = if c.aliases.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", c.aliases.join(", "))
                };
                l.push(format!("  {:<44} {}{}", c.usage, c.name, aliases));
            }
            l.push(
                "Expressions: $a0 $sp $pc $ring $cycles $status ..., symbols, numbers, \
                    *(u32*)ADDR, arithmetic, comparisons, && ||. `help CMD` explains one."
                    .to_string(),
            );
            for x in l {
                self.say(x);
            }
            return Ok(());
        }
        let c = lookup(rest.split_whitespace().next().unwrap_or(""))?;
        let aliases = if c.aliases.is_empty() {
            String::new()
        } else {
            format!("  (also: {})", c.aliases.join(", "))
        };
        let usage = c.usage;
        let help = c.help;
        self.say(format!("{usage}{aliases}"));
        self.say(format!("  {help}"));
        Ok(())
    }
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
