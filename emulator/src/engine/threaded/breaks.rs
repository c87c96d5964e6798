//! Debugger breakpoints in the chain loop: where a block's run is cut short before one
//! ([`runnable_ops`], remembered per block in [`Cut`]s), and whether a breakpoint's condition
//! stops the run there ([`stops_at`], [`filter_stops`]).

use super::block::{self, Block};
use super::cache::Cut;
use crate::engine::BreakFilter;
use crate::machine::Machine;

/// Does the chain stop at `next` (a boundary where the machine would have these counters)?
/// Only at a debugger breakpoint whose filter (its condition) holds there, as
/// `Budget::exhausted` decides at the same boundary: to ask the filter, the machine is given
/// what a condition can read (pc, cycles, retired and step counts; registers and memory are
/// current). A breakpoint whose condition is false then costs no return to the run loop.
/// Out of line: only debugging runs ask.
#[cold]
#[inline(never)]
pub(super) fn stops_at(
    m: &mut Machine,
    breakpoints: &[u32],
    filter: Option<BreakFilter>,
    next: u32,
    counts: (u64, u64, u64),
) -> bool {
    breakpoints.contains(&next) && filter_stops(m, filter, next, counts)
}

/// [`stops_at`] for a boundary known to be at a breakpoint (a block cut before one).
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
