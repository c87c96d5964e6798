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
mod breaks;
pub mod cache;
mod chain;
pub mod translate;

use super::{Budget, Engine};
use crate::fault::Fault;
use crate::machine::{Exit, Machine};
use block::Block;
use cache::{key, Cache};
use chain::{run_chain, Limits, Start};
use isa_spec::cr::vector;

/// The threaded-code engine.
#[derive(Default)]
pub struct Threaded {
    /// Translated blocks and their execution counts.
    pub cache: Cache,
    /// The JIT tier, if this engine has one: hot blocks run as host code (`--engine jit`).
    #[cfg(feature = "jit")]
    pub jit: Option<Box<super::jit::Jit>>,
    /// The JIT tier's flag that compiled code is waiting to be installed (never set without
    /// a tier).
    tier_ready: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Threaded {
    /// An engine with an empty cache.
    pub fn new() -> Threaded {
        Threaded::default()
    }

    /// An engine with a JIT tier ([`super::jit`]), or why the host has none.
    #[cfg(feature = "jit")]
    pub fn with_jit(config: super::jit::JitConfig) -> Result<Threaded, String> {
        let jit = super::jit::Jit::new(config)?;
        Ok(Threaded {
            tier_ready: jit.ready().clone(),
            jit: Some(Box::new(jit)),
            ..Threaded::default()
        })
    }

    /// The run count from which blocks go to the JIT tier (`u64::MAX` without one, or while
    /// it cannot run: the debugger watches memory, or writes are traced).
    #[inline(always)]
    fn tier_threshold(&self, m: &Machine) -> u64 {
        #[cfg(feature = "jit")]
        if let Some(jit) = self.jit.as_ref().filter(|j| j.active(m)) {
            return jit.config.threshold;
        }
        let _ = m;
        u64::MAX
    }

    /// Where a chain must end so that the dispatcher sees the JIT tier's warm-up pass (a loop
    /// entered before it would otherwise never leave the threaded chain): the step count at
    /// which at least the instructions still to warm up have retired; no limit otherwise.
    #[inline(always)]
    fn tier_warm_steps(&self, m: &Machine) -> u64 {
        #[cfg(feature = "jit")]
        if let Some(jit) = self.jit.as_ref() {
            return jit.warm_steps(m);
        }
        let _ = m;
        u64::MAX
    }

    /// Does this engine have a JIT tier?
    pub fn has_jit(&self) -> bool {
        #[cfg(feature = "jit")]
        return self.jit.is_some();
        #[cfg(not(feature = "jit"))]
        false
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
            steps: budget.max_steps.min(self.tier_warm_steps(m)),
            breakpoints: budget.breakpoints,
            filter: budget.break_filter,
            hot: self.tier_threshold(m),
            ready: &self.tier_ready,
        };
        // The common case, a whole block with no breakpoints set in its page, has its own copy
        // of the chain loop with those tests folded away (fewer live values: fewer spills).
        let plain = breaks::runs_plain(whole, budget.breakpoints, &mut self.cache.breakpoints, pc);
        // The JIT tier runs a block that fits whole; in a page with breakpoints, its variant
        // that stops at them.
        #[cfg(feature = "jit")]
        if let Some(jit) = self.jit.as_deref_mut().filter(|_| whole) {
            let (max_steps, cache) = (budget.max_steps, &mut self.cache);
            let breaks = (!plain).then_some((budget.breakpoints, budget.break_checks));
            if jit.try_run(cache, idx, m, pc, ring, paging, limit, max_steps, breaks) {
                return;
            }
        }
        match (paging, plain) {
            // run_chain::<PLAIN, PAGING>
            (true, true) => run_chain::<true, true>(&mut self.cache, m, start, limits),
            (true, false) => run_chain::<false, true>(&mut self.cache, m, start, limits),
            (false, true) => run_chain::<true, false>(&mut self.cache, m, start, limits),
            (false, false) => run_chain::<false, false>(&mut self.cache, m, start, limits),
        }
    }
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
        if self.has_jit() {
            "jit"
        } else {
            "threaded"
        }
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
                native: self.cache.native_at(pc),
            })
            .collect()
    }

    fn tier_report(&self) -> Option<String> {
        #[cfg(feature = "jit")]
        return self.jit.as_ref().map(|j| j.report());
        #[cfg(not(feature = "jit"))]
        None
    }

    fn run(&mut self, m: &mut Machine, budget: Budget) -> Exit {
        m.wait_limit = budget.max_cycles;
        if !budget.breakpoints.is_empty() {
            self.cache.breakpoints.update(budget.breakpoints);
            #[cfg(feature = "jit")]
            if let Some(jit) = self.jit.as_deref_mut() {
                jit.breakpoints(budget.breakpoints, budget.break_checks);
            }
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
