//! What generated code reads and writes besides guest memory: one [`Ctx`] per call, filled by
//! the runtime (`super::run`) from the machine and read back after the call. The counters of
//! a compiled loop's passes live here too, not in host registers: they change once a pass
//! (or in the out-of-line refill), and the registers are better spent on guest registers.

use crate::machine::Machine;
use crate::tlb::{Access, Tlb};

/// Where the TLB's tables are, as byte offsets from the permitted-read tags of ring 0
/// (`Ctx::tlb`): the same for every TLB, so compiled code adds constants.
#[derive(Clone, Copy, Debug)]
pub struct TlbLayout {
    /// Offsets of the permitted-read tags of rings 0-3.
    read: [i32; 4],
    /// Offsets of the permitted-write tags of rings 0-3.
    write: [i32; 4],
    /// Offset of the addends.
    pub addends: i32,
}

impl TlbLayout {
    /// The layout (measured on a TLB: the tables are arrays inside it).
    pub fn new() -> TlbLayout {
        let t = Tlb::default();
        let base = Self::base(&t) as isize;
        let off = |p: *const u32| (p as isize - base) as i32;
        let read = std::array::from_fn(|r| off(t.raw_tags(Access::Read, r as u8).0));
        let write = std::array::from_fn(|r| off(t.raw_tags(Access::Write, r as u8).0));
        TlbLayout {
            read,
            write,
            addends: off(t.raw_tags(Access::Read, 0).1),
        }
    }

    /// The address the offsets are from, in `t`.
    pub fn base(t: &Tlb) -> *const u8 {
        t.raw_tags(Access::Read, 0).0.cast()
    }

    /// Offset of the permitted tags of a write (else a read) in `ring`.
    pub fn tags(&self, write: bool, ring: u8) -> i32 {
        let r = ring as usize & 3;
        if write {
            self.write[r]
        } else {
            self.read[r]
        }
    }
}

impl Default for TlbLayout {
    fn default() -> Self {
        TlbLayout::new()
    }
}

/// The interface between the runtime and a translated block (`#[repr(C)]`: the generated code
/// reads its fields at their [`offset_of!`](std::mem::offset_of) offsets).
#[repr(C)]
#[derive(Debug)]
pub struct Ctx {
    /// The guest registers (`Cpu::regs`).
    pub regs: *mut u32,
    /// The TLB's tables ([`TlbLayout`] says where each is from here).
    pub tlb: *const u8,
    /// RAM's chunk table (biased pointers).
    pub chunks: *const *mut u8,
    /// RAM's plain-store table (biased pointers or null).
    pub plain: *const *mut u8,
    /// RAM's size in bytes rounded down to a word: an aligned access at a lower address is
    /// in RAM.
    pub ram_words_end: u32,
    /// The machine, for the out-of-line helpers.
    pub machine: *mut Machine,
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
    /// Set (not 0) by a refill after which the block must end after the instruction (the fill
    /// evicted the code page's entry, or wrote translated code).
    pub must_exit: u32,
    /// Out: the pc to go on at.
    pub next_pc: u32,
    /// Out: the register the last retired instruction loaded, or 0 (while it runs: the one
    /// the previous pass's last instruction loaded).
    pub last_load: u32,
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
