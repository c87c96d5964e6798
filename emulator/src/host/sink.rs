//! Where the UART's output goes on the host: standard output, a bounded buffer, nowhere, and
//! the shared handle of a serial back end ([`super::serial::Host`]).

use super::serial::Host;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Where transmitted bytes go, besides a host back end (see
/// [`Uart::attach_host`](crate::devices::uart::Uart::attach_host)).
#[derive(Clone)]
pub enum Sink {
    /// Discard.
    None,
    /// Host standard output (no input).
    Stdout,
    /// Kept in memory (tests, embedding, the debugger); input only through
    /// [`Devices::inject_serial`](crate::devices::Devices::inject_serial).
    Buffer(Vec<u8>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sink::None => write!(f, "None"),
            Sink::Stdout => write!(f, "Stdout"),
            Sink::Buffer(b) => write!(f, "Buffer({} bytes)", b.len()),
        }
    }
}

impl Sink {
    /// Sends byte `b`; a buffer keeps the newest `max` bytes. Returns the bytes it dropped.
    pub fn put(&mut self, b: u8, max: usize) -> u64 {
        match self {
            Sink::None => 0,
            Sink::Stdout => {
                let _ = std::io::stdout().lock().write_all(&[b]);
                0
            }
            Sink::Buffer(v) => crate::bounded::push_newest(v, b, max) as u64,
        }
    }

    /// Pushes buffered standard output out.
    pub fn flush(&self) {
        if matches!(self, Sink::Stdout) {
            let _ = std::io::stdout().flush();
        }
    }

    /// The bytes kept so far, when it is a buffer.
    pub fn output(&self) -> &[u8] {
        match self {
            Sink::Buffer(v) => v,
            _ => &[],
        }
    }
}

/// A host back end, shared by machine snapshots.
#[derive(Clone)]
pub struct SharedHost(pub Arc<Mutex<dyn Host>>);

impl SharedHost {
    /// Runs `f` on the back end (`None` if another thread panicked holding it).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut dyn Host) -> R) -> Option<R> {
        self.0.lock().ok().map(|mut h| f(&mut *h))
    }
}

impl std::fmt::Debug for SharedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.with(|h| h.describe()).unwrap_or_default();
        write!(f, "Host({d})")
    }
}
