//! `ringfort debug PROG` (and `ringfort run -S`): the step debugger.
//!
//! The debugger itself is the `debugger` crate; this module is its terminal front end: the
//! command line, Ctrl-C, and [`repl`] (the terminal, scripts and pipes), which prints what a
//! session produces.
//!
//! docs/debugger.md is the user's guide.

pub mod keys;
pub mod repl;

use crate::cmd::run::{engine_parser, MachineArgs};
use anyhow::Result;
use debugger::Debugger;
use emulator::EngineKind;
use emulator::Machine;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

pub use debugger::INTERRUPTED;
/// A command is executing (Ctrl-C then stops the guest instead of ending the debugger).
pub static BUSY: AtomicBool = AtomicBool::new(false);
/// Commands come from a terminal (Ctrl-C at the prompt is the line editor's).
pub static INTERACTIVE: AtomicBool = AtomicBool::new(false);

/// `ringfort debug` arguments.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub machine: MachineArgs,
    /// Execute debugger commands from FILE first (may be repeated), like gdb -x.
    #[arg(short = 'x', long = "command", value_name = "FILE")]
    pub scripts: Vec<PathBuf>,
    /// Exit after the -x files instead of reading commands from the terminal or stdin.
    #[arg(long)]
    pub batch: bool,
    /// Print each command after a `(rfdb) ` prompt before its output (for transcripts).
    #[arg(long)]
    pub echo: bool,
    /// Engine for `continue` and stepping in bulk: `jit` (default: the threaded engine with hot
    /// code compiled; code in a page with a breakpoint runs on its debugging path), `threaded`
    /// (it checks breakpoints and write watchpoints itself, and feeds `hot`) or `interp`.
    /// Read/access watchpoints, catchpoints and tracing always use the interpreter.
    #[arg(long, default_value = "jit", value_parser = engine_parser())]
    pub engine: EngineKind,
}

/// How the debugger session runs.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `-x` files.
    pub scripts: Vec<PathBuf>,
    /// Stop after the scripts.
    pub batch: bool,
    /// Echo commands.
    pub echo: bool,
    /// The engine for `continue` and bulk stepping when nothing forces the interpreter.
    pub engine: EngineKind,
    /// Print the run statistics to stderr at the end (`run -S --stats`).
    pub stats: bool,
}

/// Runs `ringfort debug`.
pub fn run(a: Args) -> Result<ExitCode> {
    let built = a.machine.build()?;
    let (m, prog) = (built.machine, built.program);
    let name = a.machine.program_name();
    let opts = Options {
        scripts: a.scripts,
        batch: a.batch,
        echo: a.echo,
        engine: a.engine,
        stats: false,
    };
    Ok(start(m, prog, name, &opts))
}

/// Enters the debugger on a built machine, stopped before its first instruction.
pub fn start(
    m: Machine,
    prog: Option<assembler::Program>,
    name: Option<String>,
    opts: &Options,
) -> ExitCode {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        if !BUSY.load(Ordering::SeqCst) && !INTERACTIVE.load(Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal() && !opts.batch;
    let keys = terminal.then(|| std::sync::Arc::new(keys::StdinKeys) as _);
    let mut dbg = Debugger::new(m, prog, opts.engine, keys);
    dbg.program_name = name;
    // This front end shows everything as it comes, guest output while the guest runs.
    // Colour on a terminal only, and never with NO_COLOR set.
    let color =
        terminal && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut printer = debugger::Printer::new(std::io::stdout()).with_color(color);
    dbg.set_listener(Box::new(move |ev| printer.print(&ev)));
    dbg.greet();
    let started = std::time::Instant::now();
    let code = repl::run(&mut dbg, opts);
    dbg.drain_serial();
    if opts.stats {
        let stop = crate::cmd::exit_status::of_machine(&dbg.m);
        eprint!(
            "{}",
            crate::cmd::stats::report(&dbg.m, started.elapsed(), &stop)
        );
    }
    // As at the end of `ringfort run`: cached disk sectors go to the image, and a failure to
    // write them is the user's data at risk, so it is reported and fails the session.
    if let Err(e) = dbg.m.dev.shutdown() {
        eprintln!("ringfort debug: {e}");
        return ExitCode::from(if code == 0 { 1 } else { code });
    }
    ExitCode::from(code)
}
