//! Host I/O: what connects a machine to the world outside it — serial back ends (terminal,
//! TCP, file), the display window — and the notices the machine has for the person at it.
//!
//! Devices never print or touch host files themselves: they talk to these back ends through
//! small types ([`serial::Host`], [`sink::Sink`], [`display::Display`]), and messages for
//! the user become [`Notice`]s that the front end (the `ringfort` binary, a test, an
//! embedder) takes or listens to ([`Notices`]).

pub mod display;
mod notice;
pub mod serial;
pub mod sink;

pub use notice::{Notice, Notices, MAX_NOTICES};
