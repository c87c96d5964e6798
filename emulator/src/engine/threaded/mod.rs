//! The cached threaded-code engine. Guest code is translated once into blocks of pre-decoded
//! instructions ([`translate`]), kept in a cache keyed by physical pc and mode ([`cache`]), and
//! executed from there: common instructions on the fast path (`exec::fast`), the rest on the
//! full path (`Machine::complete`), both the one semantics of `exec`. It is cycle-exact with
//! the interpreter:
//!
//! - every instruction's fetch is accounted as the interpreter's would be: the first through the
//!   TLB, the rest by checking that the code page's TLB entry is still the one the block
//!   started with (if not, the block ends and the next fetch walks, as it would);
//! - device events and the budget are checked once per block against the block's worst-case
//!   cost; a block that might cross one runs one instruction at a time instead;
//! - a fault mid-block leaves the interpreter's state, because each instruction retires
//!   individually; anything that changes what later instructions would see (a device access,
//!   a write to a code page) ends the block.
//!
//! Blocks are superblocks (on past not-taken branches, through `jal`s inside the page); a
//! block chains to its successor in the same page without a dispatch, loops to its own start
//! without one, and after a gate (`callg`/`retg`) enters the next block directly when its fetch
//! hits the TLB.

pub mod block;
pub mod cache;
pub mod translate;

use super::{Budget, Engine};
use crate::exec::fast::{exec_handler, Fast, Handler};
use crate::exec::load_use_stall;
use crate::fault::Fault;
use crate::machine::{Access, Exit, Machine};
use block::Block;
use cache::{key, Cache, Cut};
use isa_spec::cr::vector;

/// The threaded-code engine.
#[derive(Default)]
pub struct Threaded {
    /// Translated blocks and their execution counts.
    pub cache: Cache,
}

impl Threaded {
    /// An engine with an empty cache.
    pub fn new() -> Threaded {
        Threaded::default()
    }

    /// One dispatch: the boundary checks, then a block (or a single instruction), and the
    /// blocks chained to it. Kept out of the run loop: it is the hot code, and inlining it
    /// there changes its register allocation for the worse.
    #[inline(never)]
    fn dispatch(&mut self, m: &mut Machine, budget: &Budget) {
        // A block that ended at a write into translated code has done so; the cache syncs below.
        m.block_exit = false;
        if super::boundary(m) {
            return;
        }
        if self.cache.needs_sync(m) {
            self.cache.sync(m);
        }
        let pc = m.cpu.pc;
        let ring = m.cpu.ring();
        let paging = m.cpu.paging();
        m.steps += 1;
        m.begin_instruction();
        let pa = match m.fetch_translate(pc) {
            Ok(pa) => pa,
            Err(f) => return m.take_fault(f, pc),
        };
        let k = key(pa, ring, paging);
        let idx = match self.cache.get(k) {
            Some(i) => i,
            None if self.cache.is_rewritten(pa >> 12, m.cpu.cycles) => {
                return single_fetched(m, pa, pc)
            }
            None => match translate::translate(m, pa, pc, ring) {
                Some(b) => self.cache.insert(m, k, b),
                None => return single_fetched(m, pa, pc),
            },
        };
        let limit = m.dev.next_event().min(budget.max_cycles);
        // Does the first block fit before the limits? (A chained successor is checked before
        // it is chained to.)
        let first = &self.cache.blocks[idx as usize];
        let steps_room = budget.max_steps.saturating_sub(m.steps - 1);
        let whole =
            m.cpu.cycles.saturating_add(first.max_cost) < limit && first.max_insns() <= steps_room;
        let first_ops = if whole {
            first.ops().len()
        } else {
            ops_that_fit(first, m.cpu.cycles, limit, steps_room)
        };
        let start = Start {
            idx,
            pc,
            ring,
            whole,
            first_ops,
        };
        let limits = Limits {
            cycles: limit,
            steps: budget.max_steps,
            breakpoints: budget.breakpoints,
            filter: budget.break_filter,
        };
        // The common case, a whole block with no breakpoints set, has its own copy of the
        // chain loop with those tests folded away (fewer live values: fewer spills).
        let plain = whole && budget.breakpoints.is_empty();
        match (paging, plain) {
            // run_chain::<PLAIN, PAGING>
            (true, true) => run_chain::<true, true>(&mut self.cache, m, start, limits),
            (true, false) => run_chain::<false, true>(&mut self.cache, m, start, limits),
            (false, true) => run_chain::<true, false>(&mut self.cache, m, start, limits),
            (false, false) => run_chain::<false, false>(&mut self.cache, m, start, limits),
        }
    }
}

/// How far a chain of blocks may run: the cycle count it must stay below (next device event
/// or the budget), the step budget, and the debugger's breakpoints (a block stops before one).
#[derive(Clone, Copy)]
struct Limits<'a> {
    cycles: u64,
    steps: u64,
    breakpoints: &'a [u32],
    /// The debugger's test of whether a breakpoint stops the run (its condition), if any.
    filter: Option<super::BreakFilter<'a>>,
}

/// The first block of a chain: its index, pc and ring, whether it may run whole (else only
/// its first `first_ops` instructions run, and nothing is chained), and how many ops may run.
#[derive(Clone, Copy)]
struct Start {
    idx: u32,
    pc: u32,
    ring: u8,
    whole: bool,
    first_ops: usize,
}

/// How many of `block`'s first ops surely end before the cycle `limit` from `cycles` (by their
/// worst-case costs) and within `steps_room` steps: a block that cannot run whole before the
/// next device event runs that far, then the event is looked at. At least one: a single
/// instruction always runs, and the event is taken at the boundary after it, as in the
/// interpreter.
#[cold]
#[inline(never)]
fn ops_that_fit(block: &Block, cycles: u64, limit: u64, steps_room: u64) -> usize {
    let mut end = cycles.saturating_add(translate::BLOCK_ENTRY_WORST);
    let mut k = 0;
    for op in block.ops() {
        let after = end.saturating_add(translate::worst_case(op));
        if after >= limit || k as u64 + 1 > steps_room {
            break;
        }
        end = after;
        k += 1;
    }
    k.max(1)
}

/// Does the chain stop at `next` (a boundary where the machine would have these counters)?
/// Only at a debugger breakpoint whose filter (its condition) holds there, as
/// `Budget::exhausted` decides at the same boundary: to ask the filter, the machine is given
/// what a condition can read (pc, cycles, retired and step counts; registers and memory are
/// current). A breakpoint whose condition is false then costs no return to the run loop.
/// Out of line: only debugging runs ask.
#[cold]
#[inline(never)]
fn stops_at(
    m: &mut Machine,
    breakpoints: &[u32],
    filter: Option<super::BreakFilter>,
    next: u32,
    counts: (u64, u64, u64),
) -> bool {
    breakpoints.contains(&next) && filter_stops(m, filter, next, counts)
}

/// [`stops_at`] for a boundary known to be at a breakpoint (a block cut before one).
#[cold]
#[inline(never)]
fn filter_stops(
    m: &mut Machine,
    filter: Option<super::BreakFilter>,
    next: u32,
    (cycles, retired, steps): (u64, u64, u64),
) -> bool {
    let Some(filter) = filter else {
        return true;
    };
    m.cpu.pc = next;
    m.cpu.cycles = cycles;
    m.cpu.retired = retired;
    m.steps = steps;
    (filter.0)(m)
}

/// The ops of `block` (at virtual page `vpage`) that a run may execute: the first `limit` of
/// them (all, when it may run whole), and none from a debugger breakpoint on (its entry `idx`
/// in `cuts` remembers where, for `breakpoints` of generation `generation`).
#[inline(always)]
fn runnable_ops<'b>(
    block: &'b Block,
    cuts: &mut [Cut],
    idx: usize,
    vpage: u32,
    limit: usize,
    breakpoints: &[u32],
    generation: u32,
) -> &'b [block::Op] {
    let mut n = limit;
    if !breakpoints.is_empty() {
        let cut = &mut cuts[idx];
        n = n.min(ops_before_breakpoint(
            block,
            cut,
            vpage,
            breakpoints,
            generation,
        ));
    }
    &block.ops()[..n]
}

/// How many of `block`'s ops run before a debugger breakpoint, from `cut` if it was
/// computed for this breakpoint list and page, else computed and remembered there.
#[cold]
#[inline(never)]
fn ops_before_breakpoint(
    block: &Block,
    cut: &mut Cut,
    vpage: u32,
    breakpoints: &[u32],
    generation: u32,
) -> usize {
    if cut.generation != generation || cut.vpage != vpage {
        let at_breakpoints = ops_at_breakpoints(block, vpage, breakpoints);
        *cut = Cut {
            generation,
            vpage,
            ops: 0,
            at_breakpoints,
        };
        cut.ops = cut.after(0, block.ops().len()) as u32;
    }
    cut.ops as usize
}

/// Bit k set for each op k ≥ 1 of `block` (at virtual page `vpage`) that is at a debugger
/// breakpoint (op 0 never: the dispatcher, or the chain, has looked at it).
fn ops_at_breakpoints(block: &Block, vpage: u32, breakpoints: &[u32]) -> u64 {
    let ops = block.ops();
    if block.consecutive {
        // Op k is at a known offset: each breakpoint is looked at once.
        let first = ops[0].off as u32;
        return breakpoints
            .iter()
            .filter(|&&b| b & !0xfff == vpage && b & 3 == 0 && b & 0xfff > first)
            .map(|&b| ((b & 0xfff) - first) as usize / 4)
            .filter(|&k| k < ops.len())
            .fold(0, |mask, k| mask | 1 << k);
    }
    (1..ops.len())
        .filter(|&k| breakpoints.contains(&(vpage | ops[k].off as u32)))
        .fold(0, |mask, k| mask | 1 << k)
}

/// Runs blocks from `start`, whose first fetch has been translated (its walk cycles, if any,
/// are in `m.acc_walk`; the dispatcher counted its step), chaining from each block to the
/// next without a dispatch while no device event can be due before the successor's end:
/// to a successor in the same page through the block's links (or the lookup), to its own
/// start (a loop), and after a gate to the block at the target if its fetch hits the TLB.
///
/// The counters live in locals for the whole chain. They are derived from the blocks' static
/// prefix sums and written to the machine only where someone could look: before an op that
/// takes the full path, and at the end. Per op, only the op's own work and a test of its
/// result remain.
///
/// `PLAIN`: the first block runs whole and no breakpoints are set (`start.whole` and
/// `limits.breakpoints` are then not looked at).
#[inline(always)]
fn run_chain<const PLAIN: bool, const PAGING: bool>(
    cache: &mut Cache,
    m: &mut Machine,
    start: Start,
    limits: Limits,
) {
    let generation = cache.breakpoints.generation;
    let Cache {
        blocks,
        cuts,
        lookup,
        max_block_cost,
        ..
    } = cache;
    let blocks: &[Block] = blocks;
    let Start {
        mut pc, mut ring, ..
    } = start;
    let whole = PLAIN || start.whole;
    let breakpoints: &[u32] = if PLAIN { &[] } else { limits.breakpoints };
    let filter = if PLAIN { None } else { limits.filter };
    let mut idx = start.idx as usize;
    let mut block = &blocks[idx];
    let mut vpage = pc & !0xfff;
    let first_ops = if PLAIN {
        block.ops().len()
    } else {
        start.first_ops
    };
    let mut ops = runnable_ops(block, cuts, idx, vpage, first_ops, breakpoints, generation);
    let mut n = ops.len();
    // The code page's TLB slot: later fetches hit its entry as the first fetch left it. Only
    // full-path ops can change the TLB, so the entry is read just before one and compared
    // after it (if it changed, the chain ends and the next fetch walks, as it would).
    let mut code_slot = crate::tlb::Tlb::slot(pc >> 12);
    // Loop-carried state is kept small. The step count is derived from the retired count
    // (`steps - retired` does not change while blocks run: a full-path op that retires adds
    // one to each), and so are the fetch hits still to be added to the TLB counter (every
    // op's fetch hits its code page; those of instructions up to number `hits_upto + 1` are
    // counted).
    let ds = m.steps - 1 - m.cpu.retired;
    // Whether a block can run whole from (cycles, retired) before the limits: at once if
    // every block can (the chain is far from them), else by its own worst case.
    let roomy_cycles = limits.cycles.saturating_sub(*max_block_cost);
    let roomy_retired = limits
        .steps
        .saturating_sub(ds)
        .saturating_sub(translate::MAX_OPS as u64 + 1);
    let fits = |cycles: u64, retired: u64, b: &Block| {
        (cycles < roomy_cycles && retired <= roomy_retired)
            || (cycles.saturating_add(b.max_cost) < limits.cycles
                && retired + ds + b.max_insns() <= limits.steps)
    };
    let mut c0 = m.cpu.cycles; // cycles before op 0 of this pass, from which cost_before counts
    let mut r0 = m.cpu.retired; // retired before op 0 of this pass
    let mut hits_upto = r0; // the dispatcher counted op 0's fetch
                            // Op 0's load-use stall in the current pass, and the dynamic cycles since c0.
    let mut cur_stall = load_use_stall(block.first_sources, m.cpu.last_load);
    let mut extra = (cur_stall + m.acc_walk) as u64;
    m.acc_walk = 0;
    // The current block's counts: cycles when it was entered, passes run.
    let mut entered = c0;
    let mut passes = 1;
    // The op to run, as a pointer into `ops` (stepping a pointer is cheaper than indexing
    // 16-byte ops: x86 has no scale of 16), and the end of `ops`; `index` gives i.
    let mut at = ops.as_ptr();
    let mut end = at.wrapping_add(n);
    let index = |at: *const block::Op, ops: &[block::Op]| {
        (at as usize - ops.as_ptr() as usize) / std::mem::size_of::<block::Op>()
    };
    // The ops of `block` a whole pass runs: all of them, or up to its first cut.
    macro_rules! whole_ops {
        () => {
            ops = runnable_ops(
                block,
                cuts,
                idx,
                vpage,
                block.ops().len(),
                breakpoints,
                generation,
            );
            n = ops.len();
            end = ops.as_ptr().wrapping_add(n);
        };
    }
    // Enters `block` (at `idx`, `vpage`) whole, with the counters at (`$cycles`, `$retired`)
    // after an op that loaded `$last_load` (the successor after a gate, or in the same page).
    macro_rules! enter_whole {
        ($cycles:expr, $retired:expr, $last_load:expr) => {
            whole_ops!();
            c0 = $cycles;
            r0 = $retired;
            cur_stall = load_use_stall(block.first_sources, $last_load);
            extra = cur_stall as u64;
            entered = c0;
            passes = 1;
            at = ops.as_ptr();
        };
    }
    // A run cut short before op `$i` of the block, at a debugger breakpoint: if the debugger's
    // filter says the run does not stop there (`stops_at`, at that boundary's counters), the
    // pass goes on to the next cut instead of ending (no pass end, no block entry). Not in a
    // run limited to its first ops (`whole` false).
    macro_rules! past_cut {
        ($i:expr) => {{
            let i: usize = $i;
            match block.ops().get(i) {
                Some(next) if whole => {
                    let retired = r0 + i as u64;
                    let cycles = (c0 + next.cost_before as u64).wrapping_add(extra);
                    let here = vpage | next.off as u32;
                    if filter_stops(m, filter, here, (cycles, retired, retired + ds)) {
                        false
                    } else {
                        n = cuts[idx].after(i, block.ops().len());
                        ops = &block.ops()[..n];
                        end = ops.as_ptr().wrapping_add(n);
                        true
                    }
                }
                _ => false,
            }
        }};
    }
    loop {
        // SAFETY: `at` points at an op of `ops` or, in a plain run, at the block's sentinel
        // (ops.as_ptr() <= at < end = ops.as_ptr() + n, n = ops.len(); or at == end with
        // n == ops.len(), where `Block::new` put the sentinel, in the same allocation): it
        // starts at ops[0] (n >= 1: blocks are never empty, and n is at least 1), and every
        // step `at += 1` that is followed by a jump back to this point is guarded by `at <
        // end` (the followed-jump case, and the `NEXT` and refill cases of a run that is not
        // plain) or by `i + 1 < n` (the full path, which leaves the block when `i + 1 ==
        // n`); a plain run's `NEXT` and refill steps reach at most the sentinel (it is
        // never stepped past: it ends the pass); loop passes and chained blocks restart at
        // their own ops[0] with their own `end`. Measured: docs/perf.md, Engines, the
        // `unsafe` paragraph.
        debug_assert!(at >= ops.as_ptr() && (at < end || PLAIN && at == end) && n == ops.len());
        let op = unsafe { &*at };
        debug_assert_eq!(at == end, op.flags & block::SENTINEL != 0);
        // The op's pc, computed only where it is used (branches, jumps, `auipc`, the end of a
        // pass, the full path), not for every op.
        let op_pc = || vpage | op.off as u32;
        // A fused op runs the op after it too (never the sentinel: see `translate`), unless
        // a run that is not plain ends between them.
        let next_insn = || {
            debug_assert!(at.wrapping_add(1) < end);
            // SAFETY: called only by a fused handler with `may_fuse`: the op at `at` is
            // followed in its block by the op it was fused with (`translate` fuses an op
            // with the next op of the block only), and in a run that is not plain that next
            // op is before `end`, so `at + 1` points at an op of `ops`. Measured against
            // safe indexing: docs/perf.md, the `unsafe` paragraph.
            unsafe { &(*at.wrapping_add(1)).insn }
        };
        let may_fuse = PLAIN || at.wrapping_add(1) < end;
        let mut stepped = at;
        let mut r = exec_handler(
            m,
            op.handler,
            &op.insn,
            next_insn,
            may_fuse,
            || stepped = stepped.wrapping_add(1),
            op_pc,
            ring,
            PAGING,
        );
        // After a fused pair, its second op is the op that ran last.
        at = stepped;
        // SAFETY: as above (`at` moved on only after a fused pair, to its second op).
        let op = unsafe { &*at };
        let op_pc = || vpage | op.off as u32;
        let next_pc;
        if r == Fast::NEXT {
            at = at.wrapping_add(1);
            // A plain run goes on to the block's sentinel, which ends it (below).
            if PLAIN || at < end {
                continue;
            }
            if past_cut!(index(at, ops)) {
                continue;
            }
            // Cut short (a breakpoint, or one op only), the run goes on at the next op, which
            // after a loop's inverted back edge is the loop's start, not the next word.
            next_pc = match block.ops().get(index(at, ops)) {
                Some(next) if !PLAIN => vpage | next.off as u32,
                _ => op_pc().wrapping_add(4),
            };
        } else if r.is_jump() {
            // A taken branch or jump: the block goes on through a followed `jal`, and is left
            // anywhere else (a side exit, or its last op).
            extra = extra.wrapping_add(op.taken as i64 as u64);
            at = at.wrapping_add(1);
            if op.flags & block::FOLLOW != 0 && (PLAIN || at < end || past_cut!(index(at, ops))) {
                continue;
            }
            next_pc = if PLAIN && op.insn.rd & block::RETURNS_VIA != 0 {
                // A branch to a `ret` (`translate`): the `ret` runs too, unless its target is
                // misaligned (then it runs in its own block, and faults at the next fetch).
                // Its fetch hits this page (counted through the retired count); the block's
                // limits allowed for it (`Block::max_insns`, `worst_case`). Not in a run that
                // is not plain: a breakpoint or the step limit may fall on the `ret`.
                let to = m.cpu.regs[(op.insn.rd & 31) as usize];
                if to & 3 == 0 {
                    extra += block::ret_cost() as u64;
                    r0 += 1;
                    to
                } else {
                    r.0
                }
            } else {
                r.0
            };
        } else if r == Fast::WALKED {
            // A TLB refill on the fast path (it left the code page's entry alone): its walk
            // cycles join the dynamic ones; its A/D write or the store may have ended the block.
            extra += std::mem::take(&mut m.acc_walk) as u64;
            at = at.wrapping_add(1);
            if !m.block_exit {
                r = Fast::NEXT;
                if PLAIN || at < end {
                    continue;
                }
            } else {
                r = Fast::EXIT;
            }
            next_pc = op_pc().wrapping_add(4);
        } else if r == Fast::EXIT {
            at = at.wrapping_add(1);
            next_pc = op_pc().wrapping_add(4);
        } else if PLAIN && op.flags & block::SENTINEL != 0 {
            // The sentinel after the last op (which went on to the next word: the sentinel
            // has its offset).
            r = Fast::NEXT;
            next_pc = op_pc().wrapping_add(4);
        } else if matches!(op.handler, Handler::Callg | Handler::Retg) && m.trace_writes.is_none() {
            // A gate (`callg`, `retg`; the last op of its block): its semantics are the
            // interpreter's (`Machine::callg`, `Machine::retg`), which read the cycle count
            // (for the transition record) and nothing else the chain keeps in locals; it is
            // retired here, like a fast-path op, and the chain goes on at its target.
            let i = index(at, ops);
            debug_assert!(i + 1 == n && op.flags & block::PRIVILEGE_FAULT == 0);
            let gate_pc = op_pc();
            let before = c0 + op.cost_before as u64 + extra; // op 0: with its stall and walk
            m.cpu.cycles = if i == 0 { c0 } else { before };
            m.acc_walk = 0;
            let done = if op.handler == Handler::Callg {
                m.callg(op.insn.imm as u32, gate_pc)
            } else {
                m.retg()
            };
            let retired = r0 + i as u64 + 1;
            if PAGING {
                // The fetch hits up to the gate's.
                m.tlb.hits += retired - 1 - hits_upto;
            }
            if let Err(fault) = done {
                // Taken as the full path takes it: the machine at the state before the gate
                // (op 0's fetch walk is charged with the exception entry, as there).
                m.cpu.retired = retired - 1;
                m.steps = retired + ds;
                m.cpu.pc = gate_pc;
                if i == 0 {
                    m.acc_walk += (extra - cur_stall as u64) as u32;
                }
                m.take_fault(fault, gate_pc);
                block
                    .run
                    .count(passes, m.cpu.cycles.saturating_sub(entered));
                return;
            }
            let cycles = before + op.base as u64 + std::mem::take(&mut m.acc_walk) as u64;
            block.run.count(passes, cycles - entered);
            // After a gate (which leaves interrupts enabled or not as they were): the ring
            // may differ and the target is usually in another page, so the successor is found
            // through a fetch that must hit the TLB (counted, as the dispatcher's would be)
            // and the lookup. Not after a frame written into translated code (the cache must
            // drop it first), nor onto a breakpoint.
            let next = m.cpu.pc;
            ring = m.cpu.ring();
            let chain = whole
                && !m.block_exit
                && (breakpoints.is_empty()
                    || !stops_at(
                        m,
                        breakpoints,
                        filter,
                        next,
                        (cycles, retired, retired + ds),
                    ));
            if let Some(npa) = chain
                .then(|| m.fast_ram_index(next, 4, Access::Exec, ring, PAGING))
                .flatten()
            {
                let succ = lookup.get(key(npa as u32, ring, PAGING)).and_then(|s| {
                    let b = &blocks[s as usize];
                    fits(cycles, retired, b).then_some((s, b))
                });
                if let Some((succ, next_block)) = succ {
                    idx = succ as usize;
                    block = next_block;
                    pc = next;
                    vpage = pc & !0xfff;
                    code_slot = crate::tlb::Tlb::slot(pc >> 12);
                    hits_upto = retired;
                    enter_whole!(cycles, retired, 0);
                    continue;
                }
                if PAGING {
                    // The dispatcher will fetch it again and count that.
                    m.tlb.hits -= 1;
                }
            }
            m.cpu.cycles = cycles;
            m.cpu.retired = retired;
            m.steps = retired + ds;
            m.cpu.last_load = 0;
            return;
        } else {
            // The full path: bring the machine to the state before op i, then run op i the
            // way the interpreter does.
            let i = index(at, ops);
            m.cpu.retired = r0 + i as u64;
            m.steps = r0 + i as u64 + ds + 1;
            m.cpu.pc = op_pc();
            let mut base = op.base as u32;
            m.begin_instruction();
            if i == 0 {
                m.cpu.cycles = c0;
                // complete() charges the stall through base and the fetch walk (first block,
                // first pass only) through acc_walk.
                base += cur_stall;
                m.acc_walk = (extra - cur_stall as u64) as u32;
            } else {
                m.cpu.cycles = c0 + op.cost_before as u64 + extra;
                m.cpu.last_load = ops[i - 1].load_dest();
            }
            if PAGING {
                m.tlb.hits += r0 + i as u64 - hits_upto;
            }
            hits_upto = r0 + i as u64;
            let code_entry = m.tlb.entries()[code_slot];
            let go_on = full_path(m, op, op_pc(), base);
            let code_kept = !PAGING || m.tlb.entries()[code_slot] == code_entry;
            if go_on && code_kept && i + 1 < n {
                at = at.wrapping_add(1);
                c0 = m.cpu.cycles - ops[i + 1].cost_before as u64;
                r0 = m.cpu.retired - (i + 1) as u64;
                extra = 0;
                continue;
            }
            // The block ends here, the machine's state current.
            // A reset (POWER.RESET) restarts the clock mid-block: count nothing then.
            block
                .run
                .count(passes, m.cpu.cycles.saturating_sub(entered));
            return;
        }
        // End of a pass (i ops ran: all of them, or up to a store into translated code).
        // The op that ran last is `op` (the sentinel is a copy of the block's last op, its
        // costs and loaded register included).
        let i = index(at, ops);
        let done = op;
        debug_assert_eq!(done.cost_before, ops[i - 1].cost_before);
        // (Wrapping: after a loop's inverted back edge was taken, `extra` has had the taken
        // penalty taken off again, below zero if nothing else was in it.)
        let cycles = (c0 + done.cost_before as u64 + done.base as u64).wrapping_add(extra);
        let retired = r0 + i as u64;
        // Does the run stop at the next pc (a debugger breakpoint whose condition holds)?
        // Asked once, for both ways the chain could go on there.
        let stops = !breakpoints.is_empty()
            && r != Fast::EXIT
            && whole
            && stops_at(
                m,
                breakpoints,
                filter,
                next_pc,
                (cycles, retired, retired + ds),
            );
        if next_pc == pc
            && r != Fast::EXIT
            && whole
            && (PLAIN || n == block.ops().len())
            && fits(cycles, retired, block)
            && !stops
        {
            // Loop: the next pass's first fetch hits the same page (counted through
            // `hits_upto`, like every later one).
            passes += 1;
            c0 = cycles;
            r0 = retired;
            // Op 0's load-use stall now depends on the op this pass ended with.
            cur_stall = load_use_stall(block.first_sources, done.load_dest());
            extra = cur_stall as u64;
            if !PLAIN && !breakpoints.is_empty() {
                // The pass may have gone on past its cuts (`past_cut`): the next starts at the
                // first one again.
                whole_ops!();
            }
            at = ops.as_ptr();
            continue;
        }
        block.run.count(passes, cycles - entered);
        // Chain to a successor in the same page, if it can run whole before the limits: no
        // device event can be due, and only full-path ops could have changed interrupts, the
        // TLB or translated code (those that did ended the chain). Its first fetch hits the
        // same code page (counted through `hits_upto`). (`next_pc` is a multiple of 4: the
        // fast path leaves a misaligned jump target to the full path.)
        debug_assert_eq!(next_pc & 3, 0);
        if r != Fast::EXIT && whole && next_pc >> 12 == pc >> 12 && !stops {
            let slot = (next_pc >> 2) as usize % block::LINKS;
            let (link_pc, link_idx) = block.run.links[slot].get();
            // (A link from this valid block leads to a valid block: see `Cache`.)
            let linked = blocks.get(link_idx as usize).filter(|_| link_pc == next_pc);
            debug_assert!(linked.is_none_or(|b| b.valid));
            let succ = match linked {
                Some(b) => Some((link_idx, b)),
                None => {
                    let k = key((block.pa & !0xfff) | (next_pc & 0xfff), ring, PAGING);
                    let found = lookup.get(k);
                    if let Some(s) = found {
                        block.run.links[slot].set((next_pc, s));
                    }
                    found.map(|s| (s, &blocks[s as usize]))
                }
            };
            if let Some((succ, next_block)) = succ {
                if fits(cycles, retired, next_block) {
                    idx = succ as usize;
                    block = next_block;
                    pc = next_pc;
                    enter_whole!(cycles, retired, done.load_dest());
                    continue;
                }
            }
        }
        m.cpu.cycles = cycles;
        m.cpu.retired = retired;
        m.steps = retired + ds;
        m.cpu.pc = next_pc;
        m.cpu.last_load = done.load_dest();
        if PAGING {
            m.tlb.hits += retired - hits_upto - 1;
        }
        return;
    }
}

/// Runs op (at `op_pc`, charging `base`) the way the interpreter does, the machine having been
/// brought to the state just before it. Returns whether the block may go on after it (no
/// exception, no stop, nothing that ends a block). Out of line: it is rare, and keeping it
/// out of the op loop leaves that loop its registers.
#[inline(never)]
fn full_path(m: &mut Machine, op: &block::Op, op_pc: u32, base: u32) -> bool {
    let delivered = m.delivered;
    m.block_exit = false;
    if op.flags & block::PRIVILEGE_FAULT != 0 {
        m.take_fault(Fault::new(vector::PRIVILEGE, op_pc), op_pc);
    } else {
        m.complete(&op.insn, op_pc, base, op.load_dest());
    }
    !(m.block_exit || m.delivered != delivered || m.stop.is_some())
}

/// Executes one instruction whose fetch was translated to `pa` but which could not start a
/// block (an illegal word, a bus error, or code being rewritten as it runs).
fn single_fetched(m: &mut Machine, pa: u32, pc: u32) {
    let word = match m.fetch_word(pa, pc) {
        Ok(w) => w,
        Err(f) => return m.take_fault(f, pc),
    };
    match isa_spec::decode(word) {
        Ok(insn) => m.retire(&insn, pc),
        Err(_) => m.take_fault(Fault::new(vector::ILLEGAL, pc), pc),
    }
}

impl Engine for Threaded {
    fn name(&self) -> &'static str {
        "threaded"
    }

    fn hot_blocks(&self, n: usize) -> Vec<super::HotBlock> {
        self.cache
            .hottest(n)
            .into_iter()
            .map(|(pc, execs, cycles, len)| super::HotBlock {
                pc,
                execs,
                cycles,
                len,
                translations: self.cache.translations_at(pc),
            })
            .collect()
    }

    fn run(&mut self, m: &mut Machine, budget: Budget) -> Exit {
        m.wait_limit = budget.max_cycles;
        if !budget.breakpoints.is_empty() {
            self.cache.breakpoints.update(budget.breakpoints);
        }
        loop {
            // Debugger stops are among the reasons: a watched write sets `block_exit` too, so
            // the block ended there, and blocks are cut short before breakpoints inside them.
            if let Some(exit) = budget.exhausted(m) {
                return exit;
            }
            self.dispatch(m, &budget);
        }
    }
}
