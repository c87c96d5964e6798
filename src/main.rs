//! `ringfort`: the command-line front end. Each subcommand lives in its own module under `cmd/`.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Ringfort: a cycle-level full-system emulator for the RF32 teaching ISA.
#[derive(Parser)]
#[command(name = "ringfort", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Assemble RF32 sources into an ELF32 executable (or a flat binary with -O binary).
    Asm(cmd::asm::Args),
    /// Disassemble an ELF or flat image, like `objdump -d`.
    Disasm(cmd::disasm::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Asm(a) => cmd::asm::run(a),
        Command::Disasm(a) => cmd::disasm::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ringfort: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
