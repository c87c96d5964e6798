//! Retirement accounting, once for every engine: an instruction that retires moves pc on,
//! adds its cycles, counts itself and leaves the register it loaded for the next one's
//! load-use stall ([`load_use_stall`](super::load_use_stall)). The full path
//! (`Machine::finish`) retires on the machine; the interpreter's page loop and the threaded
//! engine's chains keep the counters in locals while instructions retire there, and write
//! them back at once ([`Counters::write_back`]).

use crate::machine::Machine;

/// The machine's per-instruction counters ([`Cpu`](crate::cpu::Cpu)'s pc, cycles, retired
/// count and last loaded register), as a value an engine can keep in registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counters {
    /// Address of the next instruction.
    pub pc: u32,
    /// Cycles since reset.
    pub cycles: u64,
    /// Instructions retired.
    pub retired: u64,
    /// Register loaded by the last retired instruction, or 0.
    pub last_load: u8,
}

impl Counters {
    /// The machine's counters.
    #[inline(always)]
    pub fn of(m: &Machine) -> Counters {
        Counters {
            pc: m.cpu.pc,
            cycles: m.cpu.cycles,
            retired: m.cpu.retired,
            last_load: m.cpu.last_load,
        }
    }

    /// Retires one instruction that took `cycles`, loaded `load_dest` (or 0) and goes on at
    /// `next_pc`.
    #[inline(always)]
    pub fn retire(&mut self, next_pc: u32, cycles: u64, load_dest: u8) {
        self.pc = next_pc;
        self.cycles += cycles;
        self.retired += 1;
        self.last_load = load_dest;
    }

    /// Writes the counters to the machine's processor.
    #[inline(always)]
    pub fn store(self, m: &mut Machine) {
        m.cpu.pc = self.pc;
        m.cpu.cycles = self.cycles;
        m.cpu.retired = self.retired;
        m.cpu.last_load = self.last_load;
    }

    /// Writes the counters to the machine ([`Counters::store`]) for instructions retired
    /// outside the full path, which counts its steps itself. While instructions retire outside the full path,
    /// the step count moves with the retired count (`step_offset` is `steps - retired`), and
    /// each of them fetched from a code page whose TLB entry hit: `fetch_hits` of them, when
    /// paging is on, are added to the TLB's hit count.
    #[inline(always)]
    pub fn write_back(self, m: &mut Machine, step_offset: u64, fetch_hits: Option<u64>) {
        self.store(m);
        m.steps = self.retired + step_offset;
        if let Some(hits) = fetch_hits {
            m.tlb.hits += hits;
        }
    }
}
