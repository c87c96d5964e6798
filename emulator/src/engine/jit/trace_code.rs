//! The code a trace adds to a compiled function (`trace.rs` finds traces; `compile.rs`
//! builds functions): a gate at a block's end through its helper, the counters at the
//! boundary where one block of the trace ends and the next begins, and the blocks' run counts.

use super::compile::{cycles_at, field, set_field, Frame, Pending, Segment};
use super::ctx::Ctx;
use super::emit::{args, Emit};
use super::helpers;
use crate::engine::threaded::block::{Block, BlockRun, Op};
use crate::exec::fast::Handler;
use crate::exec::load_use_stall;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::FunctionBuilder;
use isa_spec::regs::SP;
use std::mem::offset_of;

/// The exits of gate `op`, instruction `i` of its segment (`cost_before` and `cost_after`
/// static cycles into the pass at its start and end, `extra` of them followed jumps'),
/// emitted through [`gate`]: before it (declined), on to segment `next`, after it (gone
/// elsewhere).
pub(super) fn gate_exits(
    e: &mut Emit,
    op: &Op,
    i: usize,
    (cost_before, cost_after, extra): (i64, i64, i64),
    next: &Segment,
) -> [Pending; 3] {
    let (side, gated, after) = gate(e, op, i == 0, cost_before, next);
    [
        Pending::Before { at: side, i, extra },
        Pending::Gated {
            at: gated,
            i,
            cost: cost_after,
        },
        Pending::After {
            at: after,
            i,
            cost: cost_after,
            target: super::compile::Target::Gated,
            loops: false,
            returns: false,
        },
    ]
}

/// The exit after gate `i` (segment `k`'s last instruction, `cost` static cycles into the
/// pass at its end, the pass's data accesses `done`) on to the next segment, which the
/// helper found where the gate went.
#[allow(clippy::too_many_arguments)]
pub(super) fn gated_exit(
    fb: &mut FunctionBuilder,
    frame: &Frame,
    segs: &[Segment],
    k: usize,
    at: cranelift_codegen::ir::Block,
    i: usize,
    cost: i64,
    done: i64,
) {
    fb.switch_to_block(at);
    let (ctx, seg) = (frame.ctx, &segs[k]);
    let op = &seg.block.ops()[i];
    let next = (k + 1) % segs.len();
    let target = fb.ins().iconst(types::I32, segs[next].entry() as i64);
    let cycles = cycles_at(fb, ctx, cost);
    let retired = field(fb, ctx, types::I64, offset_of!(Ctx, retired));
    let retired = fb.ins().iadd_imm_s(retired, i as i64 + 1);
    let last_load = op.load_dest();
    let load = fb.ins().iconst(types::I32, last_load as i64);
    count_run(fb, frame, seg.idx, cycles);
    let at = Boundary {
        target,
        cycles,
        retired,
        load,
        last_load,
        done,
    };
    transition(fb, frame, segs, next, at);
}

/// Gate `op` (the segment's last instruction, the first if `first`, `cost_before` static
/// cycles into the pass) through its helper ([`helpers::gate_call`], [`helpers::gate_return`]), sp in memory around it.
/// Returns the blocks it goes on to: the side exit before it (the helper declined, nothing
/// changed), the next segment (`next`, found where the gate went), and the exit after it
/// (gone elsewhere).
pub(super) fn gate(
    e: &mut Emit,
    op: &Op,
    first: bool,
    cost_before: i64,
    next: &Segment,
) -> (
    cranelift_codegen::ir::Block,
    cranelift_codegen::ir::Block,
    cranelift_codegen::ir::Block,
) {
    let (env, ctx) = (e.env, e.env.ctx);
    let fb = &mut *e.fb;
    let regs_ptr = field(fb, ctx, env.ptr, offset_of!(Ctx, regs));
    let sp_var = env.regs[SP as usize];
    let sp = fb.use_var(sp_var);
    let sp_off = 4 * SP as i32;
    fb.ins()
        .store(MemFlagsData::trusted(), sp, regs_ptr, sp_off);
    // The gate's transition record reads the cycle count before it: before the first
    // instruction's own stall and fetch walk (as the interpreter has it).
    let cycles = if first {
        field(fb, ctx, types::I64, offset_of!(Ctx, cycles))
    } else {
        cycles_at(fb, ctx, cost_before)
    };
    let k = |fb: &mut FunctionBuilder, v: u32| fb.ins().iconst(types::I32, v as i64);
    let expect = k(fb, next.entry() | next.ring as u32);
    // The next block's address: the cache's blocks stay where they are while compiled code
    // runs, and it is one of them (a trace's blocks are translated before it is compiled;
    // indices are not reused until the cache is emptied, which drops the trace with them).
    let blocks = field(fb, ctx, env.ptr, offset_of!(Ctx, blocks));
    let next_block = next.idx * std::mem::size_of::<Block>();
    let next_block = fb.ins().iadd_imm_s(blocks, next_block as i64);
    let paging = k(fb, env.paging as u32);
    let call = if op.handler == Handler::Callg {
        let n = k(fb, op.insn.imm as u32);
        let pc = k(fb, e.pc);
        let helper = fb.ins().iconst(env.ptr, env.gate_call_fn);
        let params = [ctx, n, pc, cycles, expect, next_block, paging];
        fb.ins().call_indirect(env.gate_call_sig, helper, &params)
    } else {
        let helper = fb.ins().iconst(env.ptr, env.gate_return_fn);
        let params = [ctx, cycles, expect, next_block, paging];
        fb.ins().call_indirect(env.gate_return_sig, helper, &params)
    };
    let r = fb.inst_results(call)[0];
    let (side, done) = (fb.create_block(), fb.create_block());
    fb.set_cold_block(side);
    fb.ins().brif(r, done, &[], side, &[]);
    fb.switch_to_block(done);
    let sp = fb
        .ins()
        .load(types::I32, MemFlagsData::trusted(), regs_ptr, sp_off);
    fb.def_var(sp_var, sp);
    let (gated, after) = (fb.create_block(), fb.create_block());
    fb.set_cold_block(after);
    let on = fb
        .ins()
        .icmp_imm_u(IntCC::Equal, r, helpers::GATE_ON as i64);
    fb.ins().brif(on, gated, &[], after, &[]);
    (side, gated, after)
}

/// An instruction boundary where a pass of a trace's segment ends: the pc to go on at, the
/// counters there, the register the last instruction loaded (as a value and as known), and
/// the pass's data accesses.
pub(super) struct Boundary {
    pub target: Value,
    pub cycles: Value,
    pub retired: Value,
    pub load: Value,
    pub last_load: u8,
    pub done: i64,
}

/// Leaves the function at boundary `at`.
pub(super) fn leave_at(fb: &mut FunctionBuilder, frame: &Frame, at: &Boundary) {
    let ctx = frame.ctx;
    let hits = if frame.paging {
        let before = field(fb, ctx, types::I64, offset_of!(Ctx, accesses));
        let walks = field(fb, ctx, types::I64, offset_of!(Ctx, walks));
        let v = fb.ins().isub(before, walks);
        fb.ins().iadd_imm_s(v, at.done)
    } else {
        fb.ins().iconst(types::I64, 0)
    };
    let exit_args = args([at.target, at.cycles, at.retired, at.load, hits]);
    fb.ins().jump(frame.leave, &exit_args);
}

/// A trace goes on to segment `next` at boundary `at`: to a later segment at once (the
/// runtime started it only if a whole pass through it surely fits before the next device
/// event and the step budget), back to the first if another whole pass surely fits, else
/// it leaves there.
pub(super) fn transition(
    fb: &mut FunctionBuilder,
    frame: &Frame,
    segs: &[Segment],
    next: usize,
    at: Boundary,
) {
    let ctx = frame.ctx;
    let b = segs[next].block;
    if next == 0 {
        let loop_cycles = field(fb, ctx, types::I64, offset_of!(Ctx, loop_cycles));
        let loop_retired = field(fb, ctx, types::I64, offset_of!(Ctx, loop_retired));
        let fits_c = fb
            .ins()
            .icmp(IntCC::UnsignedLessThan, at.cycles, loop_cycles);
        let fits_r = fb
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, at.retired, loop_retired);
        let go = fb.ins().band(fits_c, fits_r);
        let (on, out) = (fb.create_block(), fb.create_block());
        fb.ins().brif(go, on, &[], out, &[]);
        fb.switch_to_block(out);
        leave_at(fb, frame, &at);
        fb.switch_to_block(on);
        let passes = field(fb, ctx, types::I64, offset_of!(Ctx, passes));
        let passes = fb.ins().iadd_imm_s(passes, 1);
        set_field(fb, ctx, passes, offset_of!(Ctx, passes));
    }
    next_pass(
        fb,
        ctx,
        b,
        at.cycles,
        at.retired,
        at.load,
        at.last_load,
        at.done,
    );
    fb.ins().jump(frame.starts[next], &[]);
}

/// The pass counters for a pass of `block` starting at (`cycles`, `retired`) after an
/// instruction that loaded `last_load` (`load`), the pass before having made `done` data
/// accesses.
#[allow(clippy::too_many_arguments)]
pub(super) fn next_pass(
    fb: &mut FunctionBuilder,
    ctx: Value,
    block: &Block,
    cycles: Value,
    retired: Value,
    load: Value,
    last_load: u8,
    done: i64,
) {
    set_field(fb, ctx, cycles, offset_of!(Ctx, cycles));
    set_field(fb, ctx, retired, offset_of!(Ctx, retired));
    let stall = load_use_stall(block.first_sources, last_load);
    let stall = fb.ins().iconst(types::I64, stall as i64);
    set_field(fb, ctx, stall, offset_of!(Ctx, dynamic));
    set_field(fb, ctx, load, offset_of!(Ctx, last_load));
    if done != 0 {
        let before = field(fb, ctx, types::I64, offset_of!(Ctx, accesses));
        let before = fb.ins().iadd_imm_s(before, done);
        set_field(fb, ctx, before, offset_of!(Ctx, accesses));
    }
}

/// Counts a pass of block `idx` of the threaded cache (a trace's segment) that ends at
/// `cycles`, as the threaded chain counts its blocks' runs (`BlockRun::count`).
pub(super) fn count_run(fb: &mut FunctionBuilder, frame: &Frame, idx: usize, cycles: Value) {
    let (ctx, ptr) = (frame.ctx, frame.ptr);
    let blocks = field(fb, ctx, ptr, offset_of!(Ctx, blocks));
    let run = idx * std::mem::size_of::<Block>() + offset_of!(Block, run);
    let run = fb.ins().iadd_imm_s(blocks, run as i64);
    let flags = MemFlagsData::trusted();
    let execs = offset_of!(BlockRun, execs) as i32;
    let n = fb.ins().load(types::I64, flags, run, execs);
    let n = fb.ins().iadd_imm_s(n, 1);
    fb.ins().store(flags, n, run, execs);
    let start = field(fb, ctx, types::I64, offset_of!(Ctx, cycles));
    let spent = fb.ins().isub(cycles, start);
    let total = offset_of!(BlockRun, cycles) as i32;
    let c = fb.ins().load(types::I64, flags, run, total);
    let c = fb.ins().iadd(c, spent);
    fb.ins().store(flags, c, run, total);
}
