//! The Ringfort step debugger as a library: a [`Debugger`] session takes a command and returns
//! what it produced as data (events); front ends (the `ringfort debug` REPL, tests, a grader)
//! render and print them.
//!
//! - [`session`]: the debugger's state and how a stop is shown (pc, ring, symbol, instruction,
//!   and any ring change: from, to, through which gate or vector, stack switch, parameters);
//! - [`control`]: running between stops (stepping, breakpoints, watchpoints, catchpoints,
//!   reverse execution); [`timetravel`]: the snapshots behind reverse execution;
//! - [`commands`]: the command table and what each does; [`expr`] and [`location`]: what the
//!   commands take; [`views`] and [`frames`]: what they show;
//! - [`snapshot`]: snapshot files; [`console`]: the guest's serial console while it runs.
//!
//! docs/debugger.md is the user's guide.

#![warn(missing_docs)]

pub mod commands;
pub mod console;
pub mod control;
pub mod explain;
pub mod expr;
pub mod frames;
pub mod location;
pub mod output;
pub mod points;
pub mod session;
pub mod snapshot;
pub mod stop;
pub mod symbols;
pub mod timetravel;
pub mod views;

pub use output::{render, Event, Printer, Style};
pub use session::{DbgError, Debugger, StopWhy};

use std::sync::atomic::AtomicBool;

/// Set by Ctrl-C (the front end's handler, or a Ctrl-C byte from the guest's console): the
/// run loop stops at the next chunk boundary.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);
