//! `ringfort`: the command-line front end. Each subcommand lives in its own module under `cmd/`.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Ringfort: a cycle-level full-system emulator for the RF32 teaching ISA.
///
/// With no subcommand, boots Ringfort OS (built into this binary) with the machine options of
/// `ringfort run`: `ringfort -drive file=disk.img`, `ringfort -serial tcp:127.0.0.1:0`,
/// `ringfort -S` (start in the debugger). Without -drive the OS gets the built-in disk, in
/// memory.
#[derive(Parser)]
#[command(
    name = "ringfort",
    version,
    about,
    args_conflicts_with_subcommands = true,
    mut_arg("program", |a| a.hide(true)),
    mut_arg("kernel", |a| a.hide(true))
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// No subcommand: boot Ringfort OS with these machine options.
    #[command(flatten)]
    boot: cmd::run::Args,
}

#[derive(Subcommand)]
enum Command {
    /// Assemble RF32 sources into an ELF32 executable (or a flat binary with -O binary).
    Asm(cmd::asm::Args),
    /// Disassemble an ELF or flat image, like `objdump -d`.
    Disasm(cmd::disasm::Args),
    /// Run a program headless until it halts (exit status = the guest's exit code); with no
    /// program, boot Ringfort OS.
    Run(cmd::run::Args),
    /// Debug a program: step, break, watch, and see every ring change (a GDB-like prompt).
    Debug(cmd::debug::Args),
    /// Run the benchmark kernels and report MIPS per kernel and engine.
    Bench(cmd::bench::Args),
    /// Create a disk image for -drive: blank, or with host files packed into RFFS.
    Mkdisk(cmd::mkdisk::Args),
    /// Grade programs against a TOML test file, in parallel: table, --json, --junit, shards.
    Grade(cmd::grade::Args),
}

/// QEMU spells its long options with one dash (`-kernel`, `-serial`); clap wants two. Accept
/// both by rewriting the QEMU spellings before parsing.
fn qemu_style_args() -> Vec<std::ffi::OsString> {
    const LONG: &[&str] = &[
        "-kernel",
        "-bios",
        "-serial",
        "-nographic",
        "-drive",
        "-display",
        "-screenshot",
        "-rtc",
        "-memory",
    ];
    std::env::args_os()
        .map(|a| match a.to_str() {
            Some(s)
                if LONG
                    .iter()
                    .any(|l| s == *l || s.starts_with(&format!("{l}="))) =>
            {
                format!("-{s}").into()
            }
            _ => a,
        })
        .collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(qemu_style_args());
    let result = match cli.command {
        None => cmd::run::boot(cli.boot),
        Some(c) => run_command(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ringfort: error: {e:#}");
            ExitCode::from(cmd::exit_status::ERROR)
        }
    }
}

/// Runs a subcommand.
fn run_command(c: Command) -> anyhow::Result<ExitCode> {
    match c {
        Command::Asm(a) => cmd::asm::run(a),
        Command::Disasm(a) => cmd::disasm::run(a),
        Command::Run(a) => cmd::run::run(a),
        Command::Debug(a) => cmd::debug::run(a),
        Command::Bench(a) => cmd::bench::run(a),
        Command::Mkdisk(a) => cmd::mkdisk::run(a),
        Command::Grade(a) => cmd::grade::run(a),
    }
}
