//! Translated blocks: pre-decoded instructions with their static costs.

use crate::exec::fast::Handler;
use isa_spec::{Insn, Opcode};
use std::cell::Cell;

/// [`BlockRun::native`] of a block the JIT tier will not compile.
pub const NATIVE_DECLINED: u32 = u32::MAX;
/// [`BlockRun::native`] of a block being compiled in the background.
pub const NATIVE_PENDING: u32 = u32::MAX - 1;

/// Successor links per block ([`BlockRun::links`]).
pub const LINKS: usize = 4;

/// One pre-decoded instruction: 16 bytes (a block of them is walked once per pass; small
/// fields keep the walk cheap — [`MAX_OPS`](super::translate::MAX_OPS) ops of at most a few
/// dozen cycles each fit `u16` sums, and no instruction costs more than 255 cycles).
#[derive(Clone, Copy, Debug)]
pub struct Op {
    /// The decoded instruction (for a loop's inverted back edge, the inverted branch: see
    /// [`Op::taken`]; for a branch to a `ret`, [`RETURNS_VIA`] in its unused `rd`).
    pub insn: Insn,
    /// Sum of `base` of the ops before this one in the block (so that counters need not be
    /// updated per instruction: the cycle count before op i is start + cost_before + dynamic
    /// extras).
    pub cost_before: u16,
    /// How the engine runs it: the instruction's own fast path, or that and the next op's
    /// together ([`Handler`]).
    pub handler: Handler,
    /// Cycles when the op goes on to the next op: table cost plus the load-use stall when the
    /// stall is known statically (not for the first op of a block, whose predecessor is only
    /// known at run time), plus the taken penalty for a loop's inverted back edge (going on
    /// is the original branch taken).
    pub base: u8,
    /// In the low five bits, the register this op loads (for the next op's load-use stall;
    /// [`Op::load_dest`]), or 0; above them [`FOLLOW`], [`PRIVILEGE_FAULT`] and [`SENTINEL`].
    pub flags: u8,
    /// Cycles a taken branch or jump adds to `base`: the taken penalty, or minus it for a
    /// loop's inverted back edge (taken, it leaves the loop: the original not taken).
    pub taken: i8,
    /// Offset of the instruction in its page (a block may follow jumps inside the page and
    /// repeat a loop's body, so ops are not always consecutive words).
    pub off: u16,
}

/// [`Op::flags`]: a taken jump or branch whose target is the next op: executing it continues
/// the block instead of ending it (a `jal` inside the page).
pub const FOLLOW: u8 = 1 << 5;
/// [`Op::flags`]: a sensitive instruction in a block compiled for ring 1-3: it faults.
pub const PRIVILEGE_FAULT: u8 = 1 << 6;
/// [`Op::flags`]: the sentinel after a block's last op ([`Block::new`]).
pub const SENTINEL: u8 = 1 << 7;

/// In a conditional branch's `insn.rd` (which a branch does not use), with the register in the
/// low five bits: the branch's target in the page is `ret` through that register (`jalr x0,
/// 0(r)`). Taken in a plain run, the branch runs the `ret` too: one block exit instead of two
/// (a leaf's early return, fib's `blt a0, t0, 1f` to `1: ret`).
pub const RETURNS_VIA: u8 = 1 << 7;

/// Cycles a `ret` run with the branch before it adds: its own cost and the taken penalty (no
/// load-use stall: a branch loads nothing).
#[inline(always)]
pub fn ret_cost() -> u32 {
    isa_spec::cost::TAKEN_PENALTY + Opcode::Jalr.info().cycles
}

impl Op {
    /// The register this op loads, or 0.
    #[inline(always)]
    pub fn load_dest(&self) -> u8 {
        self.flags & 31
    }
}

/// A run of instructions inside one physical page: a superblock that goes on past
/// conditional branches (taken ones leave it: side exits) and through `jal`s to targets in the
/// same page.
#[derive(Clone, Debug)]
pub struct Block {
    /// Physical address of the first instruction.
    pub pa: u32,
    /// Which translation this is (the cache's count when it was added): tells a block from
    /// a later one at the same index.
    pub serial: u64,
    /// Virtual pc it was first translated at (for reports).
    pub pc: u32,
    /// The instructions, then one sentinel op (see [`Block::ops`]).
    code: Box<[Op]>,
    /// Upper bound of the cycles the whole block can take (so one check decides whether it can
    /// run to the end before the next device event).
    pub max_cost: u64,
    /// Still valid (cleared when its page is written).
    pub valid: bool,
    /// Bit r set when the first op reads register r (for its load-use stall, which depends on
    /// the block before).
    pub first_sources: u32,
    /// The ops are at consecutive words (the block follows no jump), so op k is at the
    /// first op's offset + 4k.
    pub consecutive: bool,
    /// What running changes (in cells: a chain holds the blocks while it updates these).
    pub run: BlockRun,
}

/// What running changes of one block: its counts and its successor links.
#[derive(Clone, Debug, Default)]
pub struct BlockRun {
    /// Times entered (a loop's passes count one each).
    pub execs: Cell<u64>,
    /// Cycles spent in it (including exceptions it raised).
    pub cycles: Cell<u64>,
    /// Successor links, (pc, block index), indexed by bits 2-3 of the successor's pc (a block
    /// has several exits, and a return block several targets). A hint, checked on use (pc
    /// equal). A valid block's links lead only to valid blocks: a link stays inside one
    /// physical page, and a write to a page invalidates all its blocks at once.
    pub links: [Cell<(u32, u32)>; LINKS],
    /// The link after the gate that ends the block (`callg`, `retg`): (target pc | target
    /// ring, block index), or an index past the blocks. A hint, checked on use: the target
    /// is in another page, so the block it names must still be valid and at the physical
    /// address the target's fetch translated to ([`gate_successor`](super::cache)).
    pub gate_link: Cell<(u32, u32)>,
    /// (TLB version, pc) when a JIT trace last found the fetch of this block's first
    /// instruction at pc a permitted TLB hit at its address (0 for never): while the TLB
    /// keeps that version (its entries unchanged), that fetch hits the same way.
    pub fetched: Cell<(u64, u32)>,
    /// The JIT tier's entry for the block: 0 if not compiled (yet), else its index in the
    /// tier's table + 1, [`NATIVE_PENDING`] while it is being compiled, or
    /// [`NATIVE_DECLINED`] if it is not to be compiled.
    pub native: Cell<u32>,
}

impl BlockRun {
    /// Adds `passes` executions and `cycles` cycles to the counts.
    #[inline(always)]
    pub fn count(&self, passes: u64, cycles: u64) {
        self.execs.set(self.execs.get() + passes);
        self.cycles.set(self.cycles.get() + cycles);
    }
}

const _: () = assert!(std::mem::size_of::<Op>() == 16);

impl Block {
    /// A block of `ops` (at least one). A sentinel op follows them in memory: an instruction
    /// the fast path never executes (`halt`: it returns `FULL`) with the last op's offset,
    /// costs and loaded register, flagged [`SENTINEL`], so that a run through the whole
    /// block finds its end there instead of testing for the end after every op.
    pub fn new(
        pa: u32,
        pc: u32,
        mut ops: Vec<Op>,
        max_cost: u64,
        first_sources: u32,
        consecutive: bool,
    ) -> Block {
        let last = ops.last_mut().expect("a block has at least one op");
        // The last op's taken jump leaves the block (its next op is the sentinel).
        last.flags &= !FOLLOW;
        let last = *last;
        let sentinel = Op {
            insn: Insn {
                op: Opcode::Halt,
                rd: 0,
                rs1: 0,
                rs2: 0,
                imm: 0,
            },
            handler: Handler::Halt,
            flags: SENTINEL | last.load_dest(),
            taken: 0,
            ..last
        };
        ops.push(sentinel);
        Block {
            pa,
            serial: 0,
            pc,
            code: ops.into_boxed_slice(),
            max_cost,
            valid: true,
            first_sources,
            consecutive,
            run: BlockRun {
                links: std::array::from_fn(|_| Cell::new((u32::MAX, 0))),
                gate_link: Cell::new((0, u32::MAX)),
                fetched: Cell::new((0, 0)),
                ..BlockRun::default()
            },
        }
    }

    /// The instructions (without the sentinel).
    #[inline(always)]
    pub fn ops(&self) -> &[Op] {
        &self.code[..self.code.len() - 1]
    }

    /// The most instructions one pass can retire: its ops, and a `ret` run with a branch
    /// ([`RETURNS_VIA`]; it ends the pass).
    #[inline(always)]
    pub fn max_insns(&self) -> u64 {
        self.ops().len() as u64 + 1
    }

    /// Distinct guest instructions in the block (an unrolled loop's copies count once).
    pub fn instructions(&self) -> usize {
        let mut seen = [0u64; 1024 / 64];
        for op in self.ops() {
            let word = op.off as usize / 4;
            seen[word / 64] |= 1 << (word % 64);
        }
        seen.iter().map(|w| w.count_ones() as usize).sum()
    }
}
