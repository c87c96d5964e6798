//! RF32 program images: the [`Program`] the assembler produces and the machine loads, and its
//! ELF32 container ([`Program::to_elf`], [`read_elf`]).
//!
//! ```
//! let mut prog = rf_object::Program::default();
//! prog.segments.push(rf_object::Segment {
//!     name: ".text".into(),
//!     addr: 0x1000,
//!     data: vec![1, 2, 3, 4],
//!     size: 4,
//!     flags: rf_object::SegFlags::RX,
//!     nobits: false,
//!     align: 4,
//! });
//! let back = rf_object::read_elf(&prog.to_elf()).unwrap();
//! assert_eq!(back.segments[0].data, prog.segments[0].data);
//! ```
//!
//! This crate knows nothing of assembly syntax or of the machine: the assembler writes images,
//! the emulator loads them, the debugger and `ringfort disasm` name addresses through
//! [`SymbolIndex`].

#![warn(missing_docs)]

mod diag;
mod elf;
mod program;
mod symbols;

pub use diag::{cap_quotes, Diagnostic, Diagnostics, Severity};
pub use elf::{addralign, read_elf, ElfError, EM_RF32, LINES_SECTION};
pub use program::{
    LineInfo, ListingChunk, ListingLine, Program, SegFlags, Segment, Symbol, SymbolKind,
    LISTING_BYTES,
};
pub use symbols::{Label, SymbolIndex};
