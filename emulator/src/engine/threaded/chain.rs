//! The chain loop: runs blocks from the one the dispatcher found, chaining from each block to
//! the next without a dispatch while no device event can be due before the successor's end —
//! to a successor in the same page through the block's links (or the lookup), to its own start
//! (a loop), and after a gate to the block at the target if its fetch hits the TLB.
//!
//! The chain's state is a [`Chain`], a local of [`run_chain`] whose methods are all inlined
//! into it, so its counters stay in registers for the whole chain; only the pointer to the op
//! to run is a local of the loop itself (see there). The counters are derived from the blocks'
//! static prefix sums and written to the machine only where someone could look: before an op
//! that takes the full path, and at the end. Per op, only the op's own work and a test of its
//! result remain.

use super::block::{self, Block, Op};
use super::breaks::{filter_stops, page_holds_breakpoint, runnable_ops};
use super::cache::{gate_successor, successor, Cache, Cut, Lookup};
use super::translate;
use crate::engine::BreakFilter;
use crate::exec::fast::{exec_handler, Fast, Handler};
use crate::exec::load_use_stall;
use crate::exec::retire::Counters;
use crate::fault::Fault;
use crate::machine::{Access, Machine};
use crate::tlb::Tlb;
use isa_spec::cr::vector;
use std::sync::atomic::{AtomicBool, Ordering};

/// How far a chain of blocks may run: the cycle count it must stay below (next device event
/// or the budget), the step budget, and the debugger's breakpoints (a block stops before one).
#[derive(Clone, Copy)]
pub(super) struct Limits<'a> {
    /// The cycle count the chain stays below.
    pub cycles: u64,
    /// The step count the chain stays within.
    pub steps: u64,
    /// Debugger breakpoints.
    pub breakpoints: &'a [u32],
    /// The debugger's test of whether a breakpoint stops the run (its condition), if any.
    pub filter: Option<BreakFilter<'a>>,
    /// Run counts from which a block is for the JIT tier (`u64::MAX`: no tier): the chain
    /// does not go on into such a block (unless the tier declined it), so that the dispatcher
    /// hands it to the tier.
    pub hot: u64,
    /// Set when the tier has compiled code waiting: a block being compiled is handed over
    /// then (until then the chain runs it).
    pub ready: &'a AtomicBool,
}

/// The first block of a chain: its index, pc and ring, whether it may run whole (else only
/// its first `first_ops` instructions run, and nothing is chained), and how many ops may run.
#[derive(Clone, Copy)]
pub(super) struct Start {
    /// Index of the block in the cache.
    pub idx: u32,
    /// Its virtual pc.
    pub pc: u32,
    /// The ring it runs in.
    pub ring: u8,
    /// It may run whole (and be chained from).
    pub whole: bool,
    /// Ops it may run when not whole.
    pub first_ops: usize,
}

/// The state of a chain of blocks: where it is, and its counters. `PLAIN`: the first block
/// runs whole and no breakpoint is in its page (`whole` is then not looked at, nor
/// `breakpoints` but to keep out of the pages that hold one after a gate).
struct Chain<'c, 'l, const PLAIN: bool, const PAGING: bool> {
    // Fixed for the chain.
    /// All translated blocks.
    blocks: &'c [Block],
    /// Per block, where breakpoints cut it.
    cuts: &'c mut [Cut],
    /// Physical pc → block.
    lookup: &'c mut Lookup,
    /// The breakpoint list's generation (for `cuts`).
    generation: u32,
    /// Blocks may run whole and be chained (else the first runs only its first ops).
    whole: bool,
    /// How far the chain may run. (A plain run looks at its breakpoints only after a gate:
    /// [`Chain::breakpoints`].)
    limits: Limits<'l>,
    /// Every block can run whole before the limits while cycles stay below this and the
    /// retired count at or below `roomy_retired` (the chain is far from them).
    roomy_cycles: u64,
    /// See `roomy_cycles`.
    roomy_retired: u64,
    /// `steps - retired`, which does not change while blocks run (a full-path op that retires
    /// adds one to each): the step count is derived from the retired count.
    step_offset: u64,
    // Where the chain is.
    /// The current block's virtual pc (its first op's).
    pc: u32,
    /// The ring it runs in.
    ring: u8,
    /// The current block's index.
    idx: usize,
    /// The current block.
    block: &'c Block,
    /// Its virtual page.
    vpage: u32,
    /// The ops of the block this pass may run (all, or up to a cut).
    ops: &'c [Op],
    /// The ops a whole pass of the block runs (all, or up to its first cut): where each pass
    /// starts again after one that went on past its cuts.
    whole_ops: &'c [Op],
    /// The end of `ops` (in a plain run, the block's sentinel).
    end: *const Op,
    /// The code page's TLB slot: later fetches hit its entry as the first fetch left it. Only
    /// full-path ops can change the TLB, so the entry is read just before one and compared
    /// after it (if it changed, the chain ends and the next fetch walks, as it would).
    code_slot: usize,
    // Counters.
    /// Cycles before op 0 of this pass, from which the ops' `cost_before` counts.
    pass_cycles: u64,
    /// Instructions retired before op 0 of this pass.
    pass_retired: u64,
    /// Cycles the static costs do not know of, since `pass_cycles`: op 0's load-use stall and
    /// fetch walk, TLB refills, taken penalties (wrapping: a loop's inverted back edge taken
    /// takes its penalty off again).
    dynamic: u64,
    /// Op 0's load-use stall in this pass (part of `dynamic`).
    first_stall: u32,
    /// Fetch hits are counted for the instructions up to number `hits_counted + 1` (every
    /// op's fetch hits the code page; the dispatcher counted op 0's).
    hits_counted: u64,
    /// Cycles when the current block was entered.
    entered: u64,
    /// Passes through the current block.
    passes: u64,
}

/// Runs blocks from `start`, whose first fetch has been translated (its walk cycles, if any,
/// are in `m.acc_walk`; the dispatcher counted its step): see the module comment.
#[inline(always)]
pub(super) fn run_chain<const PLAIN: bool, const PAGING: bool>(
    cache: &mut Cache,
    m: &mut Machine,
    start: Start,
    limits: Limits,
) {
    let mut c = Chain::<PLAIN, PAGING>::new(cache, m, start, limits);
    // The op to run, as a pointer into `c.ops` (stepping a pointer is cheaper than indexing
    // 16-byte ops: x86 has no scale of 16). A local of this loop, not a field of the chain,
    // and the handlers are called here, not in a method: either way LLVM merges the handlers'
    // register writes into one tail with the step to the next op (+5-7% host instructions
    // per guest instruction: docs/perf.md, Issue 16 restructuring).
    let mut at = c.ops.as_ptr();
    loop {
        let op = c.op(at);
        let (vpage, end) = (c.vpage, c.end);
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
            c.ring,
            PAGING,
        );
        // After a fused pair, its second op is the op that ran last.
        at = stepped;
        let op = c.op(at);
        let op_pc = move || vpage | op.off as u32;
        // Either the chain goes on with the next op at once, or the pass ends and the run is
        // to go on at `next_pc` (`r` then says whether the chain must end: `EXIT`).
        let next_pc;
        if r == Fast::NEXT {
            at = at.wrapping_add(1);
            // A plain run goes on to the block's sentinel, which ends it (below).
            if PLAIN || at < c.end || c.past_cut(m, at) {
                continue;
            }
            next_pc = c.pc_after_cut(at, op);
        } else if r.is_jump() {
            // A taken branch or jump: the block goes on through a followed `jal`, and is left
            // anywhere else (a side exit, or its last op).
            c.dynamic = c.dynamic.wrapping_add(op.taken as i64 as u64);
            at = at.wrapping_add(1);
            if op.flags & block::FOLLOW != 0 && (PLAIN || at < c.end || c.past_cut(m, at)) {
                continue;
            }
            next_pc = c.jump_target(m, op, r);
        } else if r == Fast::WALKED {
            // A TLB refill on the fast path (it left the code page's entry alone): its walk
            // cycles join the dynamic ones; its A/D write or the store may have ended the block.
            c.dynamic += std::mem::take(&mut m.acc_walk) as u64;
            at = at.wrapping_add(1);
            if !m.block_exit {
                r = Fast::NEXT;
                if PLAIN || at < c.end {
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
        } else {
            let gate = matches!(op.handler, Handler::Callg | Handler::Retg);
            let go_on = if gate && m.trace_writes.is_none() {
                c.gate(m, at, op)
            } else {
                c.full(m, at, op)
            };
            match go_on {
                Some(next) => at = next,
                None => return,
            }
            continue;
        }
        // End of a pass (its ops ran: all of them, or up to a store into translated code).
        // The op that ran last is `op` (the sentinel is a copy of the block's last op, its
        // costs and loaded register included).
        let (cycles, retired) = c.pass_end_counts(at, op);
        let go_on = r != Fast::EXIT && c.whole();
        // Does the run stop at the next pc (a debugger breakpoint whose condition holds)?
        // Asked once, for both ways the chain could go on there.
        let stops = go_on && c.stops_at(m, next_pc, cycles, retired);
        if next_pc == c.pc && go_on && c.loops(cycles, retired) && !stops {
            c.next_pass(cycles, retired, op.load_dest());
            at = c.ops.as_ptr();
            continue;
        }
        c.block.run.count(c.passes, cycles - c.entered);
        // (`next_pc` is a multiple of 4: the fast path leaves a misaligned jump target to the
        // full path.)
        debug_assert_eq!(next_pc & 3, 0);
        if go_on
            && next_pc >> 12 == c.pc >> 12
            && !stops
            && c.chain_in_page(next_pc, cycles, retired, op.load_dest())
        {
            at = c.ops.as_ptr();
            continue;
        }
        c.leave(m, next_pc, cycles, retired, op.load_dest());
        return;
    }
}

impl<'c, 'l, const PLAIN: bool, const PAGING: bool> Chain<'c, 'l, PLAIN, PAGING> {
    /// A chain at `start`, the machine's counters as the dispatcher left them.
    #[inline(always)]
    fn new(cache: &'c mut Cache, m: &mut Machine, start: Start, limits: Limits<'l>) -> Self {
        let generation = cache.breakpoints.generation;
        let Cache {
            blocks,
            cuts,
            lookup,
            max_block_cost,
            ..
        } = cache;
        let blocks: &'c [Block] = blocks;
        let limits = Limits {
            filter: if PLAIN { None } else { limits.filter },
            ..limits
        };
        let idx = start.idx as usize;
        let block = &blocks[idx];
        let vpage = start.pc & !0xfff;
        let first_ops = if PLAIN {
            block.ops().len()
        } else {
            start.first_ops
        };
        let breakpoints = if PLAIN { &[] } else { limits.breakpoints };
        let ops = runnable_ops(block, cuts, idx, vpage, first_ops, breakpoints, generation);
        let step_offset = m.steps - 1 - m.cpu.retired;
        let first_stall = load_use_stall(block.first_sources, m.cpu.last_load);
        let dynamic = (first_stall + std::mem::take(&mut m.acc_walk)) as u64;
        Chain {
            blocks,
            cuts,
            lookup,
            generation,
            whole: PLAIN || start.whole,
            limits,
            roomy_cycles: limits.cycles.saturating_sub(*max_block_cost),
            roomy_retired: (limits.steps.saturating_sub(step_offset))
                .saturating_sub(translate::MAX_OPS as u64 + 1),
            step_offset,
            pc: start.pc,
            ring: start.ring,
            idx,
            block,
            vpage,
            ops,
            whole_ops: ops,
            end: ops.as_ptr().wrapping_add(ops.len()),
            code_slot: Tlb::slot(start.pc >> 12),
            pass_cycles: m.cpu.cycles,
            pass_retired: m.cpu.retired,
            dynamic,
            first_stall,
            hits_counted: m.cpu.retired,
            entered: m.cpu.cycles,
            passes: 1,
        }
    }

    /// The breakpoints the chain looks at: none in a plain run (which runs only in pages that
    /// hold none: `breaks::runs_plain`).
    #[inline(always)]
    fn breakpoints(&self) -> &'l [u32] {
        if PLAIN {
            &[]
        } else {
            self.limits.breakpoints
        }
    }

    /// Must a plain run stop short of `pc`, in a page that holds a breakpoint?
    #[inline(always)]
    fn plain_avoids(&self, pc: u32) -> bool {
        let all = self.limits.breakpoints;
        PLAIN && !all.is_empty() && page_holds_breakpoint(all, pc)
    }

    /// May blocks run whole (and be chained)?
    #[inline(always)]
    fn whole(&self) -> bool {
        PLAIN || self.whole
    }

    /// The op at `at`.
    #[inline(always)]
    fn op(&self, at: *const Op) -> &'c Op {
        debug_assert!(
            at >= self.ops.as_ptr()
                && (at < self.end || PLAIN && at == self.end)
                && self.end == self.ops.as_ptr().wrapping_add(self.ops.len())
        );
        // SAFETY: `at` points at an op of `ops` or, in a plain run, at the block's sentinel
        // (ops.as_ptr() <= at < end = ops.as_ptr() + ops.len(); or at == end with `ops` the
        // whole block, where `Block::new` put the sentinel, in the same allocation): it starts
        // at ops[0] (`ops` is never empty: blocks are not, and a cut run keeps at least one
        // op), and every step `at += 1` after which `run_chain` goes on is guarded by `at <
        // end` (the followed-jump case, and the `NEXT` and refill cases of a run that is not
        // plain) or by `i + 1 < ops.len()` (`full`); a plain run's `NEXT` and refill steps
        // reach at most the sentinel (it is never stepped past: it ends the pass); a fused
        // pair moves `at` to its second op (never the sentinel, and before `end` in a run
        // that is not plain); loop passes and chained blocks restart at their own ops[0] with
        // their own `end`. Measured: docs/perf.md, Engines, the `unsafe` paragraph.
        let op = unsafe { &*at };
        debug_assert_eq!(at == self.end, op.flags & block::SENTINEL != 0);
        op
    }

    /// The index of the op at `at` in `ops`.
    #[inline(always)]
    fn index(&self, at: *const Op) -> usize {
        (at as usize - self.ops.as_ptr() as usize) / std::mem::size_of::<Op>()
    }

    /// The virtual pc of `op` (computed only where it is used, not for every op).
    #[inline(always)]
    fn pc_of(&self, op: &Op) -> u32 {
        self.vpage | op.off as u32
    }

    /// Where a run cut short at `at` (a breakpoint, or one op only), after `op`, goes on: at
    /// the next op, which after a loop's inverted back edge is the loop's start, not the next
    /// word.
    #[inline(always)]
    fn pc_after_cut(&self, at: *const Op, op: &Op) -> u32 {
        match self.block.ops().get(self.index(at)) {
            Some(next) if !PLAIN => self.pc_of(next),
            _ => self.pc_of(op).wrapping_add(4),
        }
    }

    /// Where taken branch or jump `op` (with result `r`) leaves the block to.
    #[inline(always)]
    fn jump_target(&mut self, m: &Machine, op: &Op, r: Fast) -> u32 {
        if PLAIN && op.insn.rd & block::RETURNS_VIA != 0 {
            // A branch to a `ret` (`translate`): the `ret` runs too, unless its target is
            // misaligned (then it runs in its own block, and faults at the next fetch). Its
            // fetch hits this page (counted through the retired count); the block's limits
            // allowed for it (`Block::max_insns`, `worst_case`). Not in a run that is not
            // plain: a breakpoint or the step limit may fall on the `ret`.
            let to = m.cpu.regs[(op.insn.rd & 31) as usize];
            if to & 3 == 0 {
                self.dynamic += block::ret_cost() as u64;
                self.pass_retired += 1;
                return to;
            }
        }
        r.0
    }

    /// A run cut short before the op at `at`, at a debugger breakpoint: if the debugger's
    /// filter says the run does not stop there ([`filter_stops`], at that boundary's
    /// counters), the pass goes on to the next cut (returns true) instead of ending (no pass
    /// end, no block entry). Not in a run limited to its first ops (`whole` false).
    #[inline(always)]
    fn past_cut(&mut self, m: &mut Machine, at: *const Op) -> bool {
        let (block, i) = (self.block, self.index(at));
        let Some(next) = block.ops().get(i).filter(|_| self.whole()) else {
            return false;
        };
        let retired = self.pass_retired + i as u64;
        let cycles = (self.pass_cycles + next.cost_before as u64).wrapping_add(self.dynamic);
        let counts = (cycles, retired, retired + self.step_offset);
        if filter_stops(m, self.limits.filter, self.pc_of(next), counts) {
            return false;
        }
        let n = self.cuts[self.idx].after(i, block.ops().len());
        self.set_ops(&block.ops()[..n]);
        true
    }

    /// Runs `ops` (of the current block) in this pass from now on.
    #[inline(always)]
    fn set_ops(&mut self, ops: &'c [Op]) {
        self.ops = ops;
        self.end = ops.as_ptr().wrapping_add(ops.len());
    }

    /// The ops of the current block a whole pass runs: all of them, or up to its first cut.
    #[inline(always)]
    fn set_whole_ops(&mut self) {
        let (block, len) = (self.block, self.block.ops().len());
        let (idx, vpage) = (self.idx, self.vpage);
        let breakpoints = self.breakpoints();
        let ops = runnable_ops(
            block,
            self.cuts,
            idx,
            vpage,
            len,
            breakpoints,
            self.generation,
        );
        self.whole_ops = ops;
        self.set_ops(ops);
    }

    /// Can `b` run whole from (`cycles`, `retired`) before the limits? At once if every block
    /// can (the chain is far from them), else by its own worst case.
    #[inline(always)]
    fn fits(&self, cycles: u64, retired: u64, b: &Block) -> bool {
        (cycles < self.roomy_cycles && retired <= self.roomy_retired)
            || (cycles.saturating_add(b.max_cost) < self.limits.cycles
                && retired + self.step_offset + b.max_insns() <= self.limits.steps)
    }

    /// Is `b` for the JIT tier (hot, and not declined by it)? Then the chain ends before it.
    #[inline(always)]
    fn for_tier(&self, b: &Block) -> bool {
        self.tier_wants(b, 0)
    }

    /// Is `b`, run `passes` more times than its count says, for the JIT tier? (A loop that
    /// became hot in this chain leaves it, so that the tier can compile it.)
    #[inline(always)]
    fn tier_wants(&self, b: &Block, passes: u64) -> bool {
        // Not one the tier declined; one being compiled once its code is ready (the
        // dispatcher installs it).
        b.run.execs.get() + passes >= self.limits.hot && {
            let n = b.run.native.get();
            n < block::NATIVE_PENDING
                || n == block::NATIVE_PENDING && self.limits.ready.load(Ordering::Relaxed)
        }
    }

    /// Does the run stop at a breakpoint at `next` (its condition holding there), the
    /// machine's counters being (`cycles`, `retired`)?
    #[inline(always)]
    fn stops_at(&self, m: &mut Machine, next: u32, cycles: u64, retired: u64) -> bool {
        let (breakpoints, filter) = (self.breakpoints(), self.limits.filter);
        // The search in line: most boundaries a debugging chain meets are at no breakpoint.
        !breakpoints.is_empty()
            && breakpoints.contains(&next)
            && filter_stops(
                m,
                filter,
                next,
                (cycles, retired, retired + self.step_offset),
            )
    }

    /// Enters the current block (`block`, `idx`, `vpage` set) whole, with the counters at
    /// (`cycles`, `retired`) after an op that loaded `last_load`.
    #[inline(always)]
    fn enter_whole(&mut self, cycles: u64, retired: u64, last_load: u8) {
        self.set_whole_ops();
        self.pass_cycles = cycles;
        self.pass_retired = retired;
        self.first_stall = load_use_stall(self.block.first_sources, last_load);
        self.dynamic = self.first_stall as u64;
        self.entered = cycles;
        self.passes = 1;
    }

    /// Another pass through the current block (a loop), from (`cycles`, `retired`) after an
    /// op that loaded `last_load`. Its first fetch hits the same page (counted through
    /// `hits_counted`, like every later one).
    #[inline(always)]
    fn next_pass(&mut self, cycles: u64, retired: u64, last_load: u8) {
        self.passes += 1;
        self.pass_cycles = cycles;
        self.pass_retired = retired;
        // Op 0's load-use stall now depends on the op this pass ended with.
        self.first_stall = load_use_stall(self.block.first_sources, last_load);
        self.dynamic = self.first_stall as u64;
        if !PLAIN && !self.limits.breakpoints.is_empty() {
            // The pass may have gone on past its cuts (`past_cut`): the next starts at the
            // first one again.
            self.set_ops(self.whole_ops);
        }
    }

    /// Chains to the successor at `next_pc` in the same page, if it can run whole before the
    /// limits (returns whether it did): no device event can be due, and only full-path ops
    /// could have changed interrupts, the TLB or translated code (those that did ended the
    /// chain). Its first fetch hits the same code page (counted through `hits_counted`).
    #[inline(always)]
    fn chain_in_page(&mut self, next_pc: u32, cycles: u64, retired: u64, last_load: u8) -> bool {
        let succ = successor(
            self.blocks,
            self.lookup,
            self.block,
            next_pc,
            self.ring,
            PAGING,
        );
        match succ {
            Some((succ, next)) if self.fits(cycles, retired, next) && !self.for_tier(next) => {
                self.idx = succ as usize;
                self.block = next;
                self.pc = next_pc;
                self.enter_whole(cycles, retired, last_load);
                true
            }
            _ => false,
        }
    }

    /// The counters (cycles, retired) at the end of a pass whose last op is `done`, `at`
    /// the op after it. (Wrapping: after a loop's inverted back edge was taken, `dynamic` has
    /// had the taken penalty taken off again, below zero if nothing else was in it.)
    #[inline(always)]
    fn pass_end_counts(&self, at: *const Op, done: &Op) -> (u64, u64) {
        let i = self.index(at);
        debug_assert_eq!(done.cost_before, self.ops[i - 1].cost_before);
        let cycles = (self.pass_cycles + done.cost_before as u64 + done.base as u64)
            .wrapping_add(self.dynamic);
        (cycles, self.pass_retired + i as u64)
    }

    /// May the block run another pass from (`cycles`, `retired`): its whole length (not cut
    /// short by a breakpoint), before the limits?
    #[inline(always)]
    fn loops(&self, cycles: u64, retired: u64) -> bool {
        (PLAIN || self.ops.len() == self.block.ops().len())
            && self.fits(cycles, retired, self.block)
            && !self.tier_wants(self.block, self.passes)
    }

    /// Ends the chain at `next_pc` with the counters at (`cycles`, `retired`) after an op that
    /// loaded `last_load`: writes them to the machine.
    #[inline(always)]
    fn leave(&self, m: &mut Machine, next_pc: u32, cycles: u64, retired: u64, last_load: u8) {
        let counters = Counters {
            pc: next_pc,
            cycles,
            retired,
            last_load,
        };
        let hits = PAGING.then(|| retired - self.hits_counted - 1);
        counters.write_back(m, self.step_offset, hits);
    }

    /// A gate (`callg`, `retg`; `op`, the last op of its block): its semantics are the
    /// interpreter's (`Machine::callg`, `Machine::retg`), which read the cycle count (for the
    /// transition record) and nothing else the chain keeps in locals; it is retired here,
    /// like a fast-path op, and the chain goes on at its target (returns the op to go on
    /// with) or ends.
    #[inline(always)]
    fn gate(&mut self, m: &mut Machine, at: *const Op, op: &Op) -> Option<*const Op> {
        let i = self.index(at);
        debug_assert!(i + 1 == self.ops.len() && op.flags & block::PRIVILEGE_FAULT == 0);
        let gate_pc = self.pc_of(op);
        // Op 0: with its stall and walk.
        let before = self.pass_cycles + op.cost_before as u64 + self.dynamic;
        m.cpu.cycles = if i == 0 { self.pass_cycles } else { before };
        m.acc_walk = 0;
        let done = if op.handler == Handler::Callg {
            m.callg_paging(op.insn.imm as u32, gate_pc, PAGING)
        } else {
            m.retg_paging(PAGING)
        };
        let retired = self.pass_retired + i as u64 + 1;
        if PAGING {
            // The fetch hits up to the gate's.
            m.tlb.hits += retired - 1 - self.hits_counted;
        }
        if let Err(fault) = done {
            // Taken as the full path takes it: the machine at the state before the gate
            // (op 0's fetch walk is charged with the exception entry, as there).
            m.cpu.retired = retired - 1;
            m.steps = retired + self.step_offset;
            m.cpu.pc = gate_pc;
            if i == 0 {
                m.acc_walk += (self.dynamic - self.first_stall as u64) as u32;
            }
            m.take_fault(fault, gate_pc);
            let spent = m.cpu.cycles.saturating_sub(self.entered);
            self.block.run.count(self.passes, spent);
            return None;
        }
        let cycles = before + op.base as u64 + std::mem::take(&mut m.acc_walk) as u64;
        self.block.run.count(self.passes, cycles - self.entered);
        if self.chain_after_gate(m, cycles, retired) {
            return Some(self.ops.as_ptr());
        }
        let counters = Counters {
            pc: m.cpu.pc,
            cycles,
            retired,
            last_load: 0,
        };
        counters.write_back(m, self.step_offset, None);
        None
    }

    /// Chains to the block at the target of the gate just run, the counters at (`cycles`,
    /// `retired`); returns whether it did. After a gate (which leaves interrupts enabled or not
    /// as they were) the ring may differ and the target is usually in another page, so the
    /// successor is found through a fetch that must hit the TLB (counted, as the dispatcher's
    /// would be) and the lookup. Not after a frame written into translated code (the cache
    /// must drop it first), nor onto a breakpoint (nor, in a plain run, into a page that holds
    /// one).
    #[inline(always)]
    fn chain_after_gate(&mut self, m: &mut Machine, cycles: u64, retired: u64) -> bool {
        let next = m.cpu.pc;
        self.ring = m.cpu.ring();
        if !self.whole() || m.block_exit || self.stops_at(m, next, cycles, retired) {
            return false;
        }
        let Some(npa) = m.fast_ram_index(next, 4, Access::Exec, self.ring, PAGING) else {
            return false;
        };
        let target = (next, npa as u32);
        let (blocks, block) = (self.blocks, self.block);
        match gate_successor(blocks, self.lookup, block, target, self.ring, PAGING) {
            // A plain run looks at no breakpoint: it does not go on into a page that holds
            // one (the run loop looks at the target, and a new chain runs there as it must).
            Some((succ, b))
                if self.fits(cycles, retired, b)
                    && !self.for_tier(b)
                    && !self.plain_avoids(next) =>
            {
                self.idx = succ as usize;
                self.block = b;
                self.pc = next;
                self.vpage = next & !0xfff;
                self.code_slot = Tlb::slot(next >> 12);
                self.hits_counted = retired;
                self.enter_whole(cycles, retired, 0);
                true
            }
            _ => {
                if PAGING {
                    // The dispatcher will fetch it again and count that.
                    m.tlb.hits -= 1;
                }
                false
            }
        }
    }

    /// The full path for `op` (at `at`): brings the machine to the state before it, then
    /// runs it the way the interpreter does. The chain goes on after it (returns the op to go
    /// on with) unless it ended the block.
    #[inline(always)]
    fn full(&mut self, m: &mut Machine, at: *const Op, op: &Op) -> Option<*const Op> {
        let i = self.index(at);
        let retired = self.pass_retired + i as u64;
        m.cpu.retired = retired;
        m.steps = retired + self.step_offset + 1;
        m.cpu.pc = self.pc_of(op);
        let mut base = op.base as u32;
        m.begin_instruction();
        if i == 0 {
            m.cpu.cycles = self.pass_cycles;
            // complete() charges the stall through base and the fetch walk (first block,
            // first pass only) through acc_walk.
            base += self.first_stall;
            m.acc_walk = (self.dynamic - self.first_stall as u64) as u32;
        } else {
            m.cpu.cycles = self.pass_cycles + op.cost_before as u64 + self.dynamic;
            m.cpu.last_load = self.ops[i - 1].load_dest();
        }
        if PAGING {
            m.tlb.hits += retired - self.hits_counted;
        }
        self.hits_counted = retired;
        let code_entry = m.tlb.entries()[self.code_slot];
        let go_on = full_path(m, op, self.pc_of(op), base);
        let code_kept = !PAGING || m.tlb.entries()[self.code_slot] == code_entry;
        if go_on && code_kept && i + 1 < self.ops.len() {
            self.pass_cycles = m.cpu.cycles - self.ops[i + 1].cost_before as u64;
            self.pass_retired = m.cpu.retired - (i + 1) as u64;
            self.dynamic = 0;
            return Some(at.wrapping_add(1));
        }
        // The block ends here, the machine's state current. A reset (POWER.RESET) restarts
        // the clock mid-block: count nothing then.
        let spent = m.cpu.cycles.saturating_sub(self.entered);
        self.block.run.count(self.passes, spent);
        None
    }
}

/// Runs op (at `op_pc`, charging `base`) the way the interpreter does, the machine having been
/// brought to the state just before it. Returns whether the block may go on after it (no
/// exception, no stop, nothing that ends a block). Out of line: it is rare, and keeping it
/// out of the op loop leaves that loop its registers.
#[inline(never)]
fn full_path(m: &mut Machine, op: &Op, op_pc: u32, base: u32) -> bool {
    let delivered = m.delivered;
    m.block_exit = false;
    if op.flags & block::PRIVILEGE_FAULT != 0 {
        m.take_fault(Fault::new(vector::PRIVILEGE, op_pc), op_pc);
    } else {
        m.complete(&op.insn, op_pc, base, op.load_dest());
    }
    !(m.block_exit || m.delivered != delivered || m.stop.is_some())
}
