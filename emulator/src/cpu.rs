//! Architectural CPU state: registers, pc, control registers, the cycle counter.

use isa_spec::cr::{num, status, NUM_CRS};
use isa_spec::regs::SP;

/// The CPU's architectural state. Everything here is compared between engines.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cpu {
    /// General registers. `regs[0]` is always 0.
    pub regs: [u32; 32],
    /// Address of the next instruction.
    pub pc: u32,
    /// Control registers, indexed by [`isa_spec::cr::num`]. `cycle`/`cycleh` are not stored
    /// here: they are views of [`Cpu::cycles`].
    pub crs: [u32; NUM_CRS],
    /// The cycle counter (the machine's only clock).
    pub cycles: u64,
    /// Instructions retired.
    pub retired: u64,
    /// Register loaded by the previous retired instruction (for the load-use stall), or 0.
    pub last_load: u8,
    /// A `wfi` is still waiting: its run ended (at its cycle budget) before a line became
    /// deliverable, and the next run goes on waiting before anything else, so that a wait cut
    /// into runs (the debugger's) is the same wait as one run through (SPEC.md §5.14).
    pub waiting: bool,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu {
            regs: [0; 32],
            pc: 0,
            crs: [0; NUM_CRS],
            cycles: 0,
            retired: 0,
            last_load: 0,
            waiting: false,
        }
    }
}

impl Cpu {
    /// Current privilege level (0 = most privileged).
    #[inline]
    pub fn ring(&self) -> u8 {
        (self.crs[num::STATUS as usize] & status::RING_MASK) as u8
    }

    /// The status register.
    #[inline]
    pub fn status(&self) -> u32 {
        self.crs[num::STATUS as usize]
    }

    /// Is paging on?
    #[inline]
    pub fn paging(&self) -> bool {
        self.status() & status::PG != 0
    }

    /// Are interrupts enabled?
    #[inline]
    pub fn interrupts_enabled(&self) -> bool {
        self.status() & status::IE != 0
    }

    /// Reads a control register as `mfcr` sees it.
    pub fn read_cr(&self, n: u8) -> u32 {
        match n {
            num::CYCLE => self.cycles as u32,
            num::CYCLEH => (self.cycles >> 32) as u32,
            _ => self.crs[n as usize],
        }
    }

    /// Writes a register (writes to r0 are discarded).
    #[inline]
    pub fn set_reg(&mut self, r: u8, value: u32) {
        if r != 0 {
            self.regs[r as usize] = value;
        }
    }

    /// Reads a register.
    #[inline]
    pub fn reg(&self, r: u8) -> u32 {
        self.regs[r as usize & 31]
    }

    /// The stack pointer a transition into `ring` loads (sp0/sp1/sp2).
    pub fn ring_stack(&self, ring: u8) -> u32 {
        self.crs[(num::SP0 + ring.min(2)) as usize]
    }

    /// The stack a gate or an exception entering `target` pushes its frame on: that ring's
    /// own when it is inward, else the current one.
    #[inline(always)]
    pub fn entry_stack(&self, target: u8) -> u32 {
        if target < self.ring() {
            self.ring_stack(target)
        } else {
            self.regs[SP as usize]
        }
    }
}
