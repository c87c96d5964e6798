//! Guest exceptions raised while executing an instruction.

use isa_spec::cr::{cause, vector};

/// A synchronous exception: which vector, its detail byte, and the fault address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Vector number (see [`isa_spec::cr::vector`]).
    pub vector: u8,
    /// Detail byte (bits 15:8 of `cause`).
    pub detail: u8,
    /// Fault address (`faddr`), 0 where none applies.
    pub addr: u32,
}

impl Fault {
    /// A fault with no detail.
    pub const fn new(vector: u8, addr: u32) -> Fault {
        Fault {
            vector,
            detail: 0,
            addr,
        }
    }

    /// A gate fault for rule `rule`.
    pub const fn gate(rule: u8) -> Fault {
        Fault {
            vector: vector::GATE_FAULT,
            detail: rule,
            addr: 0,
        }
    }

    /// The `cause` register value.
    pub const fn cause(&self) -> u32 {
        cause(self.vector, self.detail)
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (vector {}, detail {}, address {:#010x})",
            vector::name(self.vector),
            self.vector,
            self.detail,
            self.addr
        )
    }
}
