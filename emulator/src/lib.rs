//! The Ringfort machine: CPU state, physical bus, MMU and modeled TLB, rings, call gates,
//! exceptions and interrupts, devices, and the engines that execute RF32 code.
//!
//! Start at [`machine::Machine`] (the state) and [`engine::Engine`] (what runs it).
//!
//! To embed a machine: [`Machine::builder`] describes it (a program from a file, ELF bytes or
//! source text, RAM, engine, serial input, devices) and
//! [`build_vm`](builder::MachineBuilder::build_vm) makes a [`Vm`] to run to a stop or a cycle
//! budget and to read (registers, memory, serial output, statistics). See the [`vm`] module
//! and docs/library.md. The `assembler` feature (default) lets the builder assemble source
//! text in memory.

#![warn(missing_docs)]

pub mod bounded;
pub mod builder;
pub mod bus;
pub mod code_pages;
pub mod cpu;
pub mod debug_api;
pub mod devices;
pub mod diff;
pub mod engine;
pub mod exceptions;
pub mod exec;
pub mod exit_status;
pub mod fault;
pub mod files;
mod gates;
pub mod host;
pub mod loader;
pub mod machine;
mod memory;
pub mod mmu;
pub mod ram;
pub mod state;
pub mod stats;
pub mod tlb;
pub mod trace;
pub mod vm;

pub use builder::{jit_engine, EngineKind};
pub use debug_api::Watched;
pub use engine::{interp::Interp, Budget, Engine};
pub use fault::Fault;
pub use machine::{Config, Exit, Machine, WatchedAccess};
pub use ram::Ram;
pub use vm::{Outcome, StopReason, Vm};
