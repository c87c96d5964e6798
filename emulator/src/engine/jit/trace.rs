//! Traces: a hot block too short to compile alone (fewer than `MIN_OPS` instructions before
//! one it would leave to the threaded engine: typically a gate's neighbours) compiled together
//! with the blocks it leads to, in a cycle back to it, as one function — so that a loop
//! through a call gate (`callg`, the service's few instructions, `retg`, the caller's loop)
//! runs in host code without a dispatch between its blocks.
//!
//! A trace is found from the links the threaded chain left: after a block that ends in a
//! gate, its gate link (where the gate last went: pc, ring and block); after any other, a
//! successor in its page at its branch's target or the next word (its page link, or the
//! lookup). Compiled code does not trust them: at run time the gate helper goes on only if
//! the gate went to the block expected (its fetch a permitted TLB hit at that block's address,
//! the block valid), and an in-page exit only if it goes to the next block's start (in one
//! page, valid with the block it leaves); anything else leaves the trace at that boundary.
//! Blocks in a ring other than the first's make no data accesses (the host TLB holds one
//! ring's permissions).

use super::compile::{compiled, is_gate};
use crate::engine::threaded::block::{Block, Op, LINKS};
use crate::engine::threaded::cache::{key, Cache};
use isa_spec::Kind;

/// Blocks a trace holds at most.
const MAX_BLOCKS: usize = 4;

/// A block of a trace: its index in the threaded cache, its virtual page and its ring.
pub(super) type Link = (usize, u32, u8);

/// The trace from block `head` (at virtual page `vpage`, in `ring`, paging `paging`): its
/// blocks in order, `head` first, through at least one gate and back to `head`; `None` if
/// the links show none.
pub(super) fn find(
    cache: &Cache,
    head: usize,
    vpage: u32,
    ring: u8,
    paging: bool,
) -> Option<Vec<Link>> {
    let mut trace = vec![(head, vpage, ring)];
    search(cache, &mut trace, paging).then_some(trace)
}

/// Extends `trace` (a path from its head) to a cycle back to the head through at least one
/// gate, depth first; returns whether it found one (`trace` is then it).
fn search(cache: &Cache, trace: &mut Vec<Link>, paging: bool) -> bool {
    let (idx, vpage, ring) = trace[trace.len() - 1];
    let block = &cache.blocks[idx];
    let head_ring = trace[0].2;
    // Every instruction runs in host code (a gate at the end through the helper).
    let runs = |op: &Op| compiled(op) && (ring == head_ring || !accesses_memory(op));
    let Some((last, rest)) = block.ops().split_last() else {
        return false;
    };
    if !rest.iter().all(runs) {
        return false;
    }
    let mut next = Vec::with_capacity(2);
    if is_gate(last) {
        let (tag, n) = block.run.gate_link.get();
        let (pc, ring) = (tag & !3, (tag & 3) as u8);
        let linked = cache.blocks.get(n as usize);
        if linked.is_some_and(|b| b.valid && b.ops()[0].off as u32 == pc & 0xfff) {
            next.push((n as usize, pc & !0xfff, ring));
        }
    } else if runs(last) {
        let pc = vpage | last.off as u32;
        let targets = [branch_target(last, pc), Some(pc.wrapping_add(4))];
        for to in targets.into_iter().flatten() {
            if to & !0xfff == vpage {
                if let Some(n) = in_page(cache, block, to, ring, paging) {
                    next.push((n, vpage, ring));
                }
            }
        }
    }
    for link in next {
        if link.0 == trace[0].0 && link.2 == head_ring {
            // Back at the head: a trace if a gate is on the way.
            let gated = trace.iter().any(|&(i, ..)| {
                let ops = cache.blocks[i].ops();
                is_gate(&ops[ops.len() - 1])
            });
            if gated {
                return true;
            }
            continue;
        }
        if trace.len() == MAX_BLOCKS || trace.iter().any(|l| l.0 == link.0) {
            continue;
        }
        trace.push(link);
        if search(cache, trace, paging) {
            return true;
        }
        trace.pop();
    }
    false
}

/// Does `op` load or store?
fn accesses_memory(op: &Op) -> bool {
    matches!(op.insn.op.info().kind, Kind::Load | Kind::Store)
}

/// Where branch or `jal` `op` at `pc` goes when taken (`None`: not one, or `jalr`).
fn branch_target(op: &Op, pc: u32) -> Option<u32> {
    let kind = op.insn.op.info().kind;
    let direct = kind == Kind::Branch || op.insn.op == isa_spec::Opcode::Jal;
    direct.then(|| pc.wrapping_add(op.insn.imm as u32) & !3)
}

/// The valid block at `pc` in `block`'s page (run in `ring`): its link, else the lookup.
fn in_page(cache: &Cache, block: &Block, pc: u32, ring: u8, paging: bool) -> Option<usize> {
    let (link_pc, n) = block.run.links[(pc >> 2) as usize % LINKS].get();
    if link_pc == pc && cache.blocks.get(n as usize).is_some_and(|b| b.valid) {
        return Some(n as usize);
    }
    let n = cache
        .lookup
        .peek(key((block.pa & !0xfff) | (pc & 0xfff), ring, paging))?;
    Some(n as usize).filter(|&n| cache.blocks[n].valid)
}
