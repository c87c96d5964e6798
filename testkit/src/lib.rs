//! Support shared by Ringfort's tests and benchmarks (not part of the machine): the benchmark
//! kernels ([`mod@bench`]), running a program on both engines and comparing them ([`engines`]), and
//! proptest generators of RF32 programs and machine states (`gen`, cargo feature `gen`).
//!
//! The emulator does not depend on this crate (nor on the assembler), not even for its tests:
//! whatever needs source assembled at run time lives here, including the machine-through-the-
//! assembler tests (`tests/`) and the kernel runners for profiling (`examples/`).

#![warn(missing_docs)]

pub mod bench;
pub mod engines;
#[cfg(feature = "gen")]
pub mod gen;

pub use engines::{jit_engine, machine_for, run_agreeing, run_both, run_engines, state_diff};
