//! The one place machines are built: RAM size, engine choice, serial, disk, display and clock
//! back ends, boot ROM and program image (`Machine::builder()...build()`).
//!
//! Front ends (the `ringfort` command line, the debugger, a grader) parse their options into
//! the typed specs here and get the same machine, with the same error messages.

use crate::host::sink::Sink;
use crate::loader::LoadError;
use crate::machine::{Config, Machine, DEFAULT_RAM};
use isa_spec::cr::memmap;
use rf_object::Program;
use std::path::{Path, PathBuf};

mod embed;
mod engine_kind;
pub use embed::{Captured, DEFAULT_OUTPUT_LIMIT};
pub(crate) use engine_kind::no_jit;
pub use engine_kind::{jit_engine, EngineKind};

/// The symbol by which a program names the RAM it expects (bytes), the default RAM size.
pub const RAM_SYMBOL: &str = "RINGFORT_RAM";

/// Bytes an ELF file may hold beyond the machine's memory (headers, symbols, debug sections).
const MAX_ELF_EXTRA: u64 = 256 << 20;

/// Why a machine could not be built. The messages are the command line's.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// An option is malformed or contradicts another.
    #[error("{0}")]
    Option(String),
    /// A file could not be read.
    #[error("cannot read {}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        reason: std::io::Error,
    },
    /// A file is larger than anything the machine could hold.
    #[error(
        "{}: file is larger than the machine's RAM and ROM can hold ({} MiB); give more memory \
         with -m",
        path.display(),
        limit >> 20
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// A file is empty.
    #[error("{}: file is empty", .0.display())]
    Empty(PathBuf),
    /// An assembly source did not assemble (the assembler's diagnostics).
    #[error("{0}")]
    Assemble(String),
    /// An ELF file is malformed, or its image does not fit the machine.
    #[error("{}: cannot load: {reason}", path.display())]
    Load {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A flat image does not fit the machine.
    #[error("cannot load {}: {reason}", path.display())]
    LoadFlat {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: LoadError,
    },
    /// A host back end (serial, disk, display) could not be opened.
    #[error("{0}")]
    Host(String),
}

/// Where the serial console goes.
#[derive(Clone, Debug, Default)]
pub enum SerialSpec {
    /// Standard output (input is attached by the front end; the debugger keeps the terminal).
    #[default]
    Stdio,
    /// Nowhere.
    None,
    /// A file.
    File(String),
    /// A TCP server.
    Tcp(crate::host::serial::TcpSpec),
}

impl SerialSpec {
    /// Parses `-serial stdio|none|file:PATH|tcp:HOST:PORT[,wait]`.
    pub fn parse(s: &str) -> Result<SerialSpec, BuildError> {
        Ok(match s {
            "stdio" | "mon:stdio" => SerialSpec::Stdio,
            "none" | "null" => SerialSpec::None,
            _ if s.starts_with("file:") => SerialSpec::File(s["file:".len()..].to_string()),
            _ if s.starts_with("tcp:") => SerialSpec::Tcp(
                crate::host::serial::TcpSpec::parse(&s["tcp:".len()..])
                    .map_err(|e| BuildError::Option(format!("-serial {e}")))?,
            ),
            other => {
                return Err(BuildError::Option(format!(
                    "-serial {other}: supported back ends are stdio, none, file:PATH and \
                     tcp:HOST:PORT[,wait]"
                )))
            }
        })
    }
}

/// A parsed `-drive` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveSpec {
    /// Image file.
    pub file: PathBuf,
    /// Never write the image.
    pub readonly: bool,
}

impl DriveSpec {
    /// Parses `file=PATH[,readonly=on|off][,format=raw][,if=...][,media=disk]` (a bare path is
    /// taken as file=PATH).
    pub fn parse(s: &str) -> Result<DriveSpec, String> {
        let mut file = None;
        let mut readonly = false;
        for (i, part) in s.split(',').enumerate() {
            let (k, v) = match part.split_once('=') {
                Some(kv) => kv,
                None if i == 0 => ("file", part),
                None if part == "readonly" => ("readonly", "on"),
                None => return Err(format!("-drive {s}: `{part}` is not key=value")),
            };
            match k {
                "file" if !v.is_empty() => file = Some(PathBuf::from(v)),
                "readonly" | "read-only" => {
                    readonly = match v {
                        "on" | "true" | "yes" | "1" => true,
                        "off" | "false" | "no" | "0" => false,
                        _ => return Err(format!("-drive {s}: readonly={v}: write on or off")),
                    }
                }
                "format" if v == "raw" => {}
                "format" => return Err(format!("-drive {s}: format={v}: only raw images exist")),
                "if" | "media" | "index" | "id" | "cache" => {}
                _ => return Err(format!("-drive {s}: unknown option `{k}`")),
            }
        }
        let file = file.ok_or_else(|| format!("-drive {s}: give the image as file=PATH"))?;
        Ok(DriveSpec { file, readonly })
    }
}

/// Parses `-rtc base=...[,clock=vm]` into seconds since the epoch.
pub fn parse_rtc(s: &str) -> Result<u64, String> {
    let mut base = None;
    for part in s.split(',') {
        match part.split_once('=') {
            Some(("base", v)) => base = Some(crate::devices::rtc::parse_base(v)?),
            Some(("clock", "vm" | "host")) | Some(("driftfix", _)) => {}
            _ => return Err(format!("-rtc {s}: expected base=utc|DATE-TIME|SECONDS")),
        }
    }
    base.ok_or_else(|| format!("-rtc {s}: expected base=..."))
}

/// Parses a QEMU-style memory size: 64M, 1G, 65536K, 4096B, or a number of MiB.
pub fn parse_size(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let (digits, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 1 << 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 1 << 30),
        Some('b' | 'B') => (&s[..s.len() - 1], 1),
        _ => (s, 1 << 20),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size; write e.g. 64M or 1G"))?;
    let bytes = n.checked_mul(mult).ok_or("size too large")?;
    check_ram_size(bytes)
}

/// A RAM size must be a whole number of pages, at most `RAM_MAX`.
pub fn check_ram_size(bytes: u64) -> Result<u32, String> {
    let max = memmap::RAM_MAX as u64;
    if bytes == 0 || bytes > max || !bytes.is_multiple_of(4096) {
        return Err(format!(
            "memory size must be a multiple of 4K between 4K and {}M",
            max >> 20
        ));
    }
    Ok(bytes as u32)
}

/// Assembles an RF32 source file into a program (the front end supplies it, so that the
/// machine does not depend on the assembler's front half, and reports warnings its own way).
pub type AssembleFn = dyn Fn(&Path) -> Result<Program, String>;

/// A program file as read, before it is loaded into a machine.
pub enum Image {
    /// An ELF file, or a source assembled on the fly.
    Program(Program),
    /// A flat binary.
    Flat(Vec<u8>),
}

impl Image {
    /// Reads `path` (at most `limit` bytes): a `.s` source is assembled with `assemble`, an
    /// ELF parsed, anything else is a flat image.
    pub fn read(
        path: &Path,
        limit: u64,
        assemble: Option<&AssembleFn>,
    ) -> Result<Image, BuildError> {
        let source = matches!(path.extension().and_then(|e| e.to_str()), Some("s" | "S"));
        if let (true, Some(assemble)) = (source, assemble) {
            return assemble(path)
                .map(Image::Program)
                .map_err(BuildError::Assemble);
        }
        let bytes = read_limited(path, limit)?;
        Image::from_bytes(path, bytes)
    }

    /// An image from its bytes (`name` names it in messages): an ELF parsed, anything else
    /// flat.
    pub fn from_bytes(name: &Path, bytes: Vec<u8>) -> Result<Image, BuildError> {
        let path = name;
        if bytes.starts_with(b"\x7fELF") {
            let prog = rf_object::read_elf(&bytes).map_err(|e| BuildError::Load {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
            Ok(Image::Program(prog))
        } else if bytes.is_empty() {
            Err(BuildError::Empty(path.to_path_buf()))
        } else {
            Ok(Image::Flat(bytes))
        }
    }

    /// The RAM size the program asks for with its [`RAM_SYMBOL`], if it does.
    fn ram_wanted(&self, path: &Path) -> Result<Option<u32>, BuildError> {
        let Image::Program(p) = self else {
            return Ok(None);
        };
        let Some(sym) = p
            .symbols
            .iter()
            .find(|s| s.name == RAM_SYMBOL && s.section.is_none())
        else {
            return Ok(None);
        };
        check_ram_size(sym.value as u64).map(Some).map_err(|e| {
            BuildError::Option(format!(
                "{}: {RAM_SYMBOL} = {:#x}: {e}",
                path.display(),
                sym.value
            ))
        })
    }

    /// Loads the image (read from `path`) into `m`; a flat image goes to `base`. Returns the
    /// program, if it is one.
    pub fn load(
        self,
        m: &mut Machine,
        path: &Path,
        base: u32,
    ) -> Result<Option<Program>, BuildError> {
        match self {
            Image::Program(prog) => {
                m.load_program(&prog).map_err(|e| BuildError::Load {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
                Ok(Some(prog))
            }
            Image::Flat(bytes) => {
                m.load_flat(&bytes, base)
                    .map_err(|reason| BuildError::LoadFlat {
                        path: path.to_path_buf(),
                        reason,
                    })?;
                Ok(None)
            }
        }
    }
}

/// Reads `path` whole, refusing a file larger than `limit` bytes without reading it.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, BuildError> {
    use std::io::Read;
    let read_err = |reason| BuildError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let too_big = || BuildError::TooLarge {
        path: path.to_path_buf(),
        limit,
    };
    let f = std::fs::File::open(path).map_err(read_err)?;
    // A regular file's size is known before reading; a pipe's only while reading it.
    let known = f.metadata().map(|md| md.len()).unwrap_or(0);
    if known > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(known as usize);
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// A machine as built, with the program loaded into it (for its symbols).
pub struct Built {
    /// The machine, stopped before its first instruction.
    pub machine: Machine,
    /// The symbols of what was loaded: the program (an ELF file or a source; flat images
    /// have none), the boot ROM's when it is an ELF, and those given with
    /// [`MachineBuilder::symbols`], merged ([`Program::merge`]) when there are several.
    pub program: Option<Program>,
    /// The serial output kept in memory, with [`MachineBuilder::capture_output`].
    pub captured: Option<Captured>,
}

/// Describes a machine to build; [`Machine::builder`] starts one.
#[derive(Default)]
pub struct MachineBuilder {
    program: Option<Source>,
    bios: Option<Source>,
    symbols: Vec<Program>,
    memory_drive: Option<(String, Vec<u8>)>,
    memory: Option<u32>,
    base: u32,
    serial: SerialSpec,
    drive: Option<DriveSpec>,
    window: bool,
    rtc_base: Option<u64>,
    assemble: Option<Box<AssembleFn>>,
    notice: Option<NoticeFn>,
    /// Serial input available from cycle 0 ([`MachineBuilder::input`]).
    input: Option<Vec<u8>>,
    /// Serial output kept in memory, at most this many bytes ([`MachineBuilder::capture_output`]).
    capture: Option<usize>,
    /// The engine of [`MachineBuilder::build_vm`].
    engine: EngineKind,
}

/// Where an image comes from: a file, or bytes the front end holds (an embedded boot ROM).
enum Source {
    File(PathBuf),
    Bytes {
        name: PathBuf,
        bytes: Vec<u8>,
    },
    /// Assembly source text held by the caller (assembled in memory).
    Text {
        name: PathBuf,
        text: String,
    },
}

impl Source {
    /// The name messages use.
    fn name(&self) -> &Path {
        match self {
            Source::File(p) | Source::Bytes { name: p, .. } | Source::Text { name: p, .. } => p,
        }
    }

    /// Reads the image (at most `limit` bytes).
    fn read(self, limit: u64, assemble: Option<&AssembleFn>) -> Result<Image, BuildError> {
        match self {
            Source::File(p) => Image::read(&p, limit, assemble),
            Source::Bytes { name, bytes } if bytes.len() as u64 > limit => {
                Err(BuildError::TooLarge { path: name, limit })
            }
            Source::Bytes { name, bytes } if bytes.is_empty() => Err(BuildError::Empty(name)),
            Source::Bytes { name, bytes } => Image::from_bytes(&name, bytes),
            Source::Text { name, text } => embed::assemble_text(&name, &text).map(Image::Program),
        }
    }
}

/// Where a machine's notices go from the start (see [`MachineBuilder::on_notice`]).
type NoticeFn = Box<dyn FnMut(&crate::host::Notice) + Send>;

impl Machine {
    /// A builder for a machine with the defaults: 64 MiB (or the program's [`RAM_SYMBOL`]),
    /// serial on stdout, no disk, no window, the host clock.
    pub fn builder() -> MachineBuilder {
        MachineBuilder::default()
    }
}

impl MachineBuilder {
    /// The program to load (ELF, `.s` source with [`MachineBuilder::assembler`], or flat).
    pub fn program(mut self, path: Option<PathBuf>) -> Self {
        self.program = path.map(Source::File);
        self
    }

    /// The program to load, from bytes (ELF or flat) held by the caller; `name` names it in
    /// messages.
    pub fn program_bytes(mut self, name: &str, bytes: Vec<u8>) -> Self {
        self.program = Some(Source::Bytes {
            name: name.into(),
            bytes,
        });
        self
    }

    /// The boot ROM image (ELF, or flat placed at `ROM_BASE`).
    pub fn bios(mut self, path: Option<PathBuf>) -> Self {
        self.bios = path.map(Source::File);
        self
    }

    /// The boot ROM image from bytes (ELF, or flat placed at `ROM_BASE`), such as a ROM
    /// embedded in the front end; `name` names it in messages.
    pub fn bios_bytes(mut self, name: &str, bytes: Vec<u8>) -> Self {
        self.bios = Some(Source::Bytes {
            name: name.into(),
            bytes,
        });
        self
    }

    /// Symbols and lines of code the machine gets by other means (a system image the boot
    /// ROM copies into RAM): [`Built::program`] includes them. May be given several times.
    pub fn symbols(mut self, prog: Program) -> Self {
        self.symbols.push(prog);
        self
    }

    /// A disk held in memory with `bytes` as its contents (a whole number of sectors), never
    /// written to any file: the guest's writes are lost with the machine. Instead of
    /// [`MachineBuilder::drive`] (giving both is an error).
    pub fn memory_drive(mut self, name: &str, bytes: Vec<u8>) -> Self {
        self.memory_drive = Some((name.to_string(), bytes));
        self
    }

    /// RAM size in bytes (checked with [`check_ram_size`]); `None`: the program's or 64 MiB.
    pub fn memory(mut self, bytes: Option<u32>) -> Self {
        self.memory = bytes;
        self
    }

    /// Load address of a flat program.
    pub fn base(mut self, base: u32) -> Self {
        self.base = base;
        self
    }

    /// The serial console's back end.
    pub fn serial(mut self, spec: SerialSpec) -> Self {
        self.serial = spec;
        self
    }

    /// The block device's image.
    pub fn drive(mut self, spec: Option<DriveSpec>) -> Self {
        self.drive = spec;
        self
    }

    /// Show the framebuffer in a window.
    pub fn window(mut self, on: bool) -> Self {
        self.window = on;
        self
    }

    /// The real-time clock's start (seconds since 1970); `None`: the host clock.
    pub fn rtc_base(mut self, secs: Option<u64>) -> Self {
        self.rtc_base = secs;
        self
    }

    /// How `.s` sources are assembled (without it they are read as flat images).
    pub fn assembler(mut self, f: Box<AssembleFn>) -> Self {
        self.assemble = Some(f);
        self
    }

    /// Sends the machine's notices to `f` from the moment it exists, before its back ends
    /// are attached (a TCP console that waits for a client says where it listens first).
    pub fn on_notice(mut self, f: NoticeFn) -> Self {
        self.notice = Some(f);
        self
    }

    /// Builds the machine: reads the images, sizes RAM, attaches the back ends, loads.
    pub fn build(self) -> Result<Built, BuildError> {
        let rtc_base = match self.rtc_base {
            Some(b) => b,
            None => crate::devices::rtc::parse_base("utc").map_err(BuildError::Option)?,
        };
        let sink = match self.serial {
            // Standard input is attached by the front end; the debugger keeps the terminal
            // for itself.
            SerialSpec::Stdio => Sink::Stdout,
            _ => Sink::None,
        };
        if self.program.is_none() && self.bios.is_none() {
            return Err(BuildError::Option(
                "no program given: ringfort run PROGRAM (an ELF from `ringfort asm`)".into(),
            ));
        }
        // Nothing that fits the machine is larger than its RAM and ROM together, plus room for
        // an ELF's symbols and headers: a larger file is refused before it is read.
        let rom = memmap::ROM_SIZE as u64;
        let limit = self.memory.unwrap_or(memmap::RAM_MAX) as u64 + rom + MAX_ELF_EXTRA;
        let assemble = self.assemble.as_deref();
        let bios = match self.bios {
            Some(src) => {
                let name = src.name().to_path_buf();
                Some((src.read(rom + MAX_ELF_EXTRA, assemble)?, name))
            }
            None => None,
        };
        let program = match self.program {
            Some(src) => {
                let name = src.name().to_path_buf();
                Some((src.read(limit, assemble)?, name))
            }
            None => None,
        };
        let wanted = match &program {
            Some((img, p)) => img.ram_wanted(p)?,
            None => None,
        };
        let mut m = Machine::new(Config {
            ram_size: self.memory.or(wanted).unwrap_or(DEFAULT_RAM),
            serial: sink,
        });
        m.dev.rtc.set_base(rtc_base);
        if let Some(f) = self.notice {
            m.on_notice(f);
        }
        let drive = match (self.drive, self.memory_drive) {
            (Some(_), Some(_)) => {
                return Err(BuildError::Option(
                    "a machine has one disk: a -drive or a disk in memory, not both".into(),
                ))
            }
            (Some(d), None) => Some(Drive::File(d)),
            (None, Some((name, bytes))) => Some(Drive::Memory(name, bytes)),
            (None, None) => None,
        };
        attach_hosts(&mut m, self.serial, drive, self.window)?;
        let captured = self
            .capture
            .map(|limit| embed::attach_capture(&mut m, limit));
        if let Some(bytes) = &self.input {
            m.dev.inject_serial(0, bytes);
        }
        let mut symbols = Vec::new();
        if let Some((img, path)) = bios {
            match img.load(&mut m, &path, memmap::ROM_BASE)? {
                Some(prog) => symbols.push(prog),
                None => m.set_entry(memmap::ROM_BASE),
            }
        }
        if let Some((img, path)) = program {
            if let Some(prog) = img.load(&mut m, &path, self.base)? {
                // The program's entry is the machine's: it goes first.
                symbols.insert(0, prog);
            }
        }
        symbols.extend(self.symbols);
        let program = match symbols.len() {
            0 => None,
            1 => symbols.pop(),
            _ => Some(Program::merge(symbols)),
        };
        Ok(Built {
            machine: m,
            program,
            captured,
        })
    }
}

/// The disk a machine gets.
enum Drive {
    /// An image file (`-drive`).
    File(DriveSpec),
    /// Bytes in memory (name, contents).
    Memory(String, Vec<u8>),
}

/// Attaches the host back ends: a serial file or TCP server, the disk image, the window.
fn attach_hosts(
    m: &mut Machine,
    serial: SerialSpec,
    drive: Option<Drive>,
    window: bool,
) -> Result<(), BuildError> {
    use crate::host::serial::{FileSink, Tcp};
    match serial {
        SerialSpec::File(path) => m
            .dev
            .attach_serial(FileSink::create(&path).map_err(BuildError::Host)?, 0),
        SerialSpec::Tcp(spec) => m.dev.attach_serial(
            Tcp::listen(&spec, &m.dev.notices).map_err(BuildError::Host)?,
            0,
        ),
        SerialSpec::Stdio | SerialSpec::None => {}
    }
    use crate::devices::disk::Image as Disk;
    let disk = match drive {
        Some(Drive::File(d)) => Some(Disk::open(&d.file, d.readonly)),
        Some(Drive::Memory(name, bytes)) => Some(Disk::in_memory(&name, bytes)),
        None => None,
    };
    if let Some(img) = disk {
        m.dev.attach_disk(img.map_err(BuildError::Host)?);
    }
    if window {
        let (w, h) = (m.dev.fb.width, m.dev.fb.height);
        let d = crate::host::display::Display::open("Ringfort", w, h)
            .map_err(|e| BuildError::Host(format!("-display window: {e}")))?;
        m.dev.attach_display(d);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_names_round_trip() {
        for k in EngineKind::ALL {
            assert_eq!(k.name().parse::<EngineKind>(), Ok(k));
            assert_eq!(k.create().name(), k.name());
        }
        assert!("tcg".parse::<EngineKind>().is_err());
    }

    #[test]
    fn builds_a_flat_image_at_its_base() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("prog.bin");
        std::fs::write(&p, [0x13, 0, 0, 0]).unwrap();
        let b = Machine::builder()
            .program(Some(p))
            .memory(Some(1 << 20))
            .base(0x1000)
            .serial(SerialSpec::None)
            .build()
            .unwrap();
        assert_eq!(b.machine.cpu.pc, 0x1000);
        assert_eq!(b.machine.ram().len(), 1 << 20);
        assert!(b.program.is_none());
    }

    #[test]
    fn boots_a_rom_given_as_bytes_with_a_disk_in_memory() {
        let b = Machine::builder()
            .bios_bytes("rom", vec![0x13, 0, 0, 0])
            .memory_drive("built-in disk", vec![5; 1024])
            .serial(SerialSpec::None)
            .build()
            .unwrap();
        assert_eq!(b.machine.cpu.pc, memmap::ROM_BASE);
        let img = b.machine.dev.disk.image.as_ref().unwrap();
        assert!(img.is_in_memory());
        assert_eq!(img.sectors(), 2);
        img.write(1, &[9; 512]).unwrap();
        img.flush().unwrap();
        let bytes = img.contents().unwrap();
        assert_eq!((bytes[0], bytes[512], bytes.len()), (5, 9, 1024));
        let both = Machine::builder()
            .bios_bytes("rom", vec![0x13, 0, 0, 0])
            .memory_drive("m", vec![0; 512])
            .drive(Some(DriveSpec::parse("file=x.img").unwrap()))
            .build();
        assert!(both.err().unwrap().to_string().contains("not both"));
        let odd = Machine::builder()
            .bios_bytes("rom", vec![0x13, 0, 0, 0])
            .memory_drive("m", vec![0; 100])
            .build();
        assert!(odd.err().unwrap().to_string().contains("sectors"));
        let empty = Machine::builder().bios_bytes("rom", vec![]).build();
        assert!(empty
            .err()
            .unwrap()
            .to_string()
            .contains("rom: file is empty"));
    }

    #[test]
    fn refuses_no_program_and_empty_files() {
        let e = Machine::builder().build().err().unwrap();
        assert!(e.to_string().starts_with("no program given"));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.bin");
        std::fs::write(&p, []).unwrap();
        let e = Machine::builder().program(Some(p)).build().err().unwrap();
        assert!(e.to_string().ends_with("empty.bin: file is empty"), "{e}");
    }
}
