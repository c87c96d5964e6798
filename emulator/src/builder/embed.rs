//! The builder's embedding side: a program from source text or ELF bytes, serial input from
//! cycle 0, serial output kept in memory (bounded), and a [`Vm`] to drive.

use super::{BuildError, MachineBuilder, Source};
use crate::host::serial::{Host, HostEvent};
use crate::vm::Vm;
use crate::{EngineKind, Machine};
use rf_object::Program;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Serial output kept by [`MachineBuilder::capture_output`] when no limit is given: 1 MiB.
pub const DEFAULT_OUTPUT_LIMIT: usize = 1 << 20;

/// Serial output kept in memory: the first `limit` bytes the guest sent, and whether it sent
/// more (a guest never grows host memory past the limit).
#[derive(Clone, Debug, Default)]
pub struct Captured(Arc<Mutex<Capture>>);

#[derive(Debug, Default)]
struct Capture {
    bytes: Vec<u8>,
    limit: usize,
    dropped: u64,
}

impl Captured {
    /// The bytes kept so far (at most the limit).
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().map(|c| c.bytes.clone()).unwrap_or_default()
    }

    /// Bytes the guest sent past the limit (not kept); nonzero means the output was truncated.
    pub fn dropped(&self) -> u64 {
        self.0.lock().map(|c| c.dropped).unwrap_or(0)
    }
}

/// The serial back end behind [`Captured`]: output only, no input, never paced.
struct CaptureHost(Captured);

impl Host for CaptureHost {
    fn write(&mut self, bytes: &[u8]) {
        if let Ok(mut c) = (self.0).0.lock() {
            let room = c.limit.saturating_sub(c.bytes.len()).min(bytes.len());
            c.bytes.extend_from_slice(&bytes[..room]);
            c.dropped += (bytes.len() - room) as u64;
        }
    }

    fn poll(&mut self, _out: &mut Vec<u8>, _events: &mut Vec<HostEvent>) -> bool {
        false
    }

    fn paced(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}

/// Attaches a capturing back end keeping at most `limit` bytes to `m`'s UART.
pub(super) fn attach_capture(m: &mut Machine, limit: usize) -> Captured {
    let c = Captured(Arc::new(Mutex::new(Capture {
        limit,
        ..Default::default()
    })));
    m.dev.uart.sink = crate::host::sink::Sink::None;
    m.dev.attach_serial(CaptureHost(c.clone()), 0);
    c
}

/// Assembles source text held in memory (`name` names it in diagnostics).
#[cfg(feature = "assembler")]
pub(super) fn assemble_text(name: &Path, text: &str) -> Result<Program, BuildError> {
    let opts = assembler::Options {
        listing: false,
        ..Default::default()
    };
    let src = assembler::Source {
        name: name.display().to_string(),
        text: text.to_string(),
    };
    assembler::assemble(&[src], &opts)
        .map_err(|d| BuildError::Assemble(d.to_string().trim_end().to_string()))
}

/// Without the `assembler` feature, source text cannot be assembled.
#[cfg(not(feature = "assembler"))]
pub(super) fn assemble_text(name: &Path, _text: &str) -> Result<Program, BuildError> {
    Err(BuildError::Option(format!(
        "{}: this build of the emulator crate has no assembler (enable the `assembler` feature)",
        name.display()
    )))
}

impl MachineBuilder {
    /// The program as RF32 assembly source text, assembled in memory when the machine is
    /// built (`name` is the file name diagnostics show: `name:line:col: error: ...`). A
    /// source that does not assemble makes [`MachineBuilder::build`] return
    /// [`BuildError::Assemble`]. Needs the `assembler` feature (on by default).
    pub fn source(mut self, name: &str, text: &str) -> Self {
        self.program = Some(Source::Text {
            name: name.into(),
            text: text.to_string(),
        });
        self
    }

    /// The program as ELF32 (or flat) bytes; the same as [`MachineBuilder::program_bytes`].
    pub fn elf(self, name: &str, bytes: Vec<u8>) -> Self {
        self.program_bytes(name, bytes)
    }

    /// Serial input: `bytes` arrive at the UART at cycle 0 (the same input gives the same run).
    pub fn input(mut self, bytes: &[u8]) -> Self {
        self.input = Some(bytes.to_vec());
        self
    }

    /// Keeps the serial output in memory, at most `limit` bytes (the first ones; the rest is
    /// counted, see [`Captured::dropped`]), instead of the [`MachineBuilder::serial`] back end.
    /// [`MachineBuilder::build_vm`] does this with [`DEFAULT_OUTPUT_LIMIT`] unless told.
    pub fn capture_output(mut self, limit: usize) -> Self {
        self.capture = Some(limit);
        self
    }

    /// The engine [`MachineBuilder::build_vm`] runs the machine with (default: threaded).
    pub fn engine(mut self, kind: EngineKind) -> Self {
        self.engine = kind;
        self
    }

    /// Builds the machine into a [`Vm`]: the machine, its engine and its captured serial
    /// output (1 MiB unless [`MachineBuilder::capture_output`] says otherwise).
    pub fn build_vm(mut self) -> Result<Vm, BuildError> {
        if self.capture.is_none() {
            self.capture = Some(DEFAULT_OUTPUT_LIMIT);
        }
        let engine = self.engine;
        let built = self.build()?;
        Ok(Vm::new(built, engine))
    }
}
