//! The runtime helpers generated code calls out of line: what is rare or needs the machine's
//! own rules, so that it is written once, in Rust.

use super::ctx::Ctx;
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
/// instruction fetched from virtual page `code_vpn`, in the block whose context is `ctx`: the
/// fast path's refill ([`Machine::fast_refill`]: the walk as the interpreter makes it, counted
/// and charged, A/D written, the TLB filled). The walk's cycles go to `ctx.dynamic`, the refill
/// to `ctx.walks`, and `ctx.must_exit` is set when the block must end after this instruction
/// (the fill evicted the code page's entry, so the next fetch walks; or the A/D write went
/// into translated code). Returns the physical address, or `u64::MAX`, nothing changed, when
/// the refill is not for the fast path (a fault, a device): the block then leaves before the
/// instruction.
///
/// # Safety
///
/// `ctx` is the calling block's context, and its machine is not otherwise borrowed (as for
/// [`store_checked`]).
pub(super) unsafe extern "C" fn refill(
    ctx: *mut Ctx,
    va: u32,
    size: u32,
    write: u32,
    ring: u32,
    code_vpn: u32,
) -> u64 {
    // SAFETY: the caller's promise: `ctx` and its machine are live and not aliased during the
    // call (the generated code holds only the raw pointer).
    let (ctx, m) = unsafe { (&mut *ctx, &mut *(*ctx).machine) };
    let access = if write != 0 {
        crate::tlb::Access::Write
    } else {
        crate::tlb::Access::Read
    };
    m.acc_walk = 0;
    match m.refill_for(va, size, access, ring as u8, code_vpn, true) {
        Some(pa) => {
            ctx.dynamic += std::mem::take(&mut m.acc_walk) as u64;
            ctx.walks += 1;
            let evicted = crate::tlb::Tlb::slot(va >> 12) == crate::tlb::Tlb::slot(code_vpn);
            // (Also no chaining on from this block: the next fetch must look at the TLB.)
            m.block_exit |= evicted;
            ctx.must_exit |= m.block_exit as u32;
            pa as u64
        }
        None => u64::MAX,
    }
}
