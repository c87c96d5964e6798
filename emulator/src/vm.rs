//! A machine to embed: built by [`MachineBuilder::build_vm`](crate::builder::MachineBuilder::build_vm),
//! run to a stop or a cycle budget, its registers, memory, serial output and statistics read
//! and written.
//!
//! ```
//! use emulator::{Machine, StopReason};
//!
//! let src = "
//!         .text
//!         .global _start
//! _start: li   t0, 0xF0002000      # UART
//!         li   t1, 'A'
//!         sw   t1, 0(t0)
//!         li   a0, 6
//!         li   a1, 7
//!         mul  a0, a0, a1
//!         halt
//! ";
//! let mut vm = Machine::builder().source("answer.s", src).memory(Some(1 << 20)).build_vm()?;
//! let out = vm.run(1_000_000);
//! assert_eq!(out.reason, StopReason::Halted);
//! assert_eq!(out.exit_value, Some(42));
//! assert_eq!(vm.reg(10), 42); // a0
//! assert_eq!(vm.serial_output(), b"A");
//! assert!(out.cycles > out.instructions && out.instructions >= 7);
//! # Ok::<(), emulator::builder::BuildError>(())
//! ```

use crate::builder::{Built, Captured};
use crate::machine::{Delivered, Delivery};
use crate::stats::Stats;
use crate::{Budget, Engine, EngineKind, Exit, Machine};
use rf_object::Program;

/// Why a [`Vm::run`] returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// `halt` executed (exit value: `a0`).
    Halted,
    /// The guest wrote the power controller's POWEROFF register (exit value: what it wrote).
    Poweroff,
    /// The cycle budget of the run was spent; the machine can run on.
    CycleLimit,
    /// A fault while delivering a double fault stopped the machine (the diagnosis).
    TripleFault(String),
    /// The guest waits (`wfi`) for an interrupt no device can raise.
    Idle,
    /// The person at a console quit (not with captured output).
    Quit,
}

impl StopReason {
    /// The short name `ringfort run --json` uses (`halted`, `poweroff`, `cycle-limit`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            StopReason::Halted => "halted",
            StopReason::Poweroff => "poweroff",
            StopReason::CycleLimit => "cycle-limit",
            StopReason::TripleFault(_) => "triple-fault",
            StopReason::Idle => "idle",
            StopReason::Quit => "quit",
        }
    }
}

/// What a [`Vm::run`] ended with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Why it stopped.
    pub reason: StopReason,
    /// The guest's exit value (`halt`'s `a0`, or the value written to POWEROFF).
    pub exit_value: Option<u32>,
    /// Cycles since reset.
    pub cycles: u64,
    /// Instructions retired since reset.
    pub instructions: u64,
}

/// An exception the machine delivered (see [`Vm::faults`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultRecord {
    /// The vector (below 32: an exception).
    pub vector: u8,
    /// Its name (`page fault`, `I/O privilege`, ...).
    pub name: &'static str,
    /// The `cause` word.
    pub cause: u32,
    /// The pc saved in the frame (the faulting instruction for most faults).
    pub pc: u32,
    /// The cycle it was delivered at.
    pub cycle: u64,
    /// Whether delivering it failed (a double or triple fault followed).
    pub escalated: bool,
}

/// A machine with its engine and captured serial output.
pub struct Vm {
    machine: Machine,
    engine: Box<dyn Engine>,
    program: Option<Program>,
    output: Captured,
    start_ring: u8,
}

impl Vm {
    /// Wraps what the builder built with an engine of `kind` (the delivery log is kept, for
    /// [`Vm::faults`]).
    pub(crate) fn new(built: Built, kind: EngineKind) -> Vm {
        let mut machine = built.machine;
        machine.deliveries = Some(Vec::new());
        let start_ring = machine.cpu.ring();
        Vm {
            machine,
            engine: kind.create(),
            program: built.program,
            output: built.captured.unwrap_or_default(),
            start_ring,
        }
    }

    /// Runs until the machine stops or `max_cycles` more cycles have passed (at an instruction
    /// boundary). A run stopped at the budget can be resumed by calling again.
    pub fn run(&mut self, max_cycles: u64) -> Outcome {
        let budget = Budget {
            max_cycles: self.machine.cpu.cycles.saturating_add(max_cycles),
            ..Budget::UNLIMITED
        };
        let exit = self.engine.run(&mut self.machine, budget);
        self.machine.dev.uart.flush();
        let (reason, exit_value) = match exit {
            _ if self.machine.dev.quit => (StopReason::Quit, None),
            Exit::Halted(v) => (StopReason::Halted, Some(v)),
            Exit::PowerOff(v) => (StopReason::Poweroff, Some(v)),
            Exit::TripleFault(d) => (StopReason::TripleFault(d), None),
            Exit::Idle => (StopReason::Idle, None),
            Exit::CycleLimit | Exit::StepLimit | Exit::Stopped => (StopReason::CycleLimit, None),
        };
        Outcome {
            reason,
            exit_value,
            cycles: self.machine.cpu.cycles,
            instructions: self.machine.cpu.retired,
        }
    }

    /// Register `n` (0-31; `x0` reads 0; out of range reads 0).
    pub fn reg(&self, n: usize) -> u32 {
        self.machine.cpu.regs.get(n).copied().unwrap_or(0)
    }

    /// Sets register `n` (1-31; writes to `x0` or out of range are ignored).
    pub fn set_reg(&mut self, n: usize, value: u32) {
        if n != 0 {
            if let Some(r) = self.machine.cpu.regs.get_mut(n) {
                *r = value;
            }
        }
    }

    /// The program counter.
    pub fn pc(&self) -> u32 {
        self.machine.cpu.pc
    }

    /// Sets the program counter.
    pub fn set_pc(&mut self, pc: u32) {
        self.machine.cpu.pc = pc;
    }

    /// Reads `len` bytes at **virtual** address `addr` as the running program sees it (through
    /// its page tables when paging is on; RAM and ROM only, no side effects). `None` if any
    /// byte is unmapped or not RAM/ROM.
    pub fn read_mem(&self, addr: u32, len: usize) -> Option<Vec<u8>> {
        (0..len as u32)
            .map(|i| {
                let va = addr.checked_add(i)?;
                self.machine.peek_virt(va, 1).map(|b| b as u8)
            })
            .collect()
    }

    /// Reads `len` bytes of **physical** RAM or ROM at `addr`. `None` outside them.
    pub fn read_phys(&self, addr: u32, len: usize) -> Option<Vec<u8>> {
        (0..len as u32)
            .map(|i| {
                let pa = addr.checked_add(i)?;
                self.machine.peek_phys(pa, 1).map(|b| b as u8)
            })
            .collect()
    }

    /// Writes `bytes` to **physical** RAM at `addr` (translated code there is dropped).
    /// Returns false, writing nothing, outside RAM.
    pub fn write_mem(&mut self, addr: u32, bytes: &[u8]) -> bool {
        self.machine.poke_phys(addr, bytes)
    }

    /// The address of the program's symbol `name` (from the ELF or source), if it has one.
    pub fn symbol(&self, name: &str) -> Option<u32> {
        let p = self.program.as_ref()?;
        p.symbols.iter().find(|s| s.name == name).map(|s| s.value)
    }

    /// The serial output so far (at most the capture limit).
    pub fn serial_output(&self) -> Vec<u8> {
        self.output.bytes()
    }

    /// Whether the guest sent more serial output than the capture limit kept.
    pub fn output_truncated(&self) -> bool {
        self.output.dropped() > 0
    }

    /// Run statistics: deliveries by vector, gate calls, ring transitions, double faults.
    pub fn stats(&self) -> &Stats {
        &self.machine.stats
    }

    /// The ring the CPU is in now.
    pub fn ring(&self) -> u8 {
        self.machine.cpu.ring()
    }

    /// Puts the CPU in `ring` (0-3) without a transition (not counted in the statistics): to
    /// start a program in user mode, call before the first [`Vm::run`]. With `io` the ring may
    /// also reach the devices (IOPL set to `ring`).
    pub fn set_ring(&mut self, ring: u8, io: bool) {
        use isa_spec::cr::{num, status};
        let ring = ring & 3;
        let crs = &mut self.machine.cpu.crs;
        crs[num::STATUS as usize] = (crs[num::STATUS as usize] & !status::RING_MASK) | ring as u32;
        if io {
            crs[num::IOPL as usize] = ring as u32;
        }
        if self.machine.cpu.cycles == 0 {
            self.start_ring = ring;
        }
    }

    /// The rings the CPU has run in: the one it started in and every ring a transition entered
    /// (bit `r` set for ring `r`).
    pub fn rings_seen(&self) -> u8 {
        let mut seen = 1u8 << self.start_ring;
        for row in &self.machine.stats.ring_transitions {
            for (to, &n) in row.iter().enumerate() {
                if n > 0 {
                    seen |= 1 << to;
                }
            }
        }
        seen
    }

    /// The exceptions (vectors below 32) delivered so far, oldest first (the newest
    /// [`MAX_DELIVERY_LOG`](crate::exceptions::MAX_DELIVERY_LOG) deliveries are kept).
    pub fn faults(&self) -> Vec<FaultRecord> {
        let log: &[Delivery] = self.machine.deliveries.as_deref().unwrap_or(&[]);
        log.iter()
            .filter(|d| d.vector < 32)
            .map(|d| FaultRecord {
                vector: d.vector,
                name: isa_spec::cr::vector::name(d.vector),
                cause: d.cause,
                pc: d.pc,
                cycle: d.cycle,
                escalated: d.outcome != Delivered::Vector,
            })
            .collect()
    }

    /// The machine itself, for anything this API does not cover.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    /// The machine itself, mutably.
    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.machine
    }

    /// The symbols of what was loaded (the program's, the boot ROM's).
    pub fn program(&self) -> Option<&Program> {
        self.program.as_ref()
    }

    /// The engine's name.
    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }
}

/// docs/library.md's example, run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../docs/library.md")]
pub struct LibraryDoc;
