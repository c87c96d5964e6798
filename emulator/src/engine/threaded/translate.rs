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

/// Up to `len` bytes of code at physical `pa`, from RAM or the boot ROM (`None` elsewhere:
/// fetching there is a bus error, which the engine's single-step path reports).
fn code_bytes(m: &Machine, pa: u32, len: usize) -> Option<&[u8]> {
    let start = pa as usize;
    if let Some(b) = m.ram.get(start..start + len) {
        return Some(b);
    }
    let rom_off = pa.checked_sub(isa_spec::cr::memmap::ROM_BASE)? as usize;
    m.rom
        .get(rom_off..(rom_off + len).min(m.rom.len()))
        .filter(|b| !b.is_empty())
}

/// Translates the block at physical `pa` (virtual `pc`) for `ring`. `None` when the first word
/// is not an instruction or not fetchable: the engine then takes that one step the slow way.
pub fn translate(m: &Machine, pa: u32, pc: u32, ring: u8) -> Option<Block> {
    // The rest of the page, read straight from RAM or ROM (a block never leaves its page).
    let page_left = (0x1000 - (pa & 0xfff)) as usize;
    let code = code_bytes(m, pa, page_left)?;
    let mut ops: Vec<Op> = Vec::with_capacity((page_left / 4).min(MAX_OPS));
    let mut prev_load = 0u8;
    let mut cost_before = 0u32;
    let mut max_cost = 0u64;
    for word in code.chunks_exact(4) {
        let Ok(insn) = decode(u32::from_le_bytes([word[0], word[1], word[2], word[3]])) else {
            break;
        };
        let info = insn.op.info();
        let stall = if !ops.is_empty() && prev_load != 0 && insn.sources().contains(&prev_load) {
            LOAD_USE_STALL
        } else {
            0
        };
        let load_dest = if info.kind == Kind::Load { insn.rd } else { 0 };
        let op = Op {
            insn,
            base: info.cycles + stall,
            cost_before,
            load_dest,
            privilege_fault: info.privileged && ring != 0,
        };
        max_cost += worst_case(&op);
        ops.push(op);
        cost_before += info.cycles + stall;
        prev_load = load_dest;
        if ends_block(info.kind) || ops.len() >= MAX_OPS {
            break;
        }
    }
    if ops.is_empty() {
        return None;
    }
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
