//! What generated code reads and writes besides guest memory: one [`Ctx`] per call, filled by
//! the runtime (`super::run`) from the machine and read back after the call. The counters of
//! a compiled loop's passes live here too, not in host registers: they change once a pass
//! (or in the out-of-line refill), and the registers are better spent on guest registers.

use super::gate_memo::GateMemo;
use super::host_tlb::HostTlb;
use crate::engine::threaded::block::Block;
use crate::machine::Machine;

/// The interface between the runtime and a translated block (`#[repr(C)]`: the generated code
/// reads its fields at their [`offset_of!`](std::mem::offset_of) offsets).
#[repr(C)]
#[derive(Debug)]
pub struct Ctx {
    /// The guest registers (`Cpu::regs`).
    pub regs: *mut u32,
    /// The JIT's host TLB (paging on).
    pub host_tlb: *mut HostTlb,
    /// RAM's chunk table (biased pointers).
    pub chunks: *const *mut u8,
    /// RAM's plain-store table (biased pointers or null).
    pub plain: *const *mut u8,
    /// RAM's size in bytes rounded down to a word: an aligned access at a lower address is
    /// in RAM.
    pub ram_words_end: u32,
    /// The machine, for the out-of-line helpers.
    pub machine: *mut Machine,
    /// The threaded cache's blocks (a trace counts its blocks' runs there, and the gate
    /// helpers look at the next one's).
    pub blocks: *const Block,
    /// In: cycles before the block's first instruction. While it runs: at the start of the
    /// current pass. Out: at the exit.
    pub cycles: u64,
    /// In: instructions retired before it. While it runs: at the start of the pass. Out: at
    /// the exit.
    pub retired: u64,
    /// Another pass of the block may start while cycles are below this (the next device event
    /// or the budget, less the block's worst case).
    pub loop_cycles: u64,
    /// ... and while the retired count is at most this (the step budget).
    pub loop_retired: u64,
    /// In: the cycles the first pass has that the static costs do not know of (the first
    /// instruction's load-use stall and fetch walk). While it runs: those of the current pass,
    /// TLB refills' walks added by the helper.
    pub dynamic: u64,
    /// While it runs: data accesses in the passes before the current one.
    pub accesses: u64,
    /// While it runs: TLB refills of data accesses so far (an exit's data hits are its
    /// accesses less these).
    pub walks: u64,
    /// Out: data accesses that hit the TLB (paging on).
    pub data_hits: u64,
    /// While it runs: the current pass's number (1 in the first); out: passes made.
    pub passes: u64,
    /// Out: the pc to go on at (also set by the gate helper: where the gate went).
    pub next_pc: u32,
    /// Out: the register the last retired instruction loaded, or 0 (while it runs: the one
    /// the previous pass's last instruction loaded).
    pub last_load: u32,
    /// What the gate helpers remember between calls (the tier's).
    pub(crate) gate_memo: *mut GateMemo,
}

/// What a translated block's function returns.
pub mod exit {
    /// Nothing ran (the first instruction needs the threaded engine): `Ctx` is unchanged.
    pub const NOTHING: u32 = 0;
    /// Instructions ran: the counters in `Ctx` are those of the instruction boundary where
    /// the block left off, the registers and memory written.
    pub const LEFT: u32 = 1;
}

/// The signature of a translated block: `Ctx` in, an [`exit`] code out.
pub type NativeFn = unsafe extern "C" fn(*mut Ctx) -> u32;
