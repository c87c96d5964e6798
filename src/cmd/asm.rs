//! `ringfort asm`: assemble RF32 sources into an ELF executable or a flat binary.

use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// ELF32 executable with symbols and the `.rf32.lines` line table.
    Elf,
    /// Flat image: bytes from the lowest to the highest loaded address, gaps zero-filled.
    Binary,
}

/// Assemble RF32 sources.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output file.
    #[arg(short = 'o', long = "output", default_value = "a.out")]
    pub output: PathBuf,
    /// Output format: `elf` or `binary` (flat image starting at the lowest loaded address).
    #[arg(short = 'O', long = "format", value_enum, default_value_t = OutFormat::Elf)]
    pub format: OutFormat,
    /// Also write a listing (line, address, bytes, source) to this file (`-` for stdout).
    #[arg(short = 'l', long = "listing", value_name = "LISTING")]
    pub listing: Option<PathBuf>,
    /// Address of the first section (.text); later sections start on following 4 KiB pages.
    #[arg(long, value_name = "ADDR", value_parser = parse_addr, default_value = "0")]
    pub base: u32,
    /// Entry symbol (default `_start`; without it the entry is the start of .text).
    #[arg(long, value_name = "SYM")]
    pub entry: Option<String>,
    /// Directory to search for `.include` files (after the including file's directory).
    #[arg(short = 'I', value_name = "DIR")]
    pub include_dirs: Vec<PathBuf>,
    /// Build a Ringfort OS program: link at USER_BASE (0x40000000) with the OS's include
    /// files (`abi.inc`, `layout.inc`, ...) on the include path and the user library linked
    /// first (its `_start` calls your `main(argc, argv)`; see docs/os.md).
    #[arg(long, conflicts_with = "base")]
    pub os: bool,
    /// Source files; global symbols are shared between them.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Parses an address or number: decimal, `0x` hex, `0o` octal or `0b` binary (`_` allowed).
pub fn parse_addr(s: &str) -> Result<u32, String> {
    let t: String = s.trim().chars().filter(|&c| c != '_').collect();
    let (digits, radix) = if let Some(r) = t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        (r, 16)
    } else if let Some(r) = t.strip_prefix("0o") {
        (r, 8)
    } else if let Some(r) = t.strip_prefix("0b") {
        (r, 2)
    } else {
        (t.as_str(), 10)
    };
    u32::from_str_radix(digits, radix)
        .map_err(|_| format!("`{s}` is not a 32-bit address (write e.g. 4096 or 0x1000)"))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// that `path` is never left half-written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    emulator::files::write_atomic(path, |f| f.write_all(bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes the firmware's include files and user library into a temporary folder
/// (`include/`, `lib/`) for `--os`.
fn os_sources() -> anyhow::Result<tempfile::TempDir> {
    if firmware::USER_LIB.is_empty() {
        bail!("this ringfort was built without Ringfort OS's user library: --os is not available");
    }
    let dir = tempfile::Builder::new()
        .prefix("ringfort-os-")
        .tempdir()
        .context("cannot create a temporary folder for --os")?;
    for (sub, files) in [("include", firmware::INCLUDES), ("lib", firmware::USER_LIB)] {
        let d = dir.path().join(sub);
        std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
        for (name, text) in files {
            std::fs::write(d.join(name), text)
                .with_context(|| format!("cannot write {}", d.join(name).display()))?;
        }
    }
    Ok(dir)
}

/// Runs `ringfort asm`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // --os: the firmware's includes and user library, written out for the assembler to read.
    let os_dir = if args.os { Some(os_sources()?) } else { None };
    let mut include_dirs = args.include_dirs.clone();
    let mut files = Vec::new();
    let mut base = args.base;
    if let Some(dir) = &os_dir {
        include_dirs.push(dir.path().join("include"));
        for (name, _) in firmware::USER_LIB {
            files.push(dir.path().join("lib").join(name));
        }
        base = firmware::USER_BASE;
    }
    files.extend(args.files.iter().cloned());
    let mut opts = assembler::Options {
        base,
        include_dirs,
        // A line each, kept through assembly: only when asked for.
        listing: args.listing.is_some(),
        ..Default::default()
    };
    if let Some(e) = &args.entry {
        opts.entry = e.clone();
    }
    let prog = match assembler::assemble_files(&files, &opts) {
        Ok(p) => {
            for w in &p.warnings {
                eprint!("{w}");
            }
            p
        }
        Err(diags) => {
            eprintln!("{diags}");
            return Ok(ExitCode::from(1));
        }
    };
    if let Some(e) = &args.entry {
        if !prog.symbols.iter().any(|s| &s.name == e) {
            eprintln!(
                "ringfort: warning: entry symbol `{e}` not found; using the start of .text ({:#x})",
                prog.entry
            );
        }
    }
    let bytes = match args.format {
        OutFormat::Elf => prog.to_elf(),
        // .bss is not part of a flat image; whoever loads it must clear that memory.
        OutFormat::Binary => prog.to_flat(),
    };
    if let Some(l) = &args.listing {
        let text = prog.listing();
        if l.as_os_str() == "-" {
            print!("{text}");
        } else {
            write_atomic(l, text.as_bytes())?;
        }
    }
    if args.output.as_os_str().is_empty() {
        bail!("empty output file name");
    }
    write_atomic(&args.output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
