//! Debugger breakpoints in the chain loop: which chains must look at them at all
//! ([`runs_plain`]), where a block's run is cut short before one ([`runnable_ops`], remembered
//! per block in [`Cut`]s), and whether a breakpoint's condition stops the run there
//! ([`filter_stops`]).

use super::block::{self, Block};
use super::cache::{Breakpoints, Cut};
use crate::engine::BreakFilter;
use crate::machine::Machine;

/// May the chain from `pc` run on the plain copy of the chain loop, the one that looks at no
/// breakpoint? Only if its first block may run whole (`whole`), and no breakpoint is set
/// (`breakpoints`, the run's list) or none is in the virtual page of `pc` (`set`, the same
/// list's pages). That is exact because a chain stays in its first block's page — blocks and
/// their same-page successors are in one page — except after a gate, where the plain copy
/// does not chain into a page that holds a breakpoint (`Chain::chain_after_gate`); wherever a
/// chain ends, the run loop looks at the pc (`Budget::exhausted`). So a breakpoint in code
/// that does not run costs a run nothing but this test at each dispatch.
#[inline(always)]
pub(super) fn runs_plain(whole: bool, breakpoints: &[u32], set: &mut Breakpoints, pc: u32) -> bool {
    whole && (breakpoints.is_empty() || !in_break_page(set, pc))
}

/// Is `pc` in a page that holds a breakpoint (counted in
/// [`Breakpoints::chains_in_break_pages`])? Out of line: only debugging runs ask.
#[inline(never)]
fn in_break_page(set: &mut Breakpoints, pc: u32) -> bool {
    let held = set.in_page(pc);
    set.chains_in_break_pages += held as u64;
    held
}

/// Is one of `breakpoints` in the virtual page of `pc`? (A plain run does not chain into such
/// a page after a gate.) Out of line: only debugging runs ask.
#[inline(never)]
pub(super) fn page_holds_breakpoint(breakpoints: &[u32], pc: u32) -> bool {
    breakpoints.iter().any(|&b| (b ^ pc) >> 12 == 0)
}

/// Does the run stop at `next`, a boundary at a debugger breakpoint where the machine would
/// have these counters? Only if the breakpoint's filter (its condition) holds there, as
/// `Budget::exhausted` decides at the same boundary: to ask the filter, the machine is given
/// what a condition can read (pc, cycles, retired and step counts; registers and memory are
/// current). A breakpoint whose condition is false then costs no return to the run loop.
/// Asked at a block cut before a breakpoint, and where a chain would go on at one
/// (`Chain::stops_at`, which searches the list in line). Out of line: only debugging runs ask.
#[cold]
#[inline(never)]
pub(super) fn filter_stops(
    m: &mut Machine,
    filter: Option<BreakFilter>,
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
pub(super) fn runnable_ops<'b>(
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
