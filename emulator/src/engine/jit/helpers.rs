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
    let epoch = crate::ram::layout_epoch();
    // SAFETY: `pa + size` is inside RAM (the generated code tested it against the RAM size,
    // or the machine's TLB permitted the access: a page wholly in RAM).
    unsafe { m.ram_store_hit::<false>(va, pa as usize, size, v) };
    // A chunk allocated or its plain stores changed: the host TLB may be stale.
    m.block_exit |= epoch != crate::ram::layout_epoch();
    m.block_exit as u32
}

/// A host TLB miss of a data access (`write`: a store) at `va` of `size` bytes in `ring`, by
/// an instruction fetched from virtual page `code_vpn`, in the block whose context is `ctx`.
/// A hit in the machine's TLB is just that (the host TLB did not know it); otherwise the fast
/// path's refill ([`Machine::fast_refill`]: the walk as the interpreter makes it, counted and
/// charged, A/D written, the TLB filled), its cycles added to `ctx.dynamic` and counted in
/// `ctx.walks`. Then the host TLB's entry for the page
/// ([`HostTlb::fill`](super::host_tlb::HostTlb::fill)).
///
/// Returns the physical address, with bit 32 set when the block must end after this
/// instruction (the fill evicted the code page's entry, so the next fetch walks; the A/D
/// write went into translated code; or RAM's layout changed, so the host TLB is stale); or
/// `u64::MAX`, nothing changed, when the access is not for compiled code (a fault, a
/// device): the block then leaves before the instruction.
///
/// # Safety
///
/// `ctx` is the calling block's context, and its machine and host TLB are not otherwise
/// borrowed (as for [`store_checked`]).
pub(super) unsafe extern "C" fn miss(
    ctx: *mut Ctx,
    va: u32,
    size: u32,
    write: u32,
    ring: u32,
    code_vpn: u32,
) -> u64 {
    // SAFETY: the caller's promise: `ctx`, its machine and its host TLB are live and not
    // aliased during the call (the generated code holds only the raw pointer).
    let (ctx, m, host) = unsafe { (&mut *ctx, &mut *(*ctx).machine, &mut *(*ctx).host_tlb) };
    let access = if write != 0 {
        crate::tlb::Access::Write
    } else {
        crate::tlb::Access::Read
    };
    let ring = ring as u8;
    let mut ends = false;
    let pa = match m.tlb.permitted_hit(va, size, access, ring) {
        Some(pa) => pa,
        None => {
            let (version, epoch) = (m.tlb.version(), crate::ram::layout_epoch());
            m.acc_walk = 0;
            let Some(pa) = m.refill_for(va, size, access, ring, code_vpn, true) else {
                return u64::MAX;
            };
            ctx.dynamic += std::mem::take(&mut m.acc_walk) as u64;
            ctx.walks += 1;
            host.refilled(m, va, version);
            let evicted = crate::tlb::Tlb::slot(va >> 12) == crate::tlb::Tlb::slot(code_vpn);
            // (Also no chaining on from this block: the next fetch must look at the TLB; and
            // host pointers made before a change of RAM's layout must not be used.)
            m.block_exit |= evicted || epoch != crate::ram::layout_epoch();
            ends = m.block_exit;
            pa as u32
        }
    };
    host.fill(m, va, pa, size, access, ring);
    pa as u64 | (ends as u64) << 32
}
