//! The debugger's state and the pieces every command shares: where the machine is, how a
//! stop is shown, guest serial output, errors.

use crate::expr::{self, Env, Expr};
use crate::output::{Event, Style};
use crate::points::Points;
use crate::symbols::Symbols;
use crate::timetravel::TimeTravel;
use emulator::devices::uart::Sink;
use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::{EngineKind, Machine};

/// A command's failure: one line, with a hint when there is a useful one.
#[derive(Debug)]
pub struct DbgError {
    /// What went wrong.
    pub msg: String,
    /// What to do instead.
    pub hint: Option<String>,
}

impl DbgError {
    /// An error with a hint.
    pub fn hint(msg: impl Into<String>, hint: impl Into<String>) -> DbgError {
        DbgError {
            msg: msg.into(),
            hint: Some(hint.into()),
        }
    }

    /// The one line shown to the user (newlines removed).
    pub fn line(&self) -> String {
        let mut s = format!("error: {}", self.msg);
        if let Some(h) = &self.hint {
            s += &format!(" (hint: {h})");
        }
        s.replace(['\n', '\r'], " ")
    }
}

impl From<String> for DbgError {
    fn from(msg: String) -> DbgError {
        DbgError { msg, hint: None }
    }
}

impl From<&str> for DbgError {
    fn from(msg: &str) -> DbgError {
        DbgError {
            msg: msg.to_string(),
            hint: None,
        }
    }
}

/// A command's result.
pub type CmdResult = Result<(), DbgError>;

pub use crate::explain::{cause_words, exit_words, vector_words, via_words};
pub use crate::stop::{CatchHit, StopWhy, WatchSeen};

/// A `display` expression.
pub struct DisplayItem {
    /// Number.
    pub id: usize,
    /// As typed.
    pub text: String,
    /// Parsed.
    pub expr: Expr,
    /// Print format letter (`x`, `d`, `u`, `c`, `t`, `i`), if any.
    pub fmt: Option<char>,
}

/// The whole debugger.
pub struct Debugger {
    /// The machine being debugged.
    pub m: Machine,
    /// Its program's symbols and lines.
    pub syms: Symbols,
    /// The interpreter (always used when something must be checked).
    pub interp: Interp,
    /// The threaded engine (for `continue` without stop points when chosen, and `hot`).
    pub threaded: Threaded,
    /// The engine chosen by the user.
    pub engine: EngineKind,
    /// Breakpoints, watchpoints, catchpoints.
    pub points: Points,
    /// `display` expressions.
    pub displays: Vec<DisplayItem>,
    /// Next display number.
    pub next_display: usize,
    /// `print` results (`$1`, `$2` ...).
    pub values: Vec<i64>,
    /// Snapshots for reverse execution.
    pub tt: TimeTravel,
    /// The freshly loaded machine (for `run`).
    pub initial: TimeTravel,
    /// Serial bytes the guest sent on the current timeline.
    pub serial_count: u64,
    /// Serial bytes already shown to the user (replays do not show them again).
    pub serial_shown: u64,
    /// Events not yet taken (when no listener takes them as they come).
    pub events: Vec<crate::output::Event>,
    /// Output bytes in `events` (bounded: see [`crate::output::MAX_QUEUED_OUTPUT`]).
    pub(crate) queued_bytes: usize,
    /// Output bytes dropped from `events` since the last take.
    pub(crate) dropped_output: u64,
    /// Takes events as they come (the REPL).
    pub listener: Option<crate::output::Listener>,
    /// Where `trace on` without a file writes.
    pub trace_buf: crate::output::TraceBuf,
    /// Cycle count at the last stop (for `cycles`).
    pub last_stop_cycles: u64,
    /// Cycle count at the stop before that.
    pub prev_stop_cycles: u64,
    /// Ring transitions counted at the last stop.
    pub seen_transitions: u64,
    /// `Machine::delivered` at the last stop shown (same-ring deliveries are explained).
    pub seen_delivered: u64,
    /// Where `x` with no address continues, and its last format.
    pub x_next: Option<u32>,
    /// Last `x` format: count, letter, size.
    pub x_fmt: (u32, char, u32),
    /// Where `list` with no argument continues: file and first line.
    pub list_next: Option<(String, u32)>,
    /// Program file name (for snapshots).
    pub program_name: Option<String>,
    /// Set by `quit`: the exit status.
    pub quit: Option<u8>,
    /// Instruction trace is on.
    pub tracing: bool,
    /// Recent execution speed (steps per second), for snapshot spacing.
    pub rate: f64,
    /// The guest's serial console while it runs (the terminal, a `-serial tcp:` client).
    pub console: Option<crate::console::Console>,
}

/// Counts of ring transitions.
pub fn transition_count(m: &Machine) -> u64 {
    m.stats.ring_transitions.iter().flatten().sum()
}

impl Debugger {
    /// The exit status `ringfort run` would give for the machine as it is (the table in
    /// `exit_status`): the guest's exit value once it has halted or powered off, the
    /// emulator's own statuses, and 0 while it can still run.
    pub fn guest_status(&self) -> u8 {
        emulator::exit_status::of_machine(&self.m).status
    }

    /// The debugger's exit status: `quit N`'s N, else the guest's ([`Debugger::guest_status`]).
    pub fn exit_status(&self) -> u8 {
        self.quit.unwrap_or_else(|| self.guest_status())
    }

    /// A debugger for `m`, whose program (if it has symbols) is `prog`.
    /// `keys`: the terminal whose keys the guest may read while it runs, if there is one.
    pub fn new(
        mut m: Machine,
        prog: Option<assembler::Program>,
        engine: EngineKind,
        keys: Option<std::sync::Arc<dyn crate::console::Keys>>,
    ) -> Debugger {
        // Guest output is kept aside and shown between commands, so that replays (reverse
        // execution) do not print it twice.
        let stdio = matches!(m.dev.uart.sink, Sink::Stdout);
        if stdio {
            m.dev.uart.sink = Sink::Buffer(Vec::new());
        }
        // The console goes in before the first snapshot, so that every snapshot has it. The
        // terminal is the console only when the serial port is on stdio (not `-serial none`).
        let console = crate::console::Console::attach(&mut m, keys.filter(|_| stdio));
        if console.is_some() {
            m.dev.uart.sink = Sink::Buffer(Vec::new());
        }
        let mut tt = TimeTravel::default();
        tt.take(&mut m, 0);
        let mut initial = TimeTravel::default();
        initial.take(&mut m, 0);
        let seen = transition_count(&m);
        Debugger {
            console,
            last_stop_cycles: m.cpu.cycles,
            prev_stop_cycles: m.cpu.cycles,
            seen_transitions: seen,
            seen_delivered: m.delivered,
            m,
            syms: Symbols::new(prog),
            interp: Interp::new(),
            threaded: engine.block_engine(),
            engine,
            points: Points::default(),
            displays: Vec::new(),
            next_display: 1,
            values: Vec::new(),
            tt,
            initial,
            serial_count: 0,
            serial_shown: 0,
            events: Vec::new(),
            listener: None,
            trace_buf: Default::default(),
            queued_bytes: 0,
            dropped_output: 0,
            x_next: None,
            x_fmt: (1, 'x', 4),
            list_next: None,
            program_name: None,
            quit: None,
            tracing: false,
            rate: 0.0,
        }
    }

    /// Says one line in `style` (a front end may colour it).
    pub fn say_styled(&mut self, style: Style, text: String) {
        self.emit(Event::Styled(vec![(Some(style), text)]));
    }

    /// Says where the machine is (the location part styled).
    pub fn say_where(&mut self) {
        let spans = self.where_spans();
        self.emit(Event::Styled(spans));
    }

    /// Shows guest serial output produced since the last call (only bytes not shown before).
    pub fn drain_serial(&mut self) {
        self.flush_trace();
        let Sink::Buffer(buf) = &mut self.m.dev.uart.sink else {
            return;
        };
        if buf.is_empty() {
            return;
        }
        let bytes = std::mem::take(buf);
        let start = self.serial_count;
        self.serial_count += bytes.len() as u64;
        if self.serial_count > self.serial_shown {
            let skip = self.serial_shown.saturating_sub(start) as usize;
            let new = &bytes[skip..];
            if let Some(c) = &self.console {
                c.output(new);
            }
            let new = new.to_vec();
            self.emit(crate::output::Event::Serial(new));
            self.serial_shown = self.serial_count;
        }
    }

    /// Parses an expression against the program's symbols.
    pub fn parse_expr(&self, text: &str) -> Result<Expr, DbgError> {
        expr::parse(text, &self.syms).map_err(|e| {
            DbgError::hint(
                e,
                "expressions use $registers, symbols, numbers, *(u32*)ADDR, + - * / % << >> & | ^ \
                 == != < <= > >= && || and parentheses",
            )
        })
    }

    /// Evaluates an expression now.
    pub fn eval(&self, e: &Expr) -> Result<i64, DbgError> {
        e.eval(&Env {
            m: &self.m,
            history: &self.values,
        })
        .map_err(DbgError::from)
    }

    /// Parses and evaluates.
    pub fn eval_str(&self, text: &str) -> Result<i64, DbgError> {
        let e = self.parse_expr(text)?;
        self.eval(&e)
    }

    /// ` <sym+off>` for a value that looks like an address: exactly a symbol, or an aligned
    /// address in an executable segment.
    pub fn value_sym(&self, v: u32) -> String {
        let Some(prog) = &self.syms.prog else {
            return String::new();
        };
        let exact = prog
            .symbols
            .iter()
            .any(|s| s.value == v && s.section.is_some());
        let code = v & 3 == 0 && prog.segment_at(v).is_some_and(|s| s.flags.exec);
        if exact || code {
            self.syms.angle(v)
        } else {
            String::new()
        }
    }

    /// Disassembly of the instruction at virtual `pc`.
    pub fn insn_text(&self, pc: u32) -> String {
        match self.m.peek_virt(pc, 4) {
            None => "(no memory here)".to_string(),
            Some(w) => match isa_spec::decode(w) {
                Ok(i) => isa_spec::disasm_with(&i, pc, &|a| self.syms.name_at(a)),
                Err(_) => format!("(illegal instruction word {w:#010x})"),
            },
        }
    }

    /// The decoded instruction at virtual `pc`, if any.
    pub fn insn_at(&self, pc: u32) -> Option<isa_spec::Insn> {
        self.m
            .peek_virt(pc, 4)
            .and_then(|w| isa_spec::decode(w).ok())
    }

    /// `[ring 3] 0x00000120 <main+0xc>:  callg 1   (prog.s:45)`, the location a span of its
    /// own.
    pub fn where_spans(&self) -> Vec<(Option<Style>, String)> {
        // After `halt` the pc has moved past it, but the halt is where the machine is.
        let pc = match self.m.stop {
            Some(emulator::Exit::Halted(_)) => self.m.cpu.pc.wrapping_sub(4),
            _ => self.m.cpu.pc,
        };
        let ring = self.m.cpu.ring();
        let head = format!("[ring {ring}] {pc:#010x}{}:", self.syms.angle(pc));
        let rest = format!("  {:<32}{}", self.insn_text(pc), self.syms.line_suffix(pc));
        vec![(Some(Style::Location), head), (None, rest)]
    }

    /// Shows a stop: why, any ring change since the last stop, where, and the displays.
    pub fn show_stop(&mut self, why: &StopWhy) {
        self.drain_serial();
        self.emit(crate::output::Event::Stop(why.clone()));
        match why {
            StopWhy::Done | StopWhy::Internal => {}
            StopWhy::Breakpoint { id, temp } => {
                let label = if *temp {
                    "Temporary breakpoint"
                } else {
                    "Breakpoint"
                };
                let pc = self.m.cpu.pc;
                let at = self
                    .syms
                    .name_at(pc)
                    .unwrap_or_else(|| format!("{pc:#010x}"));
                self.say_styled(Style::Stop, format!("{label} {id}, {at}"));
            }
            StopWhy::CondError { id, msg } => {
                self.say(format!(
                    "Error in condition of breakpoint {id}: {msg} (stopped here)"
                ));
            }
            StopWhy::Watch { .. } => {
                for l in why.watch_lines() {
                    self.say(l);
                }
            }
            StopWhy::Catch { id, hit } => {
                self.say_styled(Style::Stop, format!("Catchpoint {id} ({hit})"));
            }
            StopWhy::Halted(exit) => {
                let text = match exit {
                    emulator::Exit::Halted(c) => {
                        let at = self.m.cpu.pc.wrapping_sub(4);
                        format!(
                            "The machine halted (halt in ring 0 at {at:#010x}{}), exit code {c}.",
                            self.syms.angle(at)
                        )
                    }
                    emulator::Exit::PowerOff(c) => {
                        format!("The machine powered off, exit code {c}.")
                    }
                    emulator::Exit::TripleFault(d) => format!("The machine stopped: {d}."),
                    emulator::Exit::Idle => "The machine stopped: wfi with no interrupt that \
                                             could ever wake it."
                        .to_string(),
                    other => format!("The machine stopped: {}.", exit_words(other)),
                };
                self.say_styled(Style::Halt, text);
            }
            StopWhy::Interrupted => self.say("Interrupted (Ctrl-C)."),
            StopWhy::HistoryStart => {
                self.say("No more reverse-execution history: this is the earliest saved state.")
            }
        }
        let count = transition_count(&self.m);
        if count > self.seen_transitions {
            if let Some(t) = self.m.last_transition {
                self.emit(crate::output::Event::RingChange(t));
                let n = count - self.seen_transitions;
                if n > 1 {
                    self.say(format!(
                        "({n} ring changes since the last stop; the last one:)"
                    ));
                }
                for l in self.describe_transition(&t) {
                    self.say_styled(Style::Explain, l);
                }
            }
        }
        // A delivery that keeps the ring records no ring change: it is explained from the
        // machine (the cause register and the frame at sp) when the stop is at its handler's
        // entry, as a ring-changing one would be; otherwise it is counted.
        let delivered = self.m.delivered;
        if delivered > self.seen_delivered && count == self.seen_transitions {
            let n = delivered - self.seen_delivered;
            for l in self.describe_same_ring_delivery(n) {
                self.say_styled(Style::Explain, l);
            }
        }
        self.seen_delivered = delivered;
        self.seen_transitions = count;
        self.say_where();
        self.show_displays();
        self.last_stop_cycles_mark();
        self.x_next = None;
        self.list_next = None;
    }

    fn last_stop_cycles_mark(&mut self) {
        // `cycles` reports the cost since the previous stop: keep the one before this stop.
        self.prev_stop_cycles = self.last_stop_cycles;
        self.last_stop_cycles = self.m.cpu.cycles;
    }

    /// Evaluates and prints every `display`.
    pub fn show_displays(&mut self) {
        let mut lines = Vec::new();
        for d in &self.displays {
            let text = match d.fmt {
                Some('i') => {
                    let addr = match self.eval(&d.expr) {
                        Ok(v) => v as u32,
                        Err(e) => {
                            lines.push(format!("{}: x/i {} = <error: {}>", d.id, d.text, e.msg));
                            continue;
                        }
                    };
                    format!(
                        "{}: x/i {}\n   {addr:#010x}{}:  {}",
                        d.id,
                        d.text,
                        self.syms.angle(addr),
                        self.insn_text(addr)
                    )
                }
                fmt => match self.eval(&d.expr) {
                    Ok(v) => format!("{}: {} = {}", d.id, d.text, format_value(v, fmt)),
                    Err(e) => format!("{}: {} = <error: {}>", d.id, d.text, e.msg),
                },
            };
            lines.push(text);
        }
        for l in lines {
            self.say(l);
        }
    }
}

/// Formats a value: `/x` hex, `/d` signed, `/u` unsigned, `/t` binary, `/c` char, `/o` octal;
/// default: decimal with hex.
pub fn format_value(v: i64, fmt: Option<char>) -> String {
    let u = v as u32;
    match fmt {
        Some('x') => format!("{u:#x}"),
        Some('d') => format!("{}", u as i32),
        Some('u') => format!("{u}"),
        Some('t') => format!("{u:#b}"),
        Some('o') => format!("{u:#o}"),
        Some('c') => format!("{} '{}'", u & 0xff, char_repr(u as u8)),
        Some('a') => format!("{u:#010x}"),
        _ => {
            if (-(1i64 << 31)..(1i64 << 32)).contains(&v) {
                if v < 0 {
                    format!("{v} ({u:#x})")
                } else if v < 10 {
                    format!("{v}")
                } else {
                    format!("{v} ({v:#x})")
                }
            } else {
                format!("{v} ({v:#x})")
            }
        }
    }
}

/// A byte as GDB shows a char.
pub fn char_repr(b: u8) -> String {
    match b {
        b'\n' => "\\n".into(),
        b'\t' => "\\t".into(),
        b'\r' => "\\r".into(),
        0 => "\\0".into(),
        b'\\' => "\\\\".into(),
        b'\'' => "\\'".into(),
        0x20..=0x7e => (b as char).to_string(),
        _ => format!("\\{b:03o}"),
    }
}
