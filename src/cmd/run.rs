//! `ringfort run`: boot a program headless until it halts or powers off.

use anyhow::{bail, Context, Result};
use emulator::devices::uart::Sink;
use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::trace::Tracer;
use emulator::{Budget, Config, Engine, Machine};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cmd::exit_status;

/// Options shared by `run`, `debug` and `bench`: what machine to build and what to load.
#[derive(clap::Args, Debug, Clone)]
pub struct MachineArgs {
    /// Program to run: an ELF32 executable from `ringfort asm`, an RF32 assembly source
    /// (`.s`, assembled on the fly), or a flat binary (loaded at --base).
    pub program: Option<PathBuf>,
    /// Same as the positional program (QEMU's -kernel).
    #[arg(long = "kernel", value_name = "FILE")]
    pub kernel: Option<PathBuf>,
    /// Boot ROM image (ELF or flat, placed at 0xFFF00000 when flat).
    #[arg(long = "bios", value_name = "FILE")]
    pub bios: Option<PathBuf>,
    /// RAM size, QEMU style: 64M, 1G, 65536K, or a number of MiB. Default: the program's
    /// `RINGFORT_RAM` symbol if it defines one (an absolute `.equ`, in bytes), else 64M.
    // A negative size is a value to refuse with the rule, not an unknown flag.
    #[arg(short = 'm', long = "memory", value_parser = parse_size, allow_negative_numbers = true)]
    pub memory: Option<u32>,
    /// Load address of a flat binary program.
    #[arg(long, default_value = "0", value_parser = parse_u32, allow_negative_numbers = true)]
    pub base: u32,
    /// Serial console back end: stdio (a terminal is put in raw mode; Ctrl-A x quits,
    /// Ctrl-A h helps), none, file:PATH, or tcp:HOST:PORT[,wait] (a server for nc/telnet;
    /// wait = block until a client connects; port 0 picks a free one).
    #[arg(long = "serial", default_value = "stdio", value_name = "BACKEND")]
    pub serial: String,
    /// No window; serial on the terminal (the default display is already none).
    #[arg(long = "nographic")]
    pub nographic: bool,
    /// Disk image for the block device: file=PATH[,readonly=on][,format=raw]. Writes reach
    /// the file at the guest's flush and at exit; a read-only image is never written.
    #[arg(long = "drive", value_name = "file=PATH[,readonly=on]")]
    pub drive: Option<String>,
    /// Display: none (headless, the default) or window (a real window showing the
    /// framebuffer, keys go to the keyboard device; needs the `window` build feature).
    #[arg(long = "display", default_value = "none", value_name = "none|window")]
    pub display: String,
    /// Write the framebuffer to this PNG file when the machine stops.
    #[arg(long = "screenshot", value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// Real-time clock start: base=utc (the host clock, the default), base=2026-01-01T00:00:00
    /// (UTC) or base=SECONDS since 1970. The clock then advances with guest cycles only, so a
    /// fixed base gives deterministic runs.
    #[arg(long = "rtc", value_name = "base=TIME")]
    pub rtc: Option<String>,
}

/// A parsed `-drive` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveSpec {
    /// Image file.
    pub file: PathBuf,
    /// Never write the image.
    pub readonly: bool,
}

/// Parses `-drive file=PATH[,readonly=on|off][,format=raw][,if=...][,media=disk]` (a bare
/// path is taken as file=PATH).
pub fn parse_drive(s: &str) -> Result<DriveSpec, String> {
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

/// Parses `-rtc base=...[,clock=vm]` into seconds since the epoch.
pub fn parse_rtc(s: &str) -> Result<u64, String> {
    let mut base = None;
    for part in s.split(',') {
        match part.split_once('=') {
            Some(("base", v)) => base = Some(emulator::devices::rtc::parse_base(v)?),
            Some(("clock", "vm" | "host")) | Some(("driftfix", _)) => {}
            _ => return Err(format!("-rtc {s}: expected base=utc|DATE-TIME|SECONDS")),
        }
    }
    base.ok_or_else(|| format!("-rtc {s}: expected base=..."))
}

/// Where the serial console goes, from `-serial` (and `-nographic`).
enum Serial {
    Stdio,
    None,
    File(String),
    Tcp(emulator::devices::serial::TcpSpec),
}

fn parse_serial(a: &MachineArgs) -> Result<Serial> {
    let s = a.serial.as_str();
    Ok(match s {
        "stdio" | "mon:stdio" => Serial::Stdio,
        "none" | "null" => Serial::None,
        _ if s.starts_with("file:") => Serial::File(s["file:".len()..].to_string()),
        _ if s.starts_with("tcp:") => Serial::Tcp(
            emulator::devices::serial::TcpSpec::parse(&s["tcp:".len()..])
                .map_err(|e| anyhow::anyhow!("-serial {e}"))?,
        ),
        other => bail!(
            "-serial {other}: supported back ends are stdio, none, file:PATH and \
             tcp:HOST:PORT[,wait]"
        ),
    })
}

/// `ringfort run` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = exit_status::help())]
pub struct Args {
    #[command(flatten)]
    pub machine: MachineArgs,
    /// Print every retired instruction: cycle, pc, ring, disassembly, writes, cycles taken.
    /// Not with -S (the debugger has `trace on`).
    #[arg(long)]
    pub trace: bool,
    /// Stop the guest after this many cycles (exit status 124). Not with -S.
    #[arg(long, value_name = "N", value_parser = parse_cycles, allow_negative_numbers = true)]
    pub max_cycles: Option<u64>,
    /// Print run statistics to stderr at exit (with the stop reason and the guest's full
    /// exit value).
    #[arg(long)]
    pub stats: bool,
    /// Print the statistics as one JSON object on stderr at exit instead (for graders and
    /// scripts: `stop_reason`, `exit_value`, `exit_status`, counts).
    #[arg(long)]
    pub json: bool,
    /// Execution engine: `threaded` (cached pre-decoded blocks; the default since the
    /// differential tests show it cycle-exact with the interpreter) or `interp` (the
    /// reference interpreter). `--trace` always uses the interpreter.
    #[arg(long, default_value = "threaded", value_parser = ["interp", "threaded"])]
    pub engine: String,
    /// Start the machine stopped and enter the debugger (as `ringfort debug`).
    #[arg(short = 'S')]
    pub stopped: bool,
}

/// Parses a QEMU-style memory size.
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
fn check_ram_size(bytes: u64) -> Result<u32, String> {
    let max = isa_spec::cr::memmap::RAM_MAX as u64;
    if bytes == 0 || bytes > max || !bytes.is_multiple_of(4096) {
        return Err(format!(
            "memory size must be a multiple of 4K between 4K and {}M",
            max >> 20
        ));
    }
    Ok(bytes as u32)
}

/// RAM when neither `-m` nor the program says.
pub const DEFAULT_RAM: u32 = 64 << 20;

/// The symbol by which a program names the RAM it expects (bytes), the default for `-m`.
pub const RAM_SYMBOL: &str = "RINGFORT_RAM";

/// Parses a cycle count (`--max-cycles`): a whole number, `_` separators allowed.
fn parse_cycles(s: &str) -> Result<u64, String> {
    s.replace('_', "")
        .parse()
        .map_err(|_| format!("`{s}` is not a cycle count (a whole number from 0 to 2^64-1)"))
}

/// Parses a number in decimal or 0x hex.
pub fn parse_u32(s: &str) -> Result<u32, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(&h.replace('_', ""), 16),
        None => s.replace('_', "").parse(),
    };
    r.map_err(|_| format!("`{s}` is not a 32-bit number"))
}

/// Bytes an ELF file may hold beyond the machine's memory (headers, symbols, debug sections).
const MAX_ELF_EXTRA: u64 = 256 << 20;

/// Reads `path` whole, refusing a file larger than `limit` bytes without reading it.
fn read_limited(path: &PathBuf, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let too_big = || {
        anyhow::anyhow!(
            "{}: file is larger than the machine's RAM and ROM can hold ({} MiB); give more memory with -m",
            path.display(),
            limit >> 20
        )
    };
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    // A regular file's size is known before reading; a pipe's only while reading it.
    let known = f.metadata().map(|md| md.len()).unwrap_or(0);
    if known > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(known as usize);
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// A program file as read, before it is loaded into a machine.
pub enum Image {
    /// An ELF file, or a source assembled on the fly.
    Program(assembler::Program),
    /// A flat binary.
    Flat(Vec<u8>),
}

impl Image {
    /// The RAM size the program asks for with its [`RAM_SYMBOL`], if it does.
    fn ram_wanted(&self, path: &std::path::Path) -> Result<Option<u32>> {
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
            anyhow::anyhow!("{}: {RAM_SYMBOL} = {:#x}: {e}", path.display(), sym.value)
        })
    }
}

/// Reads `path` (at most `limit` bytes): a `.s` source is assembled, an ELF parsed, anything
/// else is a flat image.
pub fn read_image(path: &PathBuf, limit: u64) -> Result<Image> {
    if matches!(path.extension().and_then(|e| e.to_str()), Some("s" | "S")) {
        // Assembly source: assemble it on the fly, as if `ringfort asm` had run first.
        // No listing: nothing here shows one.
        let opts = assembler::Options {
            listing: false,
            ..Default::default()
        };
        let prog = assembler::assemble_files(std::slice::from_ref(path), &opts)
            .map_err(|d| anyhow::anyhow!("{d}"))?;
        for w in &prog.warnings {
            eprint!("{w}");
        }
        return Ok(Image::Program(prog));
    }
    let bytes = read_limited(path, limit)?;
    if bytes.starts_with(b"\x7fELF") {
        let prog = assembler::read_elf(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: cannot load: {e}", path.display()))?;
        Ok(Image::Program(prog))
    } else if bytes.is_empty() {
        bail!("{}: file is empty", path.display());
    } else {
        Ok(Image::Flat(bytes))
    }
}

/// Loads `img` (read from `path`) into `m`; a flat image goes to `base`. Returns the
/// program's symbols, if it has any.
pub fn load_image(
    m: &mut Machine,
    img: Image,
    path: &std::path::Path,
    base: u32,
) -> Result<Option<assembler::Program>> {
    match img {
        Image::Program(prog) => {
            m.load_program(&prog)
                .with_context(|| format!("{}: cannot load", path.display()))?;
            Ok(Some(prog))
        }
        Image::Flat(bytes) => {
            m.load_flat(&bytes, base)
                .with_context(|| format!("cannot load {}", path.display()))?;
            Ok(None)
        }
    }
}

/// Builds the machine the arguments describe.
pub fn build_machine(a: &MachineArgs) -> Result<(Machine, Option<assembler::Program>)> {
    if let Some(p) = &a.screenshot {
        // Checked before the run, not after it: the picture is PNG, whatever the name says.
        let png = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
        let special = std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if !png && !special {
            bail!(
                "-screenshot {}: screenshots are PNG pictures; name the file with .png",
                p.display()
            );
        }
    }
    let serial = parse_serial(a)?;
    let window = match a.display.as_str() {
        "none" => false,
        "window" | "sdl" | "gtk" => true,
        other => bail!("-display {other}: choose none or window"),
    };
    if window && a.nographic {
        bail!("-nographic and -display window contradict each other");
    }
    if a.nographic && !matches!(serial, Serial::Stdio) {
        bail!(
            "-nographic puts the serial console on stdio; drop -serial {}",
            a.serial
        );
    }
    let drive = a
        .drive
        .as_deref()
        .map(parse_drive)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let rtc_base = match &a.rtc {
        Some(r) => parse_rtc(r).map_err(anyhow::Error::msg)?,
        None => emulator::devices::rtc::parse_base("utc").map_err(anyhow::Error::msg)?,
    };
    let sink = match serial {
        // Standard input is attached by `run` (see `attach_console`); the debugger keeps
        // the terminal for itself.
        Serial::Stdio => Sink::Stdout,
        _ => Sink::None,
    };
    let program_path = match (&a.program, &a.kernel) {
        (Some(_), Some(_)) => bail!("give the program either as a file or with -kernel, not both"),
        (Some(p), None) | (None, Some(p)) => Some(p),
        (None, None) if a.bios.is_some() => None,
        (None, None) => {
            bail!("no program given: ringfort run PROGRAM (an ELF from `ringfort asm`)")
        }
    };
    // Nothing that fits the machine is larger than its RAM and ROM together, plus room for an
    // ELF's symbols and headers: a larger file is refused before it is read.
    let rom = isa_spec::cr::memmap::ROM_SIZE as u64;
    let ram_limit = a.memory.unwrap_or(isa_spec::cr::memmap::RAM_MAX) as u64;
    let limit = ram_limit + rom + MAX_ELF_EXTRA;
    let bios = a
        .bios
        .as_ref()
        .map(|p| read_image(p, rom + MAX_ELF_EXTRA))
        .transpose()?;
    let program = program_path.map(|p| read_image(p, limit)).transpose()?;
    let wanted = match (&program, program_path) {
        (Some(img), Some(p)) => img.ram_wanted(p)?,
        _ => None,
    };
    let mut m = Machine::new(Config {
        ram_size: a.memory.or(wanted).unwrap_or(DEFAULT_RAM),
        serial: sink,
    });
    m.dev.rtc.set_base(rtc_base);
    // The machine's messages for the user (camera indicator, console escapes) go to stderr.
    m.on_notice(|n| eprint!("{n}"));
    match serial {
        Serial::File(path) => m.dev.attach_serial(
            emulator::devices::serial::FileSink::create(&path).map_err(anyhow::Error::msg)?,
            0,
        ),
        Serial::Tcp(spec) => m.dev.attach_serial(
            emulator::devices::serial::Tcp::listen(&spec, &m.dev.notices)
                .map_err(anyhow::Error::msg)?,
            0,
        ),
        Serial::Stdio | Serial::None => {}
    }
    if let Some(d) = drive {
        let img = emulator::devices::disk::Image::open(&d.file, d.readonly)
            .map_err(anyhow::Error::msg)?;
        m.dev.attach_disk(img);
    }
    if window {
        let (w, h) = (m.dev.fb.width, m.dev.fb.height);
        let d = emulator::devices::display::Display::open("Ringfort", w, h)
            .map_err(|e| anyhow::anyhow!("-display window: {e}"))?;
        m.dev.attach_display(d);
    }
    if let (Some(img), Some(path)) = (bios, &a.bios) {
        let prog = load_image(&mut m, img, path, isa_spec::cr::memmap::ROM_BASE)?;
        if prog.is_none() {
            m.set_entry(isa_spec::cr::memmap::ROM_BASE);
        }
    }
    let program = match (program, program_path) {
        (Some(img), Some(path)) => load_image(&mut m, img, path, a.base)?,
        _ => None,
    };
    Ok((m, program))
}

/// With `-serial stdio`, connects standard input to the UART too (a terminal goes into raw
/// mode until the machine is dropped).
pub fn attach_console(m: &mut Machine) {
    if matches!(m.dev.uart.sink, Sink::Stdout) && m.dev.uart.host.is_none() {
        m.dev.uart.sink = Sink::None;
        m.dev
            .attach_serial(emulator::devices::serial::Stdio::new(), m.cpu.cycles);
    }
}

/// The end of a run: console output flushed, disk writes in the image file, the screenshot
/// written. Errors are the user's data at risk, so they are reported and fail the run.
pub fn finish_machine(m: &mut Machine, a: &MachineArgs) -> Result<()> {
    let disk = m.dev.shutdown();
    let shot = match &a.screenshot {
        Some(p) => m
            .dev
            .fb
            .save_png(p)
            .with_context(|| format!("-screenshot: cannot write {}", p.display())),
        None => Ok(()),
    };
    disk.map_err(anyhow::Error::msg)?;
    shot
}

/// Runs the command.
pub fn run(a: Args) -> Result<ExitCode> {
    // Under -S the debugger runs the machine; the options it has no use for are refused
    // before anything is built rather than silently ignored.
    if a.stopped && a.max_cycles.is_some() {
        bail!(
            "-S enters the debugger, which has no cycle limit: leave out --max-cycles (in the \
             debugger, `stepi N` runs N steps and Ctrl-C stops a `continue`)"
        );
    }
    if a.stopped && a.trace {
        bail!(
            "-S enters the debugger, which traces with its own command: leave out --trace and \
             type `trace on [FILE]` at the (rfdb) prompt"
        );
    }
    let (mut m, symbols) = build_machine(&a.machine)?;
    if a.stopped {
        let name = a.machine.program.as_ref().or(a.machine.kernel.as_ref());
        let opts = crate::cmd::debug::Options {
            threaded: a.engine == "threaded",
            stats: a.stats,
            ..Default::default()
        };
        let name = name.map(|p| p.display().to_string());
        return Ok(crate::cmd::debug::start(m, symbols, name, &opts));
    }
    attach_console(&mut m);
    let mut engine: Box<dyn Engine> = if a.engine == "threaded" && !a.trace {
        Box::new(Threaded::new())
    } else {
        // Tracing is the interpreter's job: it sees every instruction one at a time.
        let mut interp = Interp::new();
        if a.trace {
            interp.tracer = Some(Tracer::new(Box::new(std::io::stderr())));
        }
        Box::new(interp)
    };
    let budget = Budget {
        max_cycles: a.max_cycles.unwrap_or(u64::MAX),
        ..Budget::UNLIMITED
    };
    let started = std::time::Instant::now();
    let exit = engine.run(&mut m, budget);
    let elapsed = started.elapsed();
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let finished = finish_machine(&mut m, &a.machine);
    let stop = exit_status::of(&exit, &m);
    if a.json {
        eprintln!("{}", crate::cmd::stats::json(&m, elapsed, &stop));
    } else if a.stats {
        eprint!("{}", crate::cmd::stats::report(&m, elapsed, &stop));
        let hot = engine.hot_blocks(10);
        let index = symbols.as_ref().map(assembler::SymbolIndex::new);
        if !hot.is_empty() {
            eprintln!("hottest blocks (engine {}):", engine.name());
            for b in hot {
                let share = 100.0 * b.cycles as f64 / m.cpu.cycles.max(1) as f64;
                let name = symbols
                    .as_ref()
                    .and_then(|p| index.as_ref()?.name_at(p, b.pc))
                    .unwrap_or_default();
                let again = match b.translations {
                    0 | 1 => String::new(),
                    n => format!("  (translated {n} times: its page was written)"),
                };
                eprintln!(
                    "  {:#010x} {:<24} {:>3} insns  {:>12} runs  {:>14} cycles  {:>5.1}%{again}",
                    b.pc, name, b.len, b.execs, b.cycles, share
                );
            }
        }
    }
    // Leave raw terminal mode (if any) before the final messages.
    drop(m.dev.uart.host.take());
    finished?;
    if let Some(msg) = &stop.message {
        eprintln!("{msg}");
    }
    Ok(ExitCode::from(stop.status))
}
