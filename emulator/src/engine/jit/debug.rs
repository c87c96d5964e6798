//! Compiled code under debugger breakpoints: for a hot block in a page that holds one, a
//! variant of its function that leaves before each breakpoint whose condition holds — tested
//! in host code when it is `$reg OP constant` (`Budget::break_checks`), else always, so that
//! the debugger's filter decides on the threaded engine. A false condition then costs a
//! compare, not a return to the dispatcher: `continue` with conditional breakpoints in a hot
//! loop keeps most of the compiled speed.
//!
//! Only blocks with a breakpoint at one of their instructions need one: the others run their
//! ordinary compiled code (the chain looks at breakpoints where blocks start). Variants are
//! compiled in line (a debugging session makes few), in a code cache of their own, and
//! dropped together when the run's breakpoint list or checks change, or the cache fills.

use super::code_cache::CodeCache;
use super::compile::{BreakAt, Segment};
use super::ctx::NativeFn;
use super::JitStats;
use crate::engine::threaded::cache::Cache;
use crate::engine::BreakCheck;
use std::time::Instant;

/// What runs a block under breakpoints.
#[derive(Clone, Copy)]
pub(super) enum Variant {
    /// No breakpoint is at any of its instructions: its ordinary compiled code (the chain
    /// looks at the breakpoints where blocks start).
    Ordinary,
    /// Its variant (`None`: declined, the threaded engine runs it).
    Compiled(Option<NativeFn>),
}

/// The variants for one breakpoint list.
pub(super) struct DebugCode {
    /// The breakpoints the variants are for.
    breakpoints: Vec<u32>,
    /// Their conditions compiled code tests.
    checks: Vec<(u32, BreakCheck)>,
    /// By block index (as long as the block cache, which is bounded): the block's serial,
    /// the virtual page it was looked at for and what runs it. Looked at for every block a
    /// debugging run chains to: an index, not a hash.
    variants: Vec<Option<(u64, u32, Variant)>>,
    /// Where variants are compiled (made at the first).
    code: Option<Box<CodeCache>>,
    /// The code cache's size limit.
    limit: usize,
}

impl DebugCode {
    /// None yet; at most `limit` bytes of host code.
    pub fn new(limit: usize) -> DebugCode {
        DebugCode {
            breakpoints: Vec::new(),
            checks: Vec::new(),
            variants: Vec::new(),
            code: None,
            limit,
        }
    }

    /// Takes the run's breakpoints and checks: the variants go if they changed.
    pub fn update(&mut self, breakpoints: &[u32], checks: &[(u32, BreakCheck)]) {
        if self.breakpoints != breakpoints || self.checks != checks {
            self.breakpoints = breakpoints.to_vec();
            self.checks = checks.to_vec();
            self.drop_all();
        }
    }

    /// Drops every variant and frees their code.
    pub fn drop_all(&mut self) {
        self.variants.clear();
        if let Some(code) = &mut self.code {
            // SAFETY: no pointer to the cache's functions is kept (the map was just cleared,
            // and the runtime holds one only during a run, which is not now).
            unsafe { code.flush() };
        }
    }

    /// What runs block `idx` of serial `serial` at virtual page `vpage`, if that is known.
    #[inline(always)]
    pub fn known(&self, idx: usize, serial: u64, vpage: u32) -> Option<Variant> {
        match self.variants.get(idx) {
            Some(&Some((s, page, v))) if s == serial && page == vpage => Some(v),
            _ => None,
        }
    }

    /// Does the run go on at `pc` with registers `regs`, as far as compiled code can tell?
    /// True when no breakpoint is there, or every condition there is a check that fails.
    #[inline(always)]
    pub fn passes(&self, pc: u32, regs: &[u32; 32]) -> bool {
        if !self.breakpoints.contains(&pc) {
            return true;
        }
        let mut checks = self.checks.iter().filter(|c| c.0 == pc).peekable();
        checks.peek().is_some() && checks.all(|(_, c)| !c.holds(regs[c.reg as usize & 31]))
    }

    /// The breakpoints among `ops` offsets (page `vpage`), as compiled code sees them.
    fn breaks_of(&self, offs: impl Iterator<Item = u32>, vpage: u32) -> Vec<BreakAt> {
        offs.enumerate()
            .filter(|&(_, off)| self.breakpoints.contains(&(vpage | off)))
            .map(|(op, off)| {
                let pc = vpage | off;
                let checks: Vec<BreakCheck> = self
                    .checks
                    .iter()
                    .filter(|c| c.0 == pc)
                    .map(|c| c.1)
                    .collect();
                BreakAt {
                    op,
                    checks: (!checks.is_empty()).then_some(checks),
                }
            })
            .collect()
    }

    /// What runs block `idx` (virtual page `vpage`, paging `paging`, `ring`): its ordinary
    /// code if no breakpoint is at its instructions, else its variant, compiled now if the
    /// block is hot (`threshold` runs) and has none (`None`: not yet).
    #[allow(clippy::too_many_arguments)]
    pub fn variant(
        &mut self,
        cache: &Cache,
        idx: usize,
        vpage: u32,
        paging: bool,
        ring: u8,
        threshold: u64,
        stats: &mut JitStats,
    ) -> Option<Variant> {
        let block = &cache.blocks[idx];
        if let Some(v) = self.known(idx, block.serial, vpage) {
            return Some(v);
        }
        if self.variants.len() < cache.blocks.len() {
            self.variants.resize(cache.blocks.len(), None);
        }
        let breaks = self.breaks_of(block.ops().iter().map(|op| op.off as u32), vpage);
        if breaks.is_empty() {
            let v = Variant::Ordinary;
            self.variants[idx] = Some((block.serial, vpage, v));
            return Some(v);
        }
        if block.run.execs.get() < threshold {
            return None;
        }
        if self.code.as_ref().is_some_and(|c| c.is_full()) {
            self.drop_all();
        }
        if self.code.is_none() {
            self.code = Some(Box::new(CodeCache::new(self.limit).ok()?));
        }
        let code = self.code.as_mut()?;
        let start = Instant::now();
        let f = code
            .compile(
                &[Segment {
                    block,
                    idx,
                    vpage,
                    ring,
                }],
                paging,
                &breaks,
            )
            .ok()
            .flatten();
        stats.translate_ns += start.elapsed().as_nanos() as u64;
        stats.debug_variants += 1;
        let v = Variant::Compiled(f);
        self.variants[idx] = Some((block.serial, vpage, v));
        Some(v)
    }
}
