//! Why the machine stopped, as data: the stop reasons and what a watchpoint or catchpoint
//! saw, with the words they are shown in.

use crate::session::{cause_words, format_value};
use isa_spec::cr::vector;

/// Why the machine stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopWhy {
    /// Stepping finished.
    Done,
    /// A nexti/finish/until target was reached.
    Internal,
    /// A breakpoint.
    Breakpoint {
        /// Its number.
        id: usize,
        /// It was temporary (and is now deleted).
        temp: bool,
    },
    /// A breakpoint condition could not be evaluated.
    CondError {
        /// Its number.
        id: usize,
        /// Why.
        msg: String,
    },
    /// A watchpoint triggered.
    Watch {
        /// Its number.
        id: usize,
        /// Its kind (write, read, access).
        kind: crate::points::WatchKind,
        /// What it watches, as typed.
        what: String,
        /// What it saw.
        seen: WatchSeen,
    },
    /// A catchpoint triggered.
    Catch {
        /// Its number.
        id: usize,
        /// What happened.
        hit: CatchHit,
    },
    /// The machine stopped (halt, power off, triple fault, idle).
    Halted(emulator::Exit),
    /// Ctrl-C.
    Interrupted,
    /// Reverse execution reached the start of the recorded history.
    HistoryStart,
}

/// What a watchpoint saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchSeen {
    /// The value changed, or a write touched it (an access watchpoint); `None`: unreadable.
    Written {
        /// Before.
        old: Option<u32>,
        /// After.
        new: Option<u32>,
    },
    /// A load read it.
    Read {
        /// The value read (`None`: unreadable).
        value: Option<u32>,
    },
}

/// What a catchpoint caught.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatchHit {
    /// A ring change.
    RingChange {
        /// From ring.
        from: u8,
        /// To ring.
        to: u8,
    },
    /// A `callg`.
    Gate {
        /// The gate number.
        gate: u32,
        /// The caller's ring.
        from: u8,
    },
    /// An exception was delivered.
    Exception {
        /// Its vector.
        vector: u8,
        /// The cause register.
        cause: u32,
        /// The fault address register.
        faddr: u32,
    },
    /// An interrupt was taken.
    Interrupt {
        /// The interrupt line.
        line: u8,
    },
}

impl std::fmt::Display for CatchHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            CatchHit::RingChange { from, to } => write!(f, "ring change: ring {from} -> ring {to}"),
            CatchHit::Gate { gate, from } => {
                write!(f, "gate {gate}: callg {gate} from ring {from}")
            }
            CatchHit::Exception {
                vector: v,
                cause,
                faddr,
            } => write!(
                f,
                "exception: vector {v} ({}), cause {}, faddr {faddr:#010x}",
                vector::name(v),
                cause_words(cause)
            ),
            CatchHit::Interrupt { line } => write!(
                f,
                "interrupt: line {line}{}, vector {}",
                emulator::devices::Devices::lines()
                    .into_iter()
                    .find(|l| l.0 == line)
                    .map(|(_, name)| format!(" ({})", name.to_lowercase()))
                    .unwrap_or_default(),
                vector::IRQ_BASE + line
            ),
        }
    }
}

impl StopWhy {
    /// The lines a watchpoint stop is shown with (GDB's words); empty for other stops.
    pub fn watch_lines(&self) -> Vec<String> {
        let StopWhy::Watch {
            id,
            kind,
            what,
            seen,
        } = self
        else {
            return Vec::new();
        };
        let show = |v: &Option<u32>| match v {
            Some(v) => format_value(*v as i64, None),
            None => "<unreadable>".to_string(),
        };
        let head = format!("{} {id}: {what}", kind.label());
        match seen {
            WatchSeen::Written { old, new } => vec![
                head,
                String::new(),
                format!("Old value = {}", show(old)),
                format!("New value = {}", show(new)),
            ],
            WatchSeen::Read { value } => {
                vec![head, String::new(), format!("Value = {}", show(value))]
            }
        }
    }
}
