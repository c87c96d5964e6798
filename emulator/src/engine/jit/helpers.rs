//! The runtime helpers generated code calls out of line: what is rare or needs the machine's
//! own rules, so that it is written once, in Rust.

use super::ctx::Ctx;
use crate::engine::threaded::block::Block;
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

/// [`gate`]'s answer: declined, nothing changed (the block leaves before the gate).
pub(super) const GATE_DECLINED: u32 = 0;
/// [`gate`]'s answer: done, and the trace's next block is where it went.
pub(super) const GATE_ON: u32 = 1;
/// [`gate`]'s answer: done, gone elsewhere (`Ctx::next_pc`): the block leaves after it.
pub(super) const GATE_ELSEWHERE: u32 = 2;

/// `callg n` at `pc` in a trace, the cycle count before it `cycles`, sp written back, paging
/// on if `paging`: the usual case in full, as the threaded chain runs it
/// ([`Machine::callg_usual`]); anything else declines, nothing changed, for the threaded
/// engine. Done, it tells whether the trace goes on to its next block ([`gone_on`]): `expect`
/// (its pc, ring in the low bits), `next` (its block in the threaded cache).
///
/// # Safety
///
/// As for [`miss`]; `next` points at a block of the threaded cache.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe extern "C" fn gate_call(
    ctx: *mut Ctx,
    n: u32,
    pc: u32,
    cycles: u64,
    expect: u32,
    next: *const Block,
    paging: u32,
) -> u32 {
    // SAFETY: the caller's promise: `ctx` and its machine are live and not aliased during
    // the call.
    let (ctx, m) = unsafe { (&mut *ctx, &mut *(*ctx).machine) };
    // SAFETY: the tier's memo, live while the tier is, used by nothing else during the call.
    let memo = unsafe { &mut *ctx.gate_memo };
    let Some(plan) = memo.call_plan(m, n, paging != 0) else {
        return GATE_DECLINED;
    };
    let epoch = crate::ram::layout_epoch();
    m.cpu.cycles = cycles;
    m.block_exit = false;
    m.callg_apply(n, pc, plan, paging != 0);
    // (The frame's write may have gone into translated code or allocated a chunk.)
    let ends = m.block_exit || epoch != crate::ram::layout_epoch();
    // SAFETY: the caller's promise.
    gone_on(ctx, m, ends, expect, unsafe { &*next }, paging != 0)
}

/// `retg` in a trace: as [`gate_call`] for [`Machine::retg_usual`] (which writes no memory).
///
/// # Safety
///
/// As for [`gate_call`].
pub(super) unsafe extern "C" fn gate_return(
    ctx: *mut Ctx,
    cycles: u64,
    expect: u32,
    next: *const Block,
    paging: u32,
) -> u32 {
    // SAFETY: as in `gate_call`.
    let (ctx, m) = unsafe { (&mut *ctx, &mut *(*ctx).machine) };
    // SAFETY: as in `gate_call`.
    let memo = unsafe { &mut *ctx.gate_memo };
    let Some(pa) = memo.ret_frame(m, paging != 0) else {
        return GATE_DECLINED;
    };
    m.cpu.cycles = cycles;
    if !m.retg_apply(pa, paging != 0) {
        return GATE_DECLINED;
    }
    // SAFETY: the caller's promise.
    gone_on(ctx, m, false, expect, unsafe { &*next }, paging != 0)
}

/// After a gate done by a trace: whether the trace goes on to its next block, `expect` (its
/// pc, ring in the low bits), block `next` (else where the gate went is put in
/// `ctx.next_pc`). It does if the gate went there, nothing it did must end the block (`ends`:
/// a frame written into translated code, RAM's layout changed), and the fetch there hits the
/// TLB (permitted, in RAM) at that block's physical address, the block still valid: then it
/// is the block the dispatcher would find (a key has one valid block), and the fetch's hit
/// is counted with the instructions it retires, as the chain's are.
#[inline(always)]
fn gone_on(ctx: &mut Ctx, m: &Machine, ends: bool, expect: u32, next: &Block, paging: bool) -> u32 {
    let pc = m.cpu.pc;
    let ring = m.cpu.ring();
    if !ends && pc | ring as u32 == expect && next.valid {
        let version = m.tlb.version();
        if paging && next.run.fetched.get() == (version, pc) {
            // Found so before, and the TLB has not changed since.
            return GATE_ON;
        }
        let pa = if paging {
            m.tlb.permitted_hit(pc, 4, crate::tlb::Access::Exec, ring)
        } else {
            Some(pc)
        };
        if pa.is_some_and(|pa| pa == next.pa && m.ram.contains(pa, 4)) {
            next.run.fetched.set((version, pc));
            return GATE_ON;
        }
    }
    ctx.next_pc = pc;
    GATE_ELSEWHERE
}
