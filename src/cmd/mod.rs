//! One module per subcommand.

pub mod asm;
pub mod debug;
pub mod bench;
pub mod disasm;
pub mod run;
pub mod stats;
