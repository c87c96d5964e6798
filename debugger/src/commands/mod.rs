//! The command table, which is the dispatch: each command's names, usage, help, handler and
//! how its arguments complete. The handlers live by job in `running`, `stops`, `data`,
//! `info` and `misc`.

mod data;
pub mod info;
mod misc;
mod running;
pub mod stops;

use crate::session::{CmdResult, DbgError, Debugger};
use emulator::EngineKind;

/// A parsed command line, as a handler gets it.
pub struct Call<'a> {
    /// The command's canonical name (one handler serves several: `break`/`tbreak`).
    pub name: &'static str,
    /// The `/FORMAT` on the command word (`x/4xw`, `p/x`), if any.
    pub fmt: Option<&'a str>,
    /// The arguments, trimmed.
    pub rest: &'a str,
}

/// What a command does with its arguments.
pub type Handler = fn(&mut Debugger, &Call) -> CmdResult;

/// How a command's arguments complete at the terminal (a `$` word always completes to
/// registers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Complete {
    /// Symbols and source files.
    Symbols,
    /// The first argument is one of these words; later ones are symbols and files.
    Words(&'static [&'static str]),
    /// The first argument is one of these words; a file name follows (not completed).
    WordsThenFile(&'static [&'static str]),
    /// Command names (`help`).
    Commands,
    /// `info` subcommands.
    Info,
    /// `catch` kinds, then exception names after `exception`.
    Catch,
}

impl Complete {
    /// The fixed words the next argument may be, given the arguments typed before it (empty:
    /// no fixed set here).
    pub fn words(self, args: &[&str]) -> Vec<&'static str> {
        match (self, args) {
            (Complete::Words(w) | Complete::WordsThenFile(w), []) => w.to_vec(),
            (Complete::Info, []) => info::INFO.iter().map(|s| s.name).collect(),
            (Complete::Catch, []) => stops::CATCH_KINDS.to_vec(),
            (Complete::Catch, ["exception"]) => {
                stops::EXCEPTION_NAMES.iter().map(|(n, _)| *n).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// One command: names, usage, help, handler, completion.
pub struct CmdInfo {
    /// Canonical name.
    pub name: &'static str,
    /// Other names (GDB's short forms).
    pub aliases: &'static [&'static str],
    /// Usage line.
    pub usage: &'static str,
    /// What it does.
    pub help: &'static str,
    /// What it does, as code.
    pub run: Handler,
    /// It takes a `/FORMAT` on its name.
    pub format: bool,
    /// How its arguments complete.
    pub complete: Complete,
}

/// Every command, in `help` order.
#[rustfmt::skip]
pub const COMMANDS: &[CmdInfo] = &[
    CmdInfo { name: "stepi", aliases: &["si", "step", "s"], usage: "stepi [N]", help: "Execute N instructions (default 1), then show where the machine is. A step is one instruction or one exception/interrupt delivery.", run: Debugger::cmd_stepi, format: false, complete: Complete::Symbols },
    CmdInfo { name: "nexti", aliases: &["ni", "next", "n"], usage: "nexti [N]", help: "Like stepi, but a call (jal/jalr that link, callg, trap, brk) runs until it returns to the next instruction, in the same ring and frame.", run: Debugger::cmd_nexti, format: false, complete: Complete::Symbols },
    CmdInfo { name: "continue", aliases: &["c", "cont", "fg"], usage: "continue [N]", help: "Run until a breakpoint, watchpoint or catchpoint triggers, the machine stops, or Ctrl-C. With N, do that N times.", run: Debugger::cmd_continue, format: false, complete: Complete::Symbols },
    CmdInfo { name: "until", aliases: &["u"], usage: "until [LOC]", help: "Run until LOC is reached or the current function returns. Without LOC: like nexti, but a backward branch (a loop) runs until the loop exits.", run: Debugger::cmd_until, format: false, complete: Complete::Symbols },
    CmdInfo { name: "advance", aliases: &[], usage: "advance LOC", help: "Run until LOC is reached (or another stop point triggers).", run: Debugger::cmd_until, format: false, complete: Complete::Symbols },
    CmdInfo { name: "finish", aliases: &["fin"], usage: "finish", help: "Run until the current function returns to its caller (through retg/iret when the frame was entered through a gate or vector), then show a0.", run: Debugger::cmd_finish, format: false, complete: Complete::Symbols },
    CmdInfo { name: "run", aliases: &["r"], usage: "run", help: "Start the program again from its freshly loaded state and continue. Breakpoints are kept.", run: Debugger::cmd_run, format: false, complete: Complete::Symbols },
    CmdInfo { name: "reset", aliases: &[], usage: "reset", help: "Hardware reset (SPEC section 13): registers, control registers, TLB and devices reset, pc = entry; RAM keeps its contents.", run: Debugger::cmd_reset, format: false, complete: Complete::Symbols },
    CmdInfo { name: "break", aliases: &["b", "br", "bre", "brea"], usage: "break LOC [if EXPR]", help: "Stop before executing the instruction at LOC (symbol, symbol+off, address, *EXPR, file.s:LINE), only when EXPR is non-zero if given.", run: Debugger::cmd_break, format: false, complete: Complete::Symbols },
    CmdInfo { name: "tbreak", aliases: &["tb"], usage: "tbreak LOC [if EXPR]", help: "A breakpoint deleted after it first stops the program.", run: Debugger::cmd_break, format: false, complete: Complete::Symbols },
    CmdInfo { name: "delete", aliases: &["d"], usage: "delete [N...]", help: "Delete breakpoints, watchpoints or catchpoints by number (all without N).", run: Debugger::cmd_points, format: false, complete: Complete::Symbols },
    CmdInfo { name: "disable", aliases: &["dis"], usage: "disable [N...]", help: "Disable stop points (all without N).", run: Debugger::cmd_points, format: false, complete: Complete::Symbols },
    CmdInfo { name: "enable", aliases: &["en"], usage: "enable [N...]", help: "Enable stop points (all without N).", run: Debugger::cmd_points, format: false, complete: Complete::Symbols },
    CmdInfo { name: "condition", aliases: &["cond"], usage: "condition N [EXPR]", help: "Set (or remove) the condition of stop point N.", run: Debugger::cmd_condition, format: false, complete: Complete::Symbols },
    CmdInfo { name: "watch", aliases: &["wa"], usage: "watch [-phys] ADDR|SYMBOL|*(u8*)ADDR [if EXPR]", help: "Stop after a write changes the value at a virtual (or, with -phys, physical) address; shows old and new value. A symbol or address watches a word; *(u8*)X or *(u16*)X a byte or half.", run: Debugger::cmd_watch, format: false, complete: Complete::Symbols },
    CmdInfo { name: "rwatch", aliases: &[], usage: "rwatch [-phys] ADDR|SYMBOL [if EXPR]", help: "Stop after a load reads the location (the debugger then checks each instruction: slower).", run: Debugger::cmd_watch, format: false, complete: Complete::Symbols },
    CmdInfo { name: "awatch", aliases: &[], usage: "awatch [-phys] ADDR|SYMBOL [if EXPR]", help: "Stop after a load or store accesses the location.", run: Debugger::cmd_watch, format: false, complete: Complete::Symbols },
    CmdInfo { name: "catch", aliases: &[], usage: "catch ring-change | gate [N] | exception [CAUSE] | interrupt [LINE]", help: "Stop after a change of ring, a successful callg (of gate N), an exception or trap delivered (vector number or name: illegal privilege misaligned bus-error page-fault gate-fault divide breakpoint io-privilege double-fault), or an interrupt (from line N).", run: Debugger::cmd_catch, format: false, complete: Complete::Catch },
    CmdInfo { name: "info", aliases: &["i", "inf"], usage: "info registers|cr|rings|gates|vectors|pagetable [VA]|tlb|devices|breakpoints|display|symbol ADDR|line [LOC]|timetravel", help: "Show machine state. `info rings`: current ring, per-ring stacks, IOPL and what the ring may do. `info gates`/`info vectors`: the descriptor tables decoded. `info pagetable VA`: a walk level by level, with each ring's rights.", run: Debugger::cmd_info, format: false, complete: Complete::Info },
    CmdInfo { name: "set", aliases: &[], usage: "set $REG = EXPR | set *ADDR = EXPR | set *(u8*)ADDR = EXPR | set timetravel-limit SIZE", help: "Change a register, control register ($status, $sp0 ...), $pc, $ring, or memory (virtual address); or the memory time travel may keep (default 512M; the oldest snapshots are dropped beyond it).", run: Debugger::cmd_set, format: false, complete: Complete::Symbols },
    CmdInfo { name: "x", aliases: &[], usage: "x/NFU [-phys] ADDR", help: "Examine memory: N units, format F (x hex, d signed, u unsigned, o octal, t binary, a address, c char, s string, i instruction), unit size U (b byte, h half, w word). Without ADDR, continue after the last x.", run: Debugger::cmd_x, format: true, complete: Complete::Symbols },
    CmdInfo { name: "print", aliases: &["p", "inspect", "call"], usage: "print[/F] EXPR", help: "Evaluate an expression: $registers, symbols (their address), numbers, *(u32*)ADDR, *(u8*)ADDR, arithmetic, comparisons, && || and parentheses. Results are numbered $1, $2 ... F: x d u o t c a.", run: Debugger::cmd_print, format: true, complete: Complete::Symbols },
    CmdInfo { name: "display", aliases: &["disp"], usage: "display[/F] EXPR", help: "Print EXPR at every stop (display/i $pc shows the instruction). Without EXPR, show them now.", run: Debugger::cmd_display, format: true, complete: Complete::Symbols },
    CmdInfo { name: "undisplay", aliases: &[], usage: "undisplay [N...]", help: "Stop displaying expression N (all without N).", run: Debugger::cmd_undisplay, format: false, complete: Complete::Symbols },
    CmdInfo { name: "disassemble", aliases: &["disas"], usage: "disassemble [LOC | START,END | START,+LEN]", help: "Disassemble the function around pc or LOC, or an address range. => marks pc.", run: Debugger::cmd_disassemble, format: false, complete: Complete::Symbols },
    CmdInfo { name: "list", aliases: &["l"], usage: "list [LOC | FILE:LINE]", help: "Show source lines around pc (or LOC) from the program's line table; again to continue.", run: Debugger::cmd_list, format: false, complete: Complete::Symbols },
    CmdInfo { name: "backtrace", aliases: &["bt", "where"], usage: "backtrace [N]", help: "Show the call frames, innermost first, each with its ring, across gate and exception frames (from prologues, the ra chain and the frames gates and vectors push).", run: Debugger::cmd_backtrace, format: false, complete: Complete::Symbols },
    CmdInfo { name: "trace", aliases: &[], usage: "trace on [FILE] | trace off", help: "Instruction trace (cycle, pc, ring, disassembly, registers and memory written, cost) to FILE or the terminal.", run: Debugger::cmd_trace, format: false, complete: Complete::WordsThenFile(&["on", "off"]) },
    CmdInfo { name: "hot", aliases: &[], usage: "hot [N]", help: "The N (default 10) hottest translated blocks of the threaded engine, with their share of cycles.", run: Debugger::cmd_hot, format: false, complete: Complete::Symbols },
    CmdInfo { name: "engine", aliases: &[], usage: "engine [interp|threaded]", help: "Show or choose the engine. Stop points and tracing always use the interpreter; the threaded engine runs `continue` when nothing must be checked, and keeps the profile `hot` shows.", run: Debugger::cmd_engine, format: false, complete: Complete::Words(&EngineKind::NAMES) },
    CmdInfo { name: "reverse-stepi", aliases: &["rsi", "rs", "reverse-step"], usage: "reverse-stepi [N]", help: "Go back N steps (default 1): restore the nearest earlier snapshot and re-execute deterministically.", run: Debugger::cmd_reverse_stepi, format: false, complete: Complete::Symbols },
    CmdInfo { name: "reverse-continue", aliases: &["rc"], usage: "reverse-continue", help: "Go back to the previous breakpoint, watchpoint or catchpoint hit (or the start of the history).", run: Debugger::cmd_reverse_continue, format: false, complete: Complete::Symbols },
    CmdInfo { name: "snapshot", aliases: &[], usage: "snapshot save FILE | snapshot load FILE", help: "Save the machine's state to a file, or load one into this machine (it needs the -m and disk it was taken with; the disk's contents are the image file's). Versioned and checksummed: a corrupt, foreign or old file is refused.", run: Debugger::cmd_snapshot, format: false, complete: Complete::WordsThenFile(&["save", "load"]) },
    CmdInfo { name: "cycles", aliases: &[], usage: "cycles", help: "Cycle count, cycles since the previous stop, instructions retired, steps.", run: Debugger::cmd_cycles, format: false, complete: Complete::Symbols },
    CmdInfo { name: "echo", aliases: &[], usage: "echo TEXT", help: "Print TEXT (\\n is a newline). For scripts.", run: Debugger::cmd_echo, format: false, complete: Complete::Symbols },
    CmdInfo { name: "help", aliases: &["h", "?"], usage: "help [COMMAND]", help: "List the commands, or explain one.", run: Debugger::cmd_help, format: false, complete: Complete::Commands },
    CmdInfo { name: "quit", aliases: &["q", "exit"], usage: "quit [CODE]", help: "Leave the debugger with exit status CODE (default: the guest's exit code once it has stopped, else 0).", run: Debugger::cmd_quit, format: false, complete: Complete::Symbols },
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

pub(crate) fn parse_count(d: &Debugger, arg: &str, what: &str) -> Result<u64, DbgError> {
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
        if fmt.is_some() && !cmd.format {
            return Err(DbgError::hint(
                format!("`{}` takes no /FORMAT", cmd.name),
                "formats go with x, print and display",
            ));
        }
        (cmd.run)(
            self,
            &Call {
                name: cmd.name,
                fmt,
                rest,
            },
        )
    }
}
