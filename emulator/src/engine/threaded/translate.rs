//! The translator: decodes a block starting at a physical address, once.

use super::block::{Block, Op};
use crate::machine::Machine;
use isa_spec::cost::{LOAD_USE_STALL, MMIO_LATENCY, TAKEN_PENALTY, TLB_WALK};
use isa_spec::{decode, Kind, Opcode};

/// Longest block, in instructions.
pub const MAX_OPS: usize = 64;

/// Does this instruction end a block (unless [`translate`] follows it: a conditional
/// branch's not-taken path, a `jal` inside the page)? Control transfers, gates, traps, and
/// every system instruction (they change rings, the TLB, control registers, or stop the clock).
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
    (op.base as u32 + LOAD_USE_STALL + TAKEN_PENALTY + TLB_WALK) as u64
        + if mem {
            (TLB_WALK + MMIO_LATENCY) as u64
        } else {
            0
        }
}

/// The code page at physical `page_pa`, from RAM or the boot ROM (`None` elsewhere: fetching
/// there is a bus error, which the engine's single-step path reports). Shorter than a page
/// where RAM or ROM ends.
fn code_page(m: &Machine, page_pa: u32) -> Option<&[u8]> {
    let start = page_pa as usize;
    if start < m.ram.len() {
        return Some(&m.ram[start..(start + 0x1000).min(m.ram.len())]);
    }
    let rom_off = page_pa.checked_sub(isa_spec::cr::memmap::ROM_BASE)? as usize;
    m.rom
        .get(rom_off..(rom_off + 0x1000).min(m.rom.len()))
        .filter(|b| !b.is_empty())
}

/// Translates the block at physical `pa` (virtual `pc`) for `ring`. `None` when the first word
/// is not an instruction or not fetchable: the engine then takes that one step the slow way.
///
/// The block is a superblock: it continues past conditional branches (the not-taken path;
/// a taken branch leaves the block) and through `jal`s whose target is in the same page
/// (the block's ops then jump too; each op carries its page offset). It ends at anything else
/// that transfers control or may change how later code runs, at the page's end, at
/// [`MAX_OPS`], and at a jump back to its own start (the engine runs such a loop again
/// without a dispatch).
pub fn translate(m: &Machine, pa: u32, pc: u32, ring: u8) -> Option<Block> {
    let code = code_page(m, pa & !0xfff)?;
    let start = (pa & 0xfff) as usize;
    let mut off = start;
    let mut ops: Vec<Op> = Vec::with_capacity(16);
    let mut prev_load = 0u8;
    let mut cost_before = 0u32;
    let mut max_cost = 0u64;
    while let Some(word) = code.get(off..off + 4) {
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
        // Where the block goes on after this op, if it does.
        let next = match info.kind {
            Kind::Branch => Some(off + 4),
            Kind::Jump if insn.op == Opcode::Jal => {
                let target = (off as i64).wrapping_add(insn.imm as i64);
                (target & 3 == 0 && (0..0x1000).contains(&target) && target as usize != start)
                    .then_some(target as usize)
            }
            k if ends_block(k) => None,
            _ => Some(off + 4),
        };
        let op = Op {
            insn,
            base: (info.cycles + stall) as u8,
            cost_before: cost_before as u16,
            load_dest,
            privilege_fault: info.privileged && ring != 0,
            off: off as u16,
            follow: info.kind == Kind::Jump && next.is_some(),
        };
        max_cost += worst_case(&op);
        ops.push(op);
        cost_before += info.cycles + stall;
        prev_load = load_dest;
        match next {
            Some(n) if ops.len() < MAX_OPS => off = n,
            _ => break,
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
    let consecutive = ops.windows(2).all(|w| w[1].off == w[0].off + 4);
    Some(Block {
        pa,
        pc,
        consecutive,
        ops,
        max_cost,
        valid: true,
        // r0 never stalls (a load into r0 leaves last_load = 0).
        first_sources: first_sources & !1,
    })
}
