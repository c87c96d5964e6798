//! `ringfort run`: boot a program headless until it halts or powers off.

use anyhow::{bail, Context, Result};
use emulator::builder::{parse_rtc, parse_size, Built, DriveSpec, MachineBuilder, SerialSpec};
use emulator::devices::uart::Sink;
use emulator::engine::interp::Interp;
use emulator::trace::Tracer;
use emulator::{Budget, Engine, EngineKind, Machine};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cmd::exit_status;

/// What messages call the built-in disk.
const BUILTIN_DISK: &str = "the built-in disk (in memory)";

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
    /// `builtin`: a copy of the built-in Ringfort OS disk, in memory (never written to a
    /// file; what booting the OS without -drive gets).
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
    /// Execution engine: `jit` (the default: the threaded engine with hot blocks compiled to
    /// host code), `threaded` (cached pre-decoded blocks) or `interp` (the reference
    /// interpreter); the differential tests hold all three to the same state and cycle
    /// counts. `--trace` always uses the interpreter.
    #[arg(long, default_value = "jit", value_parser = engine_parser())]
    pub engine: EngineKind,
    /// Start the machine stopped and enter the debugger (as `ringfort debug`).
    #[arg(short = 'S')]
    pub stopped: bool,
}

/// The `--engine` values: the builder's engine names, as typed values.
pub fn engine_parser() -> impl clap::builder::TypedValueParser<Value = EngineKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(EngineKind::NAMES)
        .map(|s| s.parse::<EngineKind>().expect("a listed engine name"))
}

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

/// Assembles a `.s` program on the fly, as if `ringfort asm` had run first (no listing:
/// nothing here shows one); its warnings go to stderr as the assembler's would.
fn assemble_source(path: &std::path::Path) -> Result<assembler::Program, String> {
    let opts = assembler::Options {
        listing: false,
        ..Default::default()
    };
    let prog =
        assembler::assemble_files(&[path.to_path_buf()], &opts).map_err(|d| d.to_string())?;
    for w in &prog.warnings {
        eprint!("{w}");
    }
    Ok(prog)
}

impl MachineArgs {
    /// The program's file, positional or `-kernel`.
    pub fn program_path(&self) -> Option<&PathBuf> {
        self.program.as_ref().or(self.kernel.as_ref())
    }

    /// Checks the options against each other and turns them into a machine builder.
    pub fn builder(&self) -> Result<MachineBuilder> {
        if let Some(p) = &self.screenshot {
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
        let serial = SerialSpec::parse(&self.serial)?;
        let window = match self.display.as_str() {
            "none" => false,
            "window" | "sdl" | "gtk" => true,
            other => bail!("-display {other}: choose none or window"),
        };
        if window && self.nographic {
            bail!("-nographic and -display window contradict each other");
        }
        if self.nographic && !matches!(serial, SerialSpec::Stdio) {
            bail!(
                "-nographic puts the serial console on stdio; drop -serial {}",
                self.serial
            );
        }
        let drive = self
            .drive
            .as_deref()
            .filter(|_| !self.builtin_drive())
            .map(DriveSpec::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let rtc_base = self
            .rtc
            .as_deref()
            .map(parse_rtc)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        if self.program.is_some() && self.kernel.is_some() {
            bail!("give the program either as a file or with -kernel, not both");
        }
        let b = Machine::builder()
            .program(self.program_path().cloned())
            .bios(self.bios.clone())
            .memory(self.memory)
            .base(self.base)
            .serial(serial)
            .drive(drive)
            .window(window)
            .rtc_base(rtc_base)
            .assembler(Box::new(assemble_source))
            // The machine's messages for the user (camera indicator, console) go to stderr.
            .on_notice(Box::new(|n| eprint!("{n}")));
        if self.boots_os() {
            return self.os(b);
        }
        if self.builtin_drive() {
            return Ok(b.memory_drive(BUILTIN_DISK, firmware::DISK_IMAGE.to_vec()));
        }
        Ok(b)
    }

    /// `-drive builtin`: the built-in disk, in memory.
    fn builtin_drive(&self) -> bool {
        self.drive.as_deref() == Some("builtin")
    }

    /// Whether these options boot Ringfort OS: no program and no boot ROM given.
    pub fn boots_os(&self) -> bool {
        self.program_path().is_none() && self.bios.is_none()
    }

    /// What the debugger calls the machine's program.
    pub fn program_name(&self) -> Option<String> {
        if self.boots_os() {
            return Some("Ringfort OS".into());
        }
        self.program_path().map(|p| p.display().to_string())
    }

    /// Ringfort OS on `b`: the embedded boot ROM (its symbols and the system image's), and
    /// without -drive the built-in disk, in memory.
    fn os(&self, b: MachineBuilder) -> Result<MachineBuilder> {
        if !firmware::present() {
            bail!(
                "this ringfort was built without firmware: there is no Ringfort OS to boot \
                 (firmware/boot.files was missing when it was built). Give a program: \
                 ringfort run PROGRAM"
            );
        }
        let mut b = b.bios_bytes("the built-in boot ROM", firmware::BOOT_ELF.to_vec());
        if !firmware::SYSTEM_ELF.is_empty() {
            let system = assembler::read_elf(firmware::SYSTEM_ELF)
                .context("the built-in system image is not a valid ELF")?;
            b = b.symbols(system);
        }
        if self.builtin_drive() {
            b = b.memory_drive(BUILTIN_DISK, firmware::DISK_IMAGE.to_vec());
        } else if self.drive.is_none() {
            eprintln!(
                "ringfort: no -drive given: booting from the built-in disk in memory (changes \
                 are not kept; make your own with: ringfort mkdisk disk.img --os)"
            );
            b = b.memory_drive(BUILTIN_DISK, firmware::DISK_IMAGE.to_vec());
        }
        Ok(b)
    }

    /// Builds the machine the arguments describe.
    pub fn build(&self) -> Result<Built> {
        Ok(self.builder()?.build()?)
    }
}

/// With `-serial stdio`, connects standard input to the UART too (a terminal goes into raw
/// mode until the machine is dropped). For Ringfort OS (`os`), the end of piped input arrives
/// as a Ctrl-D, as from a terminal: the shell then syncs and powers off.
pub fn attach_console(m: &mut Machine, os: bool) {
    if matches!(m.dev.uart.sink, Sink::Stdout) && m.dev.uart.host.is_none() {
        m.dev.uart.sink = Sink::None;
        let mut stdio = emulator::devices::serial::Stdio::new();
        if os {
            stdio.end_with(CTRL_D);
        }
        m.dev.attach_serial(stdio, m.cpu.cycles);
    }
}

/// What a terminal sends for "end of input".
const CTRL_D: u8 = 4;

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

/// `ringfort` with no subcommand: boots Ringfort OS with the machine options given (a
/// program here is a mistyped subcommand, or belongs to `ringfort run`).
pub fn boot(a: Args) -> Result<ExitCode> {
    if let Some(p) = &a.machine.kernel {
        bail!(
            "ringfort alone boots Ringfort OS; to run a program: ringfort run {}",
            p.display()
        );
    }
    if let Some(p) = &a.machine.program {
        bail!(
            "`{}` is not a subcommand (see ringfort --help); to run a program: ringfort run {}",
            p.display(),
            p.display()
        );
    }
    run(a)
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
    let Built {
        machine: mut m,
        program: symbols,
        ..
    } = a.machine.build()?;
    if a.stopped {
        let name = a.machine.program_name();
        let opts = crate::cmd::debug::Options {
            engine: a.engine,
            stats: a.stats,
            ..Default::default()
        };
        return Ok(crate::cmd::debug::start(m, symbols, name, &opts));
    }
    attach_console(&mut m, a.machine.boots_os());
    let mut engine: Box<dyn Engine> = if !a.trace {
        a.engine.create()
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
                let mut again = match b.translations {
                    0 | 1 => String::new(),
                    n => format!("  (translated {n} times: its page was written)"),
                };
                if b.native {
                    again.insert_str(0, "  native");
                }
                eprintln!(
                    "  {:#010x} {:<24} {:>3} insns  {:>12} runs  {:>14} cycles  {:>5.1}%{again}",
                    b.pc, name, b.len, b.execs, b.cycles, share
                );
            }
        }
        if let Some(report) = engine.tier_report() {
            eprint!("{report}");
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
