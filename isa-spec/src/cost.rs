//! The cycle model: what is added to an instruction's base cost (the table's `cycles` column).

/// Added when a branch is taken, and to every `jal`/`jalr` (the pipeline refetches).
pub const TAKEN_PENALTY: u32 = 2;
/// Added to an instruction that reads a register loaded by the instruction just before it.
pub const LOAD_USE_STALL: u32 = 1;
/// Added for each TLB miss (a two-level page walk), whether or not the access then faults.
pub const TLB_WALK: u32 = 10;
/// Added for each load or store that reaches a device register or the framebuffer.
pub const MMIO_LATENCY: u32 = 5;
/// Charged for delivering an exception or interrupt (the faulting instruction itself costs
/// nothing: it did not retire). A trap or brk pays its base cost and then this.
pub const EXCEPTION_ENTRY: u32 = 12;
/// Modeled TLB: entries (direct-mapped, indexed by virtual page number mod this).
pub const TLB_ENTRIES: usize = 64;
