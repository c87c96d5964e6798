//! The translator: decodes a block starting at a physical address, once.

use super::block::{ret_cost, Block, Op, FOLLOW, PRIVILEGE_FAULT, RETURNS_VIA};
use crate::exec::fast::Handler;
use crate::exec::{load_dest, load_use_stall};
use crate::machine::Machine;
use isa_spec::cost::{LOAD_USE_STALL, MMIO_LATENCY, TAKEN_PENALTY, TLB_WALK};
use isa_spec::{decode, Insn, Kind, Opcode};

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

/// Cycles a block may take beyond its ops' [`worst_case`]s: the first op's fetch walk (every
/// later fetch hits the same code page's entry, or the block ends) and its load-use stall
/// (every later stall is in the ops' static costs).
pub const BLOCK_ENTRY_WORST: u64 = (TLB_WALK + LOAD_USE_STALL) as u64;

/// Worst-case cycles of one op inside a block: its static cost, the taken penalty if it can
/// jump, and a data walk and a device latency if it accesses memory. Nothing else can add
/// cycles before a later op of the block: an exception, a gate, a device access or a system
/// instruction ends the block (its own cost then only delays the next boundary check).
pub fn worst_case(op: &Op) -> u64 {
    let extra = match op.insn.op.info().kind {
        Kind::Load | Kind::Store | Kind::Atomic => TLB_WALK + MMIO_LATENCY,
        Kind::Branch if op.insn.rd & RETURNS_VIA != 0 => op.taken.max(0) as u32 + ret_cost(),
        Kind::Branch | Kind::Jump => op.taken.max(0) as u32,
        _ => 0,
    };
    (op.base as u32 + extra) as u64
}

/// The code page at physical `page_pa`, from RAM or the boot ROM (`None` elsewhere: fetching
/// there is a bus error, which the engine's single-step path reports). Shorter than a page
/// where RAM or ROM ends.
fn code_page(m: &Machine, page_pa: u32) -> Option<&[u8]> {
    let start = page_pa as usize;
    let ram = m.ram();
    if start < ram.len() {
        return ram.bytes_in_chunk(page_pa, 0x1000.min(ram.len() - start));
    }
    let rom_off = page_pa.checked_sub(isa_spec::cr::memmap::ROM_BASE)? as usize;
    m.rom
        .get(rom_off..(rom_off + 0x1000).min(m.rom.len()))
        .filter(|b| !b.is_empty())
}

/// The instruction at page offset `off` of `code`, if the word there is one.
fn decode_at(code: &[u8], off: i64) -> Option<Insn> {
    let at = usize::try_from(off).ok().filter(|t| t % 4 == 0)?;
    let w = code.get(at..at + 4)?;
    decode(u32::from_le_bytes([w[0], w[1], w[2], w[3]])).ok()
}

/// The register a `ret` at page offset `target` returns through (`jalr x0, 0(r)`, r not 0),
/// if there is one: a branch there is marked [`RETURNS_VIA`].
fn returns_at(code: &[u8], target: i64) -> Option<u8> {
    let insn = decode_at(code, target)?;
    (insn.op == Opcode::Jalr && insn.rd == 0 && insn.imm == 0 && insn.rs1 != 0).then_some(insn.rs1)
}

/// A loop back to a block's start whose body is short is laid out several times over in the
/// block (unrolled), up to this many ops: most of its iterations then go on to the next op
/// instead of ending a pass. As long as a block may be (32 measured 2–4% more host
/// instructions on the loop kernels, docs/perf.md).
pub const UNROLL_OPS: usize = MAX_OPS;

/// Translates the block at physical `pa` (virtual `pc`) for `ring`. `None` when the first word
/// is not an instruction or not fetchable: the engine then takes that one step the slow way.
///
/// The block is a superblock: it continues past conditional branches (the not-taken path;
/// a taken branch leaves the block) and through `jal`s whose target is in the same page
/// (the block's ops then jump too; each op carries its page offset). It ends at anything else
/// that transfers control or may change how later code runs, at the page's end, at
/// [`MAX_OPS`], and at a jump back to its own start (the engine runs such a loop again
/// without a dispatch).
///
/// A conditional branch back to the block's start (a loop) is laid out straight while another
/// copy of the loop's body fits in [`UNROLL_OPS`]: the op is the inverted branch, whose taken
/// target is the original's fall-through (the loop's exit), and the next copy of the body
/// follows it. Its costs are the original's: going on (the original taken) is `base` with
/// the taken penalty in it, leaving (the original not taken) `base` minus it (`Op::taken`).
/// The last copy keeps the original branch; taken, the engine runs the block again.
pub fn translate(m: &Machine, pa: u32, pc: u32, ring: u8) -> Option<Block> {
    let code = code_page(m, pa & !0xfff)?;
    let start = (pa & 0xfff) as usize;
    let mut off = start;
    let mut ops: Vec<Op> = Vec::with_capacity(16);
    let mut prev_load = 0u8;
    let mut cost_before = 0u32;
    let mut max_cost = BLOCK_ENTRY_WORST;
    // Ops in one pass through a loop back to `start`, once its back edge has been seen.
    let mut loop_len = None;
    while let Some(mut insn) = decode_at(code, off as i64) {
        let info = insn.op.info();
        // (The first op's stall depends on the block before it: the engine adds it.)
        let stall = if ops.is_empty() {
            0
        } else {
            load_use_stall(insn.source_mask(), prev_load)
        };
        let load_dest = load_dest(&insn);
        let mut base = info.cycles + stall;
        let mut taken = TAKEN_PENALTY as i8;
        // Where the block goes on after this op, if it does.
        let next = match info.kind {
            Kind::Branch if off as i64 + insn.imm as i64 == start as i64 => {
                let len = *loop_len.get_or_insert(ops.len() + 1);
                match insn.op.inverse_branch() {
                    Some(inverse) if ops.len() + 1 + len <= UNROLL_OPS => {
                        insn.op = inverse;
                        insn.imm = 4;
                        base += TAKEN_PENALTY;
                        taken = -taken;
                        Some(start)
                    }
                    _ => Some(off + 4),
                }
            }
            // A branch back to elsewhere in the page (the end of a loop the block entered
            // from outside) is laid out straight the same way: usually taken, its target's
            // code follows it in the block instead of in a block of its own.
            // (Not as the block's last op, and only onto an instruction: an inverted branch
            // must be followed by its target's op.)
            Kind::Branch if insn.imm < 0 && off as i64 + insn.imm as i64 >= 0 => {
                let target = (off as i64 + insn.imm as i64) as usize;
                let decodes = decode_at(code, target as i64).is_some();
                match insn.op.inverse_branch() {
                    Some(inverse) if decodes && ops.len() + 1 < MAX_OPS => {
                        insn.op = inverse;
                        insn.imm = 4;
                        base += TAKEN_PENALTY;
                        taken = -taken;
                        Some(target)
                    }
                    _ => Some(off + 4),
                }
            }
            Kind::Branch => {
                if let Some(via) = returns_at(code, off as i64 + insn.imm as i64) {
                    insn.rd = RETURNS_VIA | via;
                }
                Some(off + 4)
            }
            Kind::Jump if insn.op == Opcode::Jal => {
                let target = (off as i64).wrapping_add(insn.imm as i64);
                (target & 3 == 0 && (0..0x1000).contains(&target) && target as usize != start)
                    .then_some(target as usize)
            }
            k if ends_block(k) => None,
            _ => Some(off + 4),
        };
        let follow = info.kind == Kind::Jump && next.is_some();
        let op = Op {
            insn,
            base: base as u8,
            cost_before: cost_before as u16,
            // While the debugger watches reads, loads run on the full path, which reports
            // them: the fast path then needs no check (`Machine::set_watch` drops every
            // translation when reads start or stop being watched).
            handler: if info.kind == Kind::Load && m.watches_reads() {
                Handler::Full
            } else {
                Handler::of(insn.op)
            },
            flags: load_dest
                | if follow { FOLLOW } else { 0 }
                | if info.privileged && ring != 0 {
                    PRIVILEGE_FAULT
                } else {
                    0
                },
            taken,
            off: off as u16,
        };
        max_cost += worst_case(&op);
        ops.push(op);
        cost_before += base;
        prev_load = load_dest;
        match next {
            Some(n) if ops.len() < MAX_OPS => off = n,
            _ => break,
        }
    }
    if ops.is_empty() {
        return None;
    }
    // Common pairs run as one op (a loop's step and test, two ALU steps), from the left.
    let mut k = 1;
    while k < ops.len() {
        if let Some(fused) = Handler::fused(ops[k - 1].insn.op, ops[k].insn.op) {
            ops[k - 1].handler = fused;
            k += 1;
        }
        k += 1;
    }
    let first_sources = ops[0].insn.source_mask();
    let consecutive = ops.windows(2).all(|w| w[1].off == w[0].off + 4);
    Some(Block::new(
        pa,
        pc,
        ops,
        max_cost,
        first_sources,
        consecutive,
    ))
}

#[cfg(test)]
mod tests {
    use crate::exec::fast::Handler;
    use crate::machine::{Config, Machine};
    use isa_spec::{encode, Insn, Kind, Opcode};

    /// A 64 KiB machine with `code` at physical `at`.
    fn machine_with_code(at: usize, code: &[Insn]) -> Machine {
        let mut m = Machine::new(Config {
            ram_size: 0x1_0000,
            ..Config::default()
        });
        for (k, insn) in code.iter().enumerate() {
            let word = encode(insn).expect("encodes");
            m.ram.set_word(at + 4 * k, word);
        }
        m
    }

    /// A two-instruction loop at its block's start is laid out up to the block limit: copies
    /// of the body, each ending in the inverted branch to the loop's exit, the last one in the
    /// original branch, each step fused with its branch; the block reports its two distinct
    /// instructions.
    #[test]
    fn a_short_loop_is_unrolled_to_the_block_limit() {
        let body = [
            Insn {
                op: Opcode::Addi,
                rd: 11,
                rs1: 11,
                rs2: 0,
                imm: 1,
            },
            Insn {
                op: Opcode::Bne,
                rd: 0,
                rs1: 11,
                rs2: 12,
                imm: -4,
            },
        ];
        let m = machine_with_code(0x1000, &body);
        let b = super::translate(&m, 0x1000, 0x1000, 0).expect("translates");
        assert_eq!(b.ops().len(), super::UNROLL_OPS);
        assert_eq!(b.instructions(), 2);
        for (k, op) in b.ops().iter().enumerate() {
            assert_eq!(op.off as usize, 4 * (k % 2), "op {k}");
            // Each copy's step runs fused with its test.
            let fused = if k + 2 < b.ops().len() {
                Handler::AddiBeq
            } else {
                Handler::AddiBne
            };
            if k % 2 == 0 {
                assert_eq!(op.handler, fused, "op {k}");
            }
            if k % 2 == 1 && k + 1 < b.ops().len() {
                assert_eq!((op.insn.op, op.insn.imm), (Opcode::Beq, 4), "op {k}");
                assert!(op.taken < 0, "op {k}");
            }
        }
        let last = b.ops().last().expect("ops");
        assert_eq!(
            (last.insn.op, last.insn.imm, last.taken),
            (Opcode::Bne, -4, 2)
        );
    }

    /// A loop entered from the code before it is laid out after that code, each back edge
    /// inverted and followed by the loop's body again, up to the block limit; a back edge that
    /// would be the block's last op stays the original branch (nothing would follow it).
    #[test]
    fn a_loop_entered_from_outside_is_followed_to_the_block_limit() {
        let insn = |op, rd, rs1, rs2, imm| Insn {
            op,
            rd,
            rs1,
            rs2,
            imm,
        };
        let code = [
            insn(Opcode::Addi, 5, 0, 0, 1),
            insn(Opcode::Addi, 6, 0, 0, 2),
            insn(Opcode::Addi, 11, 11, 0, -1), // the loop's head
            insn(Opcode::Bne, 0, 11, 0, -4),
            insn(Opcode::Halt, 0, 0, 0, 0),
        ];
        let m = machine_with_code(0x1000, &code);
        let b = super::translate(&m, 0x1000, 0x1000, 0).expect("translates");
        assert_eq!(b.ops().len(), super::MAX_OPS);
        assert_eq!(b.instructions(), 4);
        for (k, op) in b.ops().iter().enumerate().skip(2) {
            let head = k % 2 == 0;
            assert_eq!(op.off, if head { 8 } else { 12 }, "op {k}");
            if !head && k + 1 < b.ops().len() {
                assert_eq!((op.insn.op, op.insn.imm), (Opcode::Beq, 4), "op {k}");
                assert!(op.taken < 0, "op {k}");
            }
        }
        let last = b.ops().last().expect("ops");
        assert_eq!(
            (last.insn.op, last.insn.imm, last.taken),
            (Opcode::Bne, -4, 2)
        );
    }

    /// A branch whose target in the page is `ret` (`jalr x0, 0(r)`, r not 0) is marked with
    /// the register, and its block's worst case includes the `ret`'s cost; a branch to any
    /// other `jalr` is not.
    #[test]
    fn branches_to_a_ret_are_marked() {
        let mut unmarked_cost = None;
        let targets = [
            (Opcode::Addi, 0, 0, 0, None),    // nop
            (Opcode::Jalr, 0, 1, 0, Some(1)), // ret
            (Opcode::Jalr, 0, 7, 0, Some(7)), // jr t2: a return through another register
            (Opcode::Jalr, 0, 1, 4, None),    // jalr x0, 4(ra)
            (Opcode::Jalr, 1, 5, 0, None),    // jalr ra, 0(t0): a call
            (Opcode::Jalr, 0, 0, 0, None),    // jalr x0, 0(x0)
        ];
        for (op, rd, rs1, imm, want) in targets {
            let code = [
                Insn {
                    op: Opcode::Blt,
                    rd: 0,
                    rs1: 10,
                    rs2: 5,
                    imm: 8,
                },
                Insn {
                    op: Opcode::Halt,
                    rd: 0,
                    rs1: 0,
                    rs2: 0,
                    imm: 0,
                },
                Insn {
                    op,
                    rd,
                    rs1,
                    rs2: 0,
                    imm,
                },
            ];
            let m = machine_with_code(0x1000, &code);
            let b = super::translate(&m, 0x1000, 0x1000, 0).expect("translates");
            let rd = b.ops()[0].insn.rd;
            let got = (rd & super::RETURNS_VIA != 0).then_some(rd & 31);
            assert_eq!(got, want, "{op:?} rd {rd} rs1 {rs1} imm {imm}");
            // The same ops ([blt, halt]) either way: the worst cases differ by the `ret`.
            let base = *unmarked_cost.get_or_insert(b.max_cost);
            let ret = if got.is_some() { super::ret_cost() } else { 0 };
            assert_eq!(
                b.max_cost,
                base + ret as u64,
                "{op:?} rd {rd} rs1 {rs1} imm {imm}"
            );
        }
    }

    /// A branch back onto a word that is not an instruction is not followed: the block ends
    /// with the original branch.
    #[test]
    fn a_branch_back_onto_data_ends_the_block() {
        assert!(isa_spec::decode(0xffff_ffff).is_err());
        let code = [
            Insn {
                op: Opcode::Addi,
                rd: 10,
                rs1: 10,
                rs2: 0,
                imm: 1,
            },
            Insn {
                op: Opcode::Bne,
                rd: 0,
                rs1: 10,
                rs2: 0,
                imm: -8,
            },
        ];
        let mut m = machine_with_code(0x1004, &code);
        m.ram.set_word(0x1000, 0xffff_ffff);
        let b = super::translate(&m, 0x1004, 0x1004, 0).expect("translates");
        let ops: Vec<_> = b.ops().iter().map(|op| (op.insn.op, op.insn.imm)).collect();
        assert_eq!(ops, [(Opcode::Addi, 1), (Opcode::Bne, -8)]);
    }

    /// Common pairs are fused from the left, each op into at most one pair (the `add` goes
    /// with the `mul` before it, not the branch after it); the second op of a pair keeps its
    /// own handler.
    #[test]
    fn common_pairs_are_fused_from_the_left() {
        let insn = |op, rd, rs1, rs2, imm| Insn {
            op,
            rd,
            rs1,
            rs2,
            imm,
        };
        let code = [
            insn(Opcode::Addi, 5, 5, 0, 1),
            insn(Opcode::Addi, 6, 6, 0, 2),
            insn(Opcode::Addi, 7, 7, 0, 3),
            insn(Opcode::Mul, 8, 5, 6, 0),
            insn(Opcode::Add, 9, 9, 8, 0),
            insn(Opcode::Bne, 0, 9, 0, 64),
            insn(Opcode::Halt, 0, 0, 0, 0),
        ];
        let m = machine_with_code(0x1000, &code);
        let b = super::translate(&m, 0x1000, 0x1000, 0).expect("translates");
        let handlers: Vec<_> = b.ops().iter().map(|op| op.handler).collect();
        assert_eq!(
            handlers,
            [
                Handler::AddiAddi,
                Handler::Addi,
                Handler::Addi,
                Handler::MulAdd,
                Handler::Add,
                Handler::Bne,
                Handler::Halt,
            ]
        );
    }

    /// The inverted branch an unrolled loop uses is taken exactly when the original is not,
    /// and only conditional branches have one.
    #[test]
    fn inverse_branches_are_taken_exactly_when_the_original_is_not() {
        let values = [
            0u32,
            1,
            2,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_fffe,
            0xffff_ffff,
        ];
        for op in Opcode::all() {
            let Some(inverse) = op.inverse_branch() else {
                assert_ne!(op.info().kind, Kind::Branch, "{op:?} has no inverse");
                continue;
            };
            assert_eq!(inverse.inverse_branch(), Some(op));
            let (c, ci) = (
                op.info().cond.expect("cond"),
                inverse.info().cond.expect("cond"),
            );
            for a in values {
                for b in values {
                    assert_eq!(ci.holds(a, b), !c.holds(a, b), "{op:?} {a:#x} {b:#x}");
                }
            }
        }
    }
}
