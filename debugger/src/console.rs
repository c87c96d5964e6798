//! The guest's serial console under the debugger, as QEMU's with a gdb attached: while the
//! guest runs (`continue`, `stepi N`, `finish` ...) the keys typed at the debugger's terminal
//! go to the guest (Ctrl-C stops it and gives the terminal back to the `(rfdb)` prompt), and a
//! `-serial tcp:`/`file:` back end is the console: what its client sends reaches the guest,
//! and the guest's output goes to it (as well as to the debugger's screen).
//!
//! The UART gets a `DebugPort` as its host back end. It delivers input only while the
//! debugger runs the guest for the user (never while it re-executes for time travel), and it
//! keeps a guest that waits in `wfi` for a key from being judged idle. Because such a wait has
//! no end the debugger could see, runs are cut into [`SLICE`]-cycle slices so that Ctrl-C is
//! noticed; a `wfi` wait cut by a slice goes on in the next one (`Cpu::waiting`), so the
//! guest sees the wait SPEC.md §5.14 describes, and re-execution stays exact.

use crate::INTERRUPTED;
use emulator::devices::serial::{Host, HostEvent};
use emulator::devices::uart::SharedHost;
use emulator::Machine;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Cycles per run slice when a console is attached (about 42 ms of guest time): the longest
/// the debugger waits to notice Ctrl-C while the guest sleeps in `wfi`.
pub const SLICE: u64 = 1 << 22;

/// The terminal the guest's keys come from while it runs: the front end's (the `ringfort
/// debug` REPL reads standard input in raw mode), so the library touches no terminal itself.
pub trait Keys: Send + Sync {
    /// Puts the terminal in raw mode for a run; the guard puts it back when dropped. `None`:
    /// it cannot (then no keys are read).
    fn raw(&self) -> Option<Box<dyn std::any::Any>>;
    /// Appends the keys typed so far, without waiting.
    fn read_ready(&self, out: &mut Vec<u8>);
}

/// What the debugger and the UART's back end share.
#[derive(Default)]
struct State {
    /// The debugger runs the guest for the user: input may be delivered.
    live: AtomicBool,
    /// Read keys from the terminal (standard input, in raw mode) now.
    tty: AtomicBool,
}

/// The guest's console: the UART's back end while the debugger runs.
pub struct Console {
    state: Arc<State>,
    /// A `-serial tcp:`/`file:` back end.
    host: Option<SharedHost>,
    /// The terminal the guest may read while it runs.
    keys: Option<Arc<dyn Keys>>,
}

/// The UART's host back end under the debugger (see the module documentation).
struct DebugPort {
    state: Arc<State>,
    host: Option<SharedHost>,
    keys: Option<Arc<dyn Keys>>,
}

impl Host for DebugPort {
    // Output reaches the back end from the debugger, which knows which bytes are new (a
    // re-execution produces them again).
    fn write(&mut self, _bytes: &[u8]) {}

    fn poll(&mut self, out: &mut Vec<u8>, _events: &mut Vec<HostEvent>) -> bool {
        if !self.state.live.load(Ordering::SeqCst) {
            return true;
        }
        if let Some(h) = &self.host {
            if let Ok(mut h) = h.0.lock() {
                // The back end's console commands (Ctrl-A x on a stdio back end) are not
                // this console's: the debugger has its own.
                let mut events = Vec::new();
                h.poll(out, &mut events);
            }
        }
        if let (true, Some(k)) = (self.state.tty.load(Ordering::SeqCst), &self.keys) {
            let mut keys = Vec::new();
            k.read_ready(&mut keys);
            for b in keys {
                // Ctrl-C stops the guest (the terminal is raw, so it arrives as a byte).
                if b == 0x03 {
                    INTERRUPTED.store(true, Ordering::SeqCst);
                } else {
                    out.push(b);
                }
            }
        }
        // Input may always come: the guest waiting for it is not idle.
        true
    }

    fn interactive(&self) -> bool {
        true
    }

    /// Real time only while the guest runs for the user: a re-execution for time travel
    /// runs as fast as it can.
    fn paced(&self) -> bool {
        self.state.live.load(Ordering::SeqCst)
    }

    fn describe(&self) -> String {
        "the debugger's console".into()
    }
}

/// While the guest runs for the user: input delivered, the terminal raw if it is the console.
pub struct Running {
    state: Arc<State>,
    _raw: Option<Box<dyn std::any::Any>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.state.tty.store(false, Ordering::SeqCst);
        self.state.live.store(false, Ordering::SeqCst);
    }
}

impl Console {
    /// Makes the UART's back end a `DebugPort` when there is a console: the terminal
    /// (`keys`) or the machine's `-serial tcp:`/`file:` back end. `None` otherwise (input
    /// then comes only from the program).
    pub fn attach(m: &mut Machine, keys: Option<Arc<dyn Keys>>) -> Option<Console> {
        let host = m.dev.uart.host.take();
        if host.is_none() && keys.is_none() {
            return None;
        }
        let state = Arc::new(State::default());
        let port = DebugPort {
            state: state.clone(),
            host: host.clone(),
            keys: keys.clone(),
        };
        m.dev.attach_serial(port, m.cpu.cycles);
        Some(Console { state, host, keys })
    }

    /// What the console is, for the session's first lines.
    pub fn describe(&self) -> String {
        let host = self
            .host
            .as_ref()
            .and_then(|h| h.0.lock().ok().map(|h| h.describe()));
        match (host, self.keys.is_some()) {
            (Some(h), true) => format!("{h}, and the terminal's keys"),
            (Some(h), false) => h,
            (None, _) => "the terminal's keys".into(),
        }
    }

    /// Starts a run for the user: input is delivered until the guard is dropped.
    pub fn running(&self) -> Running {
        let raw = self.keys.as_ref().and_then(|k| k.raw());
        self.state.tty.store(raw.is_some(), Ordering::SeqCst);
        self.state.live.store(true, Ordering::SeqCst);
        Running {
            state: self.state.clone(),
            _raw: raw,
        }
    }

    /// Sends the guest's new output to the back end.
    pub fn output(&self, bytes: &[u8]) {
        if let Some(h) = &self.host {
            if let Ok(mut h) = h.0.lock() {
                h.write(bytes);
                h.flush();
            }
        }
    }
}

/// The end of the slice holding cycle `cycles`: the next multiple of [`SLICE`] after it. Runs
/// stop there whatever their start, so a `wfi` wait ends at the same cycle in every run.
pub fn slice_end(cycles: u64) -> u64 {
    (cycles / SLICE + 1).saturating_mul(SLICE)
}
