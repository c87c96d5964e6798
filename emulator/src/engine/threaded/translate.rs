//! The translator: decodes a block starting at a physical address, once.

use super::block::{Block, Op};
use crate::machine::Machine;
use isa_spec::cost::{LOAD_USE_STALL, MMIO_LATENCY, TAKEN_PENALTY, TLB_WALK};
use isa_spec::{decode, Kind};

/// Longest block, in instructions.
pub const MAX_OPS: usize = 128;

/// Does this instruction end a block? Control transfers, gates, traps, and every system
/// instruction (they change rings, the TLB, control registers, or stop the clock).
pub fn ends_block(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Branch | Kind::Jump | Kind::Gate | Kind::Trap | Kind::System
    )
}

/// Worst-case cycles one instruction can take: base, stall, taken penalty, a fetch walk,
/// a data walk, a device access.
fn worst_case(op: &Op) -> u64 {
    let mem = matches!(
        op.insn.op.info().kind,
        Kind::Load | Kind::Store | Kind::Atomic
    );
    (op.base + LOAD_USE_STALL + TAKEN_PENALTY + TLB_WALK) as u64
        + if mem {
            (TLB_WALK + MMIO_LATENCY) as u64
        } else {
            0
        }
}

/// Translates the block at physical `pa` (virtual `pc`) for `ring`. `None` when the first word
/// is not an instruction or not fetchable: the engine then takes that one step the slow way.
pub fn translate(m: &Machine, pa: u32, pc: u32, ring: u8) -> Option<Block> {
    let mut ops: Vec<Op> = Vec::new();
    let mut addr = pa;
    let mut prev_load = 0u8;
    let mut cost_before = 0u32;
    while let Some(insn) = m.fetch_word(addr, pc).ok().and_then(|w| decode(w).ok()) {
        let info = insn.op.info();
        let stall = if !ops.is_empty() && prev_load != 0 && insn.sources().contains(&prev_load) {
            LOAD_USE_STALL
        } else {
            0
        };
        let load_dest = if info.kind == Kind::Load { insn.rd } else { 0 };
        ops.push(Op {
            insn,
            base: info.cycles + stall,
            cost_before,
            load_dest,
            privilege_fault: info.privileged && ring != 0,
        });
        cost_before += info.cycles + stall;
        prev_load = if info.kind == Kind::Load { insn.rd } else { 0 };
        addr = addr.wrapping_add(4);
        if ends_block(info.kind) || addr & 0xfff == 0 || ops.len() >= MAX_OPS {
            break;
        }
    }
    if ops.is_empty() {
        return None;
    }
    let max_cost = ops.iter().map(worst_case).sum();
    let first_sources = ops[0]
        .insn
        .sources()
        .iter()
        .fold(0u32, |mask, &r| mask | (1 << r));
    Some(Block {
        pa,
        pc,
        ops,
        max_cost,
        valid: true,
        // r0 never stalls (a load into r0 leaves last_load = 0).
        first_sources: first_sources & !1,
        next: [(u32::MAX, 0); 2],
        execs: 0,
        cycles: 0,
    })
}
