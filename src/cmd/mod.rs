//! One module per subcommand.

pub mod asm;
pub mod bench;
pub mod debug;
pub mod disasm;
pub mod grade;
pub use emulator::exit_status;
pub mod mkdisk;
pub mod run;
pub mod stats;
