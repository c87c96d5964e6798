//! What a session produces, as data: [`Event`]s that a front end renders (the REPL prints
//! them; tests read them). The session never writes to stdout itself.

use crate::session::Debugger;
use std::sync::{Arc, Mutex};

/// One piece of a session's output, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A line of debugger output (no newline). Shown on a line of its own: after guest
    /// output that did not end a line, a front end starts a new one first.
    Line(String),
    /// Text exactly as given (`echo`): it may end without a newline.
    Text(String),
    /// Guest serial output not shown before (replays by time travel do not repeat it).
    Serial(Vec<u8>),
    /// Instruction trace output (`trace on` without a file).
    Trace(Vec<u8>),
    /// The machine stopped, and why (the lines that show it follow).
    Stop(crate::session::StopWhy),
    /// A ring change happened since the last stop: the last one (the lines that explain it
    /// follow).
    RingChange(emulator::machine::Transition),
    /// `info pagetable VA` walked an address (the lines that explain it follow).
    PageWalk(PageWalk),
    /// A line of debugger output made of spans, some with a [`Style`] a terminal front end
    /// may show in colour (no newline; shown on a line of its own, as [`Event::Line`]).
    Styled(Vec<(Option<Style>, String)>),
}

/// What a styled span is, for a front end to show as it likes (the REPL: ANSI colours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Where the machine is: `[ring 3] 0x... <main>:` (bold).
    Location,
    /// A breakpoint or catchpoint stop (bold yellow).
    Stop,
    /// The machine halted, powered off or stopped for good (bold red).
    Halt,
    /// An explanation of a ring change or a delivery (cyan).
    Explain,
}

impl Style {
    /// The ANSI SGR code a terminal shows this style with.
    pub fn ansi(self) -> &'static str {
        match self {
            Style::Location => "1",
            Style::Stop => "1;33",
            Style::Halt => "1;31",
            Style::Explain => "36",
        }
    }
}

/// A page walk, step by step, as the hardware would do it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageWalk {
    /// The virtual address.
    pub va: u32,
    /// The directory entry: its physical address and value (`None`: not RAM).
    pub directory: (u32, Option<u32>),
    /// The page-table entry, when the directory entry is present: address and value.
    pub table: Option<(u32, Option<u32>)>,
    /// What the TLB caches for the page, if it does.
    pub tlb: Option<u32>,
}

/// The most output (serial, trace and text bytes) kept for [`Debugger::take_events`] when no
/// listener takes events as they come: a guest printing or tracing through a long `continue`
/// must not grow the host without bound. The oldest output goes first, and is counted.
pub const MAX_QUEUED_OUTPUT: usize = 16 << 20;

/// Receives events as they happen (a front end that shows guest output while it runs).
pub type Listener = Box<dyn FnMut(Event)>;

/// Where `trace on` without a file writes: kept here and handed out as [`Event::Trace`], so
/// that it stays in order with the rest of the output.
#[derive(Clone, Default)]
pub struct TraceBuf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for TraceBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl TraceBuf {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// Renders events as a terminal shows them, tracking whether the last byte ended a line.
pub struct Printer<W: std::io::Write> {
    out: W,
    at_line_start: bool,
    color: bool,
}

impl<W: std::io::Write> Printer<W> {
    /// A printer writing to `out`.
    pub fn new(out: W) -> Printer<W> {
        Printer {
            out,
            at_line_start: true,
            color: false,
        }
    }

    /// Shows [`Event::Styled`] spans in ANSI colours (for a terminal; off by default).
    pub fn with_color(mut self, on: bool) -> Printer<W> {
        self.color = on;
        self
    }

    /// Writes one event (errors writing the terminal are not the session's to report).
    pub fn print(&mut self, ev: &Event) {
        let out = &mut self.out;
        let _ = match ev {
            Event::Line(l) => {
                if !self.at_line_start {
                    let _ = out.write_all(b"\n");
                }
                self.at_line_start = true;
                writeln!(out, "{l}")
            }
            Event::Styled(spans) => {
                if !self.at_line_start {
                    let _ = out.write_all(b"\n");
                }
                self.at_line_start = true;
                let mut line = String::new();
                for (style, text) in spans {
                    match style {
                        Some(s) if self.color => {
                            line.push_str(&format!("\x1b[{}m{text}\x1b[0m", s.ansi()))
                        }
                        _ => line.push_str(text),
                    }
                }
                writeln!(out, "{line}")
            }
            Event::Text(t) => {
                self.at_line_start = t.is_empty() || t.ends_with('\n');
                out.write_all(t.as_bytes()).and_then(|_| out.flush())
            }
            Event::Serial(b) => {
                if let Some(&last) = b.last() {
                    self.at_line_start = last == b'\n';
                }
                out.write_all(b).and_then(|_| out.flush())
            }
            Event::Trace(b) => out.write_all(b),
            // Typed facts for front ends that want them; their text follows as lines.
            Event::Stop(_) | Event::RingChange(_) | Event::PageWalk(_) => Ok(()),
        };
    }

    /// The writer (a test's buffer).
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Renders events to text as the terminal would show them.
pub fn render(events: &[Event]) -> String {
    let mut p = Printer::new(Vec::new());
    for e in events {
        p.print(e);
    }
    String::from_utf8_lossy(&p.into_inner()).into_owned()
}

/// The output bytes an event holds (what [`MAX_QUEUED_OUTPUT`] counts).
fn output_bytes(ev: &Event) -> usize {
    match ev {
        Event::Line(s) | Event::Text(s) => s.len(),
        Event::Serial(b) | Event::Trace(b) => b.len(),
        Event::Styled(spans) => spans.iter().map(|(_, t)| t.len()).sum(),
        Event::Stop(_) | Event::RingChange(_) | Event::PageWalk(_) => 0,
    }
}

impl Debugger {
    /// Emits an event: to the listener if there is one, else kept for [`Debugger::take_events`].
    pub fn emit(&mut self, ev: Event) {
        self.flush_trace();
        self.deliver(ev);
    }

    /// Hands out the trace written since the last event (the run loop calls this between
    /// chunks, so trace output never piles up for a whole run).
    pub fn flush_trace(&mut self) {
        let trace = self.trace_buf.take();
        if !trace.is_empty() {
            self.deliver(Event::Trace(trace));
        }
    }

    fn deliver(&mut self, ev: Event) {
        match &mut self.listener {
            Some(l) => l(ev),
            None => {
                self.queued_bytes += output_bytes(&ev);
                self.events.push(ev);
                if self.queued_bytes > MAX_QUEUED_OUTPUT {
                    self.drop_oldest_output();
                }
            }
        }
    }

    /// Drops the oldest queued events until at most half of [`MAX_QUEUED_OUTPUT`] is held
    /// (half, so that a guest printing steadily does not pay for a drop on every event).
    #[cold]
    fn drop_oldest_output(&mut self) {
        let mut n = 0;
        while self.queued_bytes > MAX_QUEUED_OUTPUT / 2 && n + 1 < self.events.len() {
            let b = output_bytes(&self.events[n]);
            self.queued_bytes -= b;
            self.dropped_output += b as u64;
            n += 1;
        }
        self.events.drain(..n);
    }

    /// Emits a line of debugger output.
    pub fn say(&mut self, line: impl Into<String>) {
        self.emit(Event::Line(line.into()));
    }

    /// The events produced since the last call (when no listener takes them).
    /// If output was dropped because nobody took it (see [`MAX_QUEUED_OUTPUT`]), the first
    /// event says how much.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.flush_trace();
        let mut events = std::mem::take(&mut self.events);
        self.queued_bytes = 0;
        let dropped = std::mem::take(&mut self.dropped_output);
        if dropped > 0 {
            let note = format!(
                "({dropped} bytes of earlier output were dropped: at most {} MiB is kept \
                 between takes; set a listener to see it all)",
                MAX_QUEUED_OUTPUT >> 20
            );
            events.insert(0, Event::Line(note));
        }
        events
    }

    /// Sends every later event to `l` as it happens (a REPL printing guest output live).
    pub fn set_listener(&mut self, l: Listener) {
        self.listener = Some(l);
    }

    /// The session's first lines: the program, its entry, RAM and engine; the guest's
    /// console, if it has one; where the machine is.
    pub fn greet(&mut self) {
        let entry = self.m.cpu.pc;
        self.say(format!(
            "Ringfort debugger: {}, entry {entry:#010x}{}, {} MiB RAM, engine {}. `help` lists \
             the commands.",
            self.program_name.as_deref().unwrap_or("(no program)"),
            self.syms.angle(entry),
            self.m.ram().len() >> 20,
            self.engine
        ));
        if let Some(c) = &self.console {
            let text = format!(
                "The guest's serial console is {} while it runs (Ctrl-C stops it).",
                c.describe()
            );
            self.say(text);
        }
        self.say_where();
    }

    /// Executes a command line and returns what it produced, rendered as the terminal shows
    /// it (an error as its one line). For tests and scripted front ends.
    pub fn run_command(&mut self, line: &str) -> String {
        if let Err(e) = self.execute(line) {
            self.say(e.line());
        }
        let ev = self.take_events();
        render(&ev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Styles are data until a front end shows them: the plain rendering has no escape codes,
    /// a colour printer wraps only the styled spans.
    #[test]
    fn styled_lines_are_coloured_only_by_a_colour_printer() {
        let ev = Event::Styled(vec![
            (Some(Style::Location), "[ring 0] 0x00000000:".into()),
            (None, "  halt".into()),
        ]);
        assert_eq!(
            render(std::slice::from_ref(&ev)),
            "[ring 0] 0x00000000:  halt\n"
        );
        let mut p = Printer::new(Vec::new()).with_color(true);
        p.print(&Event::Serial(b"no newline".to_vec()));
        p.print(&ev);
        assert_eq!(
            String::from_utf8(p.into_inner()).expect("utf-8"),
            "no newline\n\x1b[1m[ring 0] 0x00000000:\x1b[0m  halt\n"
        );
    }
}
