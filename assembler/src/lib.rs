//! A GNU-as-style assembler for RF32, the Ringfort instruction set.
//!
//! ```
//! use assembler::{assemble, Options, Source};
//! let src = Source::new("hello.s", ".global _start\n_start: li a0, 42\n  halt\n");
//! let prog = assemble(&[src], &Options::default()).unwrap();
//! assert_eq!(prog.entry, 0);
//! assert_eq!(prog.segments[0].data.len(), 8);
//! let elf = prog.to_elf();
//! let back = assembler::read_elf(&elf).unwrap();
//! assert_eq!(back.segments[0].data, prog.segments[0].data);
//! ```
//!
//! Instruction syntax, mnemonics and encodings all come from the `isa_spec` crate; this crate
//! only adds the assembly language around them (labels, expressions, directives, macros,
//! pseudo-instructions); the image and its ELF container are `rf_object`'s. See `docs/assembler.md` for the language.

#![warn(missing_docs)]

mod asm;
mod expr;
mod lex;

// The image types live in `rf-object` (the machine loads them without the assembler); they
// stay reachable here so users of the assembler need one crate.
pub use rf_object::{
    read_elf, Diagnostic, Diagnostics, ElfError, Label, LineInfo, ListingChunk, ListingLine,
    Program, SegFlags, Segment, Severity, Symbol, SymbolIndex, SymbolKind, EM_RF32, LINES_SECTION,
    LISTING_BYTES,
};

use std::path::PathBuf;

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Name used in diagnostics and the line table; also the base for relative `.include`s.
    pub name: String,
    /// The assembly text.
    pub text: String,
}

impl Source {
    /// A source from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// Assembly options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Address of the first section (`.text`); later sections start on the next 4 KiB page.
    /// Must be a multiple of 4. Default 0.
    pub base: u32,
    /// Entry symbol. If no such symbol exists the entry is the start of `.text`.
    /// Default `_start`.
    pub entry: String,
    /// Directories searched for `.include` files after the including file's directory.
    pub include_dirs: Vec<PathBuf>,
    /// Build [`Program::listing`] (a line each, kept through assembly). Default true.
    pub listing: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            base: 0,
            entry: "_start".to_string(),
            include_dirs: Vec::new(),
            listing: true,
        }
    }
}

/// Assembles and links `sources` into one program. Each source has its own scope for
/// non-global symbols and macros; `.global` symbols are shared. On failure every error found
/// is returned, in source order.
pub fn assemble(sources: &[Source], opts: &Options) -> Result<Program, Diagnostics> {
    let mut a = asm::Assembler::new(opts);
    for s in sources {
        a.add_unit(&s.name, &s.text, Some(PathBuf::from(&s.name)));
    }
    a.finish()
}

/// Reads `paths` and assembles them like [`assemble`]. Unreadable files and files that are
/// not UTF-8 are reported as errors (together with the errors of the other files).
pub fn assemble_files(paths: &[PathBuf], opts: &Options) -> Result<Program, Diagnostics> {
    let mut a = asm::Assembler::new(opts);
    for p in paths {
        let name = p.display().to_string();
        match std::fs::read(p) {
            Err(e) => a.file_error(&name, format!("cannot read file: {e}")),
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => a.add_unit(&name, &text, Some(p.clone())),
                Err(e) => {
                    let msg = asm::utf8_error(e.as_bytes(), &e);
                    a.file_error(&name, msg)
                }
            },
        }
    }
    a.finish()
}

/// The shortest instruction that loads `value` into `rd` by itself, as `li` chooses it
/// (`addi rd, zero, v` / `lui rd, v >> 16` / `ori rd, zero, v`), or `None` when `li` needs the
/// two-instruction `lui` + `ori` form.
pub fn li_single(rd: u8, value: u32) -> Option<isa_spec::Insn> {
    asm::li_single(rd, value)
}
