//! Reusable [`proptest`] generators for RF32 programs and machine states (cargo feature `gen`).
//!
//! Three layers, each usable on its own by code that extends RF32:
//!
//! * **values and instructions** — [`word`] (32-bit values biased toward the edges: 0, ±1,
//!   `INT_MIN`, `INT_MAX`, 16-bit boundaries), [`reg`], [`insn_of`] (a valid random [`Insn`] of
//!   one opcode, every field in range), [`insn`] (any opcode) and [`insn_word`] (its encoding);
//! * **programs** — [`Program`]: a fixed prologue (vector table whose handlers skip a faulting
//!   instruction and acknowledge timer interrupts, a gate table of ring-0..3 services, optional
//!   identity page tables with per-page permissions and ring fields, an optional periodic timer,
//!   a drop to ring 1–3 through a `retg` frame) followed by a random body of [`Step`]s. A
//!   program renders itself as RF32 assembly ([`Program::render`]); its `Debug` output *is* that
//!   source, so a shrunk proptest failure prints a program you can paste into a `.s` file;
//! * **checking** — [`run_engines`] runs an assembled program on both engines under a cycle
//!   budget and [`state_diff`] names the first difference between two machines (CPU, control
//!   registers, cycle count, TLB, devices, serial output, delivery log, RAM); both live in
//!   [`crate::engines`] and are re-exported here for the property suite.
//!
//! The memory layout of generated programs is in [`layout`]; all addresses are identity-mapped
//! when paging is on, plus a few alias pages ([`layout::ALIAS`]).

pub use crate::engines::{machine_for, run_engines, state_diff};
use isa_spec::cr::{gate, memmap, pte, CR_NAMES, NUM_CRS};
use isa_spec::regs::reg_name;
use isa_spec::{encode, Format, Insn, Opcode, OPS};
use proptest::prelude::*;
use proptest::sample::select;
use std::fmt::{self, Write as _};

// ------------------------------------------------------------------------------------------
// Values and instructions
// ------------------------------------------------------------------------------------------

/// Values that sit on the edges of 32-bit arithmetic.
pub const EDGE_WORDS: [u32; 16] = [
    0,
    1,
    2,
    31,
    32,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    0x8000_0000,
    0x8000_0001,
    0xffff_8000,
    0xffff_fffe,
    0xffff_ffff,
    0xaaaa_aaab,
];

/// A 32-bit value: uniformly random half the time, otherwise an edge value or a small
/// signed number.
pub fn word() -> BoxedStrategy<u32> {
    prop_oneof![
        4 => any::<u32>(),
        2 => select(&EDGE_WORDS[..]),
        2 => (-64i32..64).prop_map(|v| v as u32),
    ]
    .boxed()
}

/// A general register number, 0..=31.
pub fn reg() -> impl Strategy<Value = u8> + Clone {
    0u8..32
}

/// A signed 16-bit immediate, biased toward its edges.
pub fn simm16() -> BoxedStrategy<i32> {
    prop_oneof![
        3 => -32768i32..=32767,
        1 => select(vec![-32768, -32767, -1, 0, 1, 32767]),
        1 => -16i32..16,
    ]
    .boxed()
}

/// A valid random instruction of opcode `op`: every field in the range its format allows.
pub fn insn_of(op: Opcode) -> BoxedStrategy<Insn> {
    let mk = move |rd: u8, rs1: u8, rs2: u8, imm: i32| Insn {
        op,
        rd,
        rs1,
        rs2,
        imm,
    };
    match op.info().format {
        Format::R | Format::Cas => (reg(), reg(), reg())
            .prop_map(move |(d, a, b)| mk(d, a, b, 0))
            .boxed(),
        Format::I | Format::Load => (reg(), reg(), simm16())
            .prop_map(move |(d, a, i)| mk(d, a, 0, i))
            .boxed(),
        Format::Iu => (reg(), reg(), 0i32..=0xffff)
            .prop_map(move |(d, a, i)| mk(d, a, 0, i))
            .boxed(),
        Format::Sh => (reg(), reg(), 0i32..32)
            .prop_map(move |(d, a, i)| mk(d, a, 0, i))
            .boxed(),
        Format::U => (reg(), 0i32..=0xffff)
            .prop_map(move |(d, i)| mk(d, 0, 0, i))
            .boxed(),
        Format::Store => (reg(), reg(), simm16())
            .prop_map(move |(b, a, i)| mk(0, a, b, i))
            .boxed(),
        Format::B => (reg(), reg(), simm16())
            .prop_map(move |(a, b, w)| mk(0, a, b, w * 4))
            .boxed(),
        Format::J => (reg(), -(1i32 << 20)..(1 << 20))
            .prop_map(move |(d, w)| mk(d, 0, 0, w * 4))
            .boxed(),
        Format::Gate => (0i32..=0xffff).prop_map(move |i| mk(0, 0, 0, i)).boxed(),
        Format::Vec => (0i32..64).prop_map(move |i| mk(0, 0, 0, i)).boxed(),
        Format::R1 => reg().prop_map(move |a| mk(0, a, 0, 0)).boxed(),
        Format::Mfcr => (reg(), 0i32..NUM_CRS as i32)
            .prop_map(move |(d, c)| mk(d, 0, 0, c))
            .boxed(),
        Format::Mtcr => (reg(), 0i32..NUM_CRS as i32)
            .prop_map(move |(a, c)| mk(0, a, 0, c))
            .boxed(),
        Format::N => Just(mk(0, 0, 0, 0)).boxed(),
    }
}

/// Any opcode of the table.
pub fn opcode() -> impl Strategy<Value = Opcode> + Clone {
    select(OPS.iter().map(|o| o.opcode).collect::<Vec<_>>())
}

/// Opcodes of the table that satisfy `keep`.
pub fn opcode_where(keep: impl Fn(&isa_spec::OpInfo) -> bool) -> impl Strategy<Value = Opcode> {
    select(
        OPS.iter()
            .filter(|o| keep(o))
            .map(|o| o.opcode)
            .collect::<Vec<_>>(),
    )
}

/// A valid random instruction of any opcode.
pub fn insn() -> BoxedStrategy<Insn> {
    opcode().prop_flat_map(insn_of).boxed()
}

/// The encoding of a valid random instruction.
pub fn insn_word() -> BoxedStrategy<u32> {
    insn()
        .prop_map(|i| encode(&i).expect("generated instructions encode"))
        .boxed()
}

mod gate_loop;
mod program;
pub use gate_loop::gate_loop;
pub use program::*;
