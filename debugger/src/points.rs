//! Breakpoints, watchpoints and catchpoints: one numbered list, as in GDB.

use crate::expr::Expr;

/// What a watchpoint reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchKind {
    /// `watch`: the value changes (checked on every write that touches it).
    Write,
    /// `rwatch`: a load reads it.
    Read,
    /// `awatch`: a load reads it or a store writes it.
    Access,
}

impl WatchKind {
    /// GDB's name for the kind.
    pub fn label(self) -> &'static str {
        match self {
            WatchKind::Write => "Hardware watchpoint",
            WatchKind::Read => "Hardware read watchpoint",
            WatchKind::Access => "Hardware access (read/write) watchpoint",
        }
    }

    /// Short name for `info breakpoints`.
    pub fn short(self) -> &'static str {
        match self {
            WatchKind::Write => "hw watchpoint",
            WatchKind::Read => "read watchpoint",
            WatchKind::Access => "acc watchpoint",
        }
    }
}

/// What a catchpoint catches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Catch {
    /// Any change of ring.
    RingChange,
    /// A successful `callg` (of gate N, or any).
    Gate(Option<u32>),
    /// A fault or software trap delivered (through vector N, or any non-interrupt vector).
    Exception(Option<u8>),
    /// An interrupt delivered (from line N, or any).
    Interrupt(Option<u8>),
}

impl Catch {
    /// How `info breakpoints` describes it.
    pub fn describe(&self) -> String {
        match self {
            Catch::RingChange => "ring-change".into(),
            Catch::Gate(None) => "gate (any)".into(),
            Catch::Gate(Some(n)) => format!("gate {n}"),
            Catch::Exception(None) => "exception (any)".into(),
            Catch::Exception(Some(v)) => {
                format!("exception {v} ({})", isa_spec::cr::vector::name(*v))
            }
            Catch::Interrupt(None) => "interrupt (any line)".into(),
            Catch::Interrupt(Some(l)) => format!("interrupt line {l}"),
        }
    }
}

/// A watched location.
#[derive(Clone, Debug)]
pub struct Watch {
    /// Read, write or access.
    pub kind: WatchKind,
    /// Address (virtual unless `phys`).
    pub addr: u32,
    /// Bytes watched (1, 2 or 4).
    pub len: u32,
    /// The address is physical.
    pub phys: bool,
    /// Value at the last check (for "Old value / New value").
    pub old: Option<u32>,
}

/// One kind of stop point.
#[derive(Clone, Debug)]
pub enum Kind {
    /// A breakpoint at an address.
    Break {
        /// Address.
        addr: u32,
        /// Deleted after its first hit (`tbreak`).
        temp: bool,
    },
    /// A watchpoint.
    Watch(Watch),
    /// A catchpoint.
    Catch(Catch),
}

/// A numbered stop point.
#[derive(Clone, Debug)]
pub struct Point {
    /// Number (shared by all kinds).
    pub id: usize,
    /// What it is.
    pub kind: Kind,
    /// Enabled?
    pub enabled: bool,
    /// `if EXPR`: the text and the parsed expression.
    pub cond: Option<(String, Expr)>,
    /// Times it stopped the program.
    pub hits: u64,
    /// How the user wrote the location.
    pub what: String,
}

/// Every stop point.
#[derive(Clone, Debug, Default)]
pub struct Points {
    /// The points, in creation order.
    pub list: Vec<Point>,
    next: usize,
}

impl Points {
    /// Adds a point and returns its number.
    pub fn add(&mut self, kind: Kind, cond: Option<(String, Expr)>, what: String) -> usize {
        self.next += 1;
        self.list.push(Point {
            id: self.next,
            kind,
            enabled: true,
            cond,
            hits: 0,
            what,
        });
        self.next
    }

    /// The point numbered `id`.
    pub fn get_mut(&mut self, id: usize) -> Option<&mut Point> {
        self.list.iter_mut().find(|p| p.id == id)
    }

    /// Removes point `id`; false if there is none.
    pub fn remove(&mut self, id: usize) -> bool {
        let before = self.list.len();
        self.list.retain(|p| p.id != id);
        self.list.len() != before
    }

    /// Enabled breakpoints: address and condition.
    pub fn enabled_breaks(&self) -> impl Iterator<Item = (u32, Option<&Expr>)> {
        self.list
            .iter()
            .filter(|p| p.enabled)
            .filter_map(|p| match p.kind {
                Kind::Break { addr, .. } => Some((addr, p.cond.as_ref().map(|c| &c.1))),
                _ => None,
            })
    }

    /// Enabled watchpoints.
    pub fn watches(&self) -> impl Iterator<Item = &Point> {
        self.list
            .iter()
            .filter(|p| p.enabled && matches!(p.kind, Kind::Watch(_)))
    }

    /// Is an enabled catchpoint, or a read/access watchpoint, set (they need single steps)?
    pub fn need_single_step(&self) -> bool {
        self.list.iter().any(|p| {
            p.enabled
                && match &p.kind {
                    Kind::Catch(_) => true,
                    Kind::Watch(w) => w.kind != WatchKind::Write,
                    Kind::Break { .. } => false,
                }
        })
    }
}
