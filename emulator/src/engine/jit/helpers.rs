//! The runtime helpers generated code calls out of line: what is rare or needs the machine's
//! own rules, so that it is written once, in Rust.

use crate::machine::Machine;

/// A store whose chunk does not take plain stores (never written, or holding translated
/// code): the machine's checked store ([`Machine::ram_store_hit`]), which notes a write into
/// translated code. Returns 1 when the block must end after this store (it wrote translated
/// code), else 0. The access was translated and checked to be inside RAM by the caller.
///
/// # Safety
///
/// `m` is the machine the calling block runs on, not otherwise borrowed while the block runs
/// (the runtime hands the block only raw pointers), and `pa + size <= m.ram.len()`, aligned.
pub(super) unsafe extern "C" fn store_checked(
    m: *mut Machine,
    va: u32,
    pa: u32,
    size: u32,
    v: u32,
) -> u32 {
    // SAFETY: the caller's promise: `m` is live and not aliased during the call.
    let m = unsafe { &mut *m };
    // SAFETY: `pa + size` is inside RAM (the generated code tested it against the RAM size).
    unsafe { m.ram_store_hit::<false>(va, pa as usize, size, v) };
    m.block_exit as u32
}

/// A TLB miss of a data access (`write`: a store) at `va` of `size` bytes in `ring`, by an
/// instruction fetched from virtual page `code_vpn`: the fast path's refill
/// ([`Machine::fast_refill`]: the walk as the interpreter makes it, counted and charged, A/D
/// written, the TLB filled). Returns the physical address in the low 32 bits, the walk's
/// cycles in bits 32-62, and in bit 63 whether the block must end after this instruction
/// (the fill evicted the code page's entry, so the next fetch walks; or the A/D write went
/// into translated code); or `u64::MAX`, nothing changed, when the refill is not for the
/// fast path (a fault, a device): the block then leaves before the instruction.
///
/// # Safety
///
/// As for [`store_checked`]: `m` is the calling block's machine, not otherwise borrowed.
pub(super) unsafe extern "C" fn refill(
    m: *mut Machine,
    va: u32,
    size: u32,
    write: u32,
    ring: u32,
    code_vpn: u32,
) -> u64 {
    // SAFETY: the caller's promise: `m` is live and not aliased during the call.
    let m = unsafe { &mut *m };
    let access = if write != 0 {
        crate::tlb::Access::Write
    } else {
        crate::tlb::Access::Read
    };
    m.acc_walk = 0;
    match m.refill_for(va, size, access, ring as u8, code_vpn, true) {
        Some(pa) => {
            let walk = std::mem::take(&mut m.acc_walk) as u64 & 0x7fff_ffff;
            let evicted = crate::tlb::Tlb::slot(va >> 12) == crate::tlb::Tlb::slot(code_vpn);
            // (Also no chaining on from this block: the next fetch must look at the TLB.)
            m.block_exit |= evicted;
            let ends = m.block_exit;
            pa as u64 | walk << 32 | (ends as u64) << 63
        }
        None => u64::MAX,
    }
}
