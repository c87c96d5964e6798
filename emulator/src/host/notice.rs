//! Messages for the person at the machine (the camera's in-use indicator, console escapes,
//! disk write-backs), queued for the front end to print: the library itself never prints.

use crate::machine::Machine;
use std::collections::VecDeque;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Notices kept while no listener takes them (a guest toggling the camera forever costs
/// bounded memory): past this the oldest are dropped.
pub const MAX_NOTICES: usize = 1024;

/// A message for the user. Its `Display` is the exact text to print on the terminal,
/// line end included (`\r\n` where the terminal may be in raw mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The camera's in-use indicator changed: `[camera on]` / `[camera off]`.
    Camera {
        /// The camera is on now.
        on: bool,
    },
    /// `Ctrl-A s` wrote the disk's cached sectors to its image (`error`: it could not).
    DiskWritten {
        /// The image file.
        path: PathBuf,
        /// Why the write failed, if it did.
        error: Option<String>,
    },
    /// `Ctrl-A s` with a disk held in memory: there is no file to write.
    DiskInMemory {
        /// What the disk is called.
        name: PathBuf,
    },
    /// A disk image was closed with cached sectors it could not write.
    DiskLost {
        /// Sectors not written.
        sectors: usize,
        /// The image file.
        path: PathBuf,
        /// Why.
        error: String,
    },
    /// `Ctrl-A h`: the console escapes.
    EscapeHelp,
    /// A TCP serial console listens on this address.
    SerialListening(String),
    /// A TCP serial console waits for its first client before the machine starts.
    SerialWaiting(String),
    /// A client connected to the TCP serial console.
    SerialClient(String),
    /// Serial output the TCP client did not read fast enough was dropped.
    SerialDropped {
        /// Bytes dropped.
        bytes: u64,
        /// The console's address.
        addr: String,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Camera { on: true } => writeln!(f, "[camera on]"),
            Notice::Camera { on: false } => writeln!(f, "[camera off]"),
            Notice::DiskWritten { path, error: None } => {
                write!(f, "ringfort: disk written to {}\r\n", path.display())
            }
            Notice::DiskWritten {
                path,
                error: Some(e),
            } => write!(
                f,
                "ringfort: error: cannot write {}: {e}\r\n",
                path.display()
            ),
            Notice::DiskLost {
                sectors,
                path,
                error,
            } => writeln!(
                f,
                "ringfort: error: could not write {sectors} cached sector(s) to {}: {error}",
                path.display()
            ),
            Notice::DiskInMemory { name } => write!(
                f,
                "ringfort: {} has no file to write: its changes are lost at exit\r\n",
                name.display()
            ),
            Notice::EscapeHelp => f.write_str(super::serial::ESCAPE_HELP),
            Notice::SerialListening(a) => writeln!(f, "ringfort: serial console on tcp:{a}"),
            Notice::SerialWaiting(a) => {
                writeln!(f, "ringfort: waiting for a connection on tcp:{a}")
            }
            Notice::SerialClient(p) => writeln!(f, "ringfort: serial client {p} connected"),
            Notice::SerialDropped { bytes, addr } => writeln!(
                f,
                "ringfort: {bytes} bytes of serial output were dropped: the client on tcp:{addr} \
                 did not read them fast enough"
            ),
        }
    }
}

type Listener = Box<dyn FnMut(&Notice) + Send>;

#[derive(Default)]
struct Inner {
    queue: VecDeque<Notice>,
    dropped: u64,
    listener: Option<Listener>,
}

/// Where notices go: a handle shared by a machine, its snapshots and its host back ends
/// (a disk image reports at close, a TCP console from its own threads). Without a listener
/// notices wait, the newest [`MAX_NOTICES`], for [`Notices::take`]; with one they go to it
/// as they happen, so an interactive front end shows them at once.
#[derive(Clone, Default)]
pub struct Notices(Arc<Mutex<Inner>>);

impl fmt::Debug for Notices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Notices({} queued)", self.lock().queue.len())
    }
}

impl Notices {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reports `n`: to the listener, or into the queue.
    pub fn push(&self, n: Notice) {
        let mut g = self.lock();
        if let Some(l) = &mut g.listener {
            l(&n);
            return;
        }
        if g.queue.len() >= MAX_NOTICES {
            g.queue.pop_front();
            g.dropped += 1;
        }
        g.queue.push_back(n);
    }

    /// The queued notices, oldest first (emptying the queue).
    pub fn take(&self) -> Vec<Notice> {
        self.lock().queue.drain(..).collect()
    }

    /// Notices dropped from a full queue.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// From now on notices go to `f` as they happen (those queued first). `f` runs with the
    /// queue locked: it must not report notices itself.
    pub fn listen(&self, mut f: impl FnMut(&Notice) + Send + 'static) {
        let mut g = self.lock();
        for n in g.queue.drain(..) {
            f(&n);
        }
        g.listener = Some(Box::new(f));
    }
}

impl Machine {
    /// The notices for the user queued so far (see [`Notices`]), oldest first.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        self.dev.notices.take()
    }

    /// Sends the machine's notices (and its host back ends') to `f` as they happen; the
    /// binary prints them on stderr.
    pub fn on_notice(&mut self, f: impl FnMut(&Notice) + Send + 'static) {
        self.dev.notices.listen(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_is_bounded_and_a_listener_sees_the_backlog_first() {
        let n = Notices::default();
        for i in 0..MAX_NOTICES + 5 {
            n.push(Notice::Camera { on: i % 2 == 0 });
        }
        assert_eq!(n.dropped(), 5);
        let seen = Arc::new(Mutex::new(0usize));
        let s = seen.clone();
        n.listen(move |_| *s.lock().unwrap() += 1);
        n.push(Notice::EscapeHelp);
        assert_eq!(*seen.lock().unwrap(), MAX_NOTICES + 1);
        assert!(n.take().is_empty());
    }

    #[test]
    fn texts_are_those_the_terminal_showed() {
        assert_eq!(Notice::Camera { on: true }.to_string(), "[camera on]\n");
        assert_eq!(
            Notice::SerialListening("127.0.0.1:5".into()).to_string(),
            "ringfort: serial console on tcp:127.0.0.1:5\n"
        );
    }
}
