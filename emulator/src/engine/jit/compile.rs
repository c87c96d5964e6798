//! A threaded block compiled to one host function: the block's instructions in order (their
//! semantics emitted by [`Emit`]), a loop back to its start while the next pass surely fits
//! before the next device event, and the exits. Cycle accounting follows the threaded
//! engine's chain (the static costs of `translate`, prefix sums and all), so the numbers it
//! leaves are the interpreter's:
//!
//! - an exit *after* instruction i (a taken branch or jump, the block's end, a store into
//!   translated code) leaves cycles = pass start + `cost_before` + `base` (+ `taken` if
//!   taken) + followed jumps' penalties + the first instruction's dynamic costs;
//! - an exit *before* instruction i (a side exit: its check failed, or it is not compiled)
//!   leaves the state of the boundary before it, so that the threaded engine runs it as if
//!   the block had ended there. Before the first instruction of the first pass nothing has
//!   run: the function returns [`exit::NOTHING`].
//!
//! Guest registers live in SSA variables from entry to exit, written back at the one exit
//! block ("leave") that every exit goes through.

use super::ctx::{exit, Ctx};
use super::emit::{args, Emit, Env, Flow, Unsupported};
use super::helpers;
use super::trace_code::{self, count_run, leave_at, next_pass, transition, Boundary};
use crate::engine::threaded::block::{ret_cost, Block, Op, FOLLOW, PRIVILEGE_FAULT, RETURNS_VIA};
use crate::exec::fast::Handler;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Function, InstBuilder, MemFlagsData, Signature, Type, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use isa_spec::regs::SP;
use isa_spec::Kind;
use std::mem::offset_of;

/// A debugger breakpoint at op `op` of a block: compiled code leaves before the op when one of
/// `checks` holds, or always when there are none it can test (`None`: the debugger's filter
/// decides, on the threaded engine). At op 0 only passes after the first test it (the caller
/// looked at the first).
pub(super) struct BreakAt {
    /// The op.
    pub op: usize,
    /// The conditions, if compiled code can test them all.
    pub checks: Option<Vec<crate::engine::BreakCheck>>,
}

/// A block of what one function runs, at its virtual page and in its ring. A function runs
/// one block (looping on itself), or a *trace*: blocks one after another, each going on to
/// the next at its end — through a gate, or within its page — and the last back to the first
/// (`trace.rs` finds them).
#[derive(Clone, Copy)]
pub(super) struct Segment<'a> {
    /// The block.
    pub block: &'a Block,
    /// Its index in the threaded cache (a trace counts its blocks' runs there).
    pub idx: usize,
    /// Its virtual page.
    pub vpage: u32,
    /// Its ring.
    pub ring: u8,
}

impl Segment<'_> {
    /// The virtual pc of its first instruction.
    pub fn entry(&self) -> u32 {
        self.vpage | self.block.ops()[0].off as u32
    }
}

/// Is `op` a gate (`callg`, `retg`)? A trace runs one at the end of a block through the
/// helper; a lone block leaves before it.
pub(super) fn is_gate(op: &Op) -> bool {
    matches!(op.handler, Handler::Callg | Handler::Retg) && op.flags & PRIVILEGE_FAULT == 0
}

/// Instructions a block must run in host code before one it leaves to the threaded engine to
/// be worth compiling.
const MIN_OPS: usize = 4;

/// Does host code run `op` (else the block leaves before it)? Gates, traps, system
/// instructions other than `fence` and `cas` are left to the threaded engine, as are
/// instructions that fault for the ring and loads the debugger watches.
pub(super) fn compiled(op: &Op) -> bool {
    let kind = op.insn.op.info().kind;
    let machine = matches!(kind, Kind::Gate | Kind::Trap | Kind::Atomic)
        || kind == Kind::System && op.insn.op != isa_spec::Opcode::Fence;
    !machine && op.flags & PRIVILEGE_FAULT == 0 && op.handler != Handler::Full
}

/// An exit whose code is emitted after the block's body (once every register the function
/// writes is known).
pub(super) enum Pending {
    /// Before instruction `i`, after followed jumps' penalties `extra` in this pass.
    Before {
        at: cranelift_codegen::ir::Block,
        i: usize,
        extra: i64,
    },
    /// After instruction `i` to `target` with `cost` cycles past the pass start (static
    /// part), `loops` if the target may be the block's start.
    After {
        at: cranelift_codegen::ir::Block,
        i: usize,
        cost: i64,
        target: Target,
        loops: bool,
        /// A `ret` ran after the instruction too (a branch to it, taken: see
        /// `block::RETURNS_VIA`).
        returns: bool,
    },
    /// After gate `i` (the block's last instruction) to the next segment of the trace, which
    /// the helper found where the gate went.
    Gated {
        at: cranelift_codegen::ir::Block,
        i: usize,
        cost: i64,
    },
}

/// Where an exit after an instruction goes.
pub(super) enum Target {
    /// A value computed before the exit's branch.
    Value(Value),
    /// A constant (made in the exit's own block).
    Const(u32),
    /// Where a gate went (`Ctx::next_pc`, set by the helper).
    Gated,
}

/// Loads a `Ctx` field of type `ty` at `off`.
pub(super) fn field(fb: &mut FunctionBuilder, ctx: Value, ty: Type, off: usize) -> Value {
    fb.ins().load(ty, MemFlagsData::trusted(), ctx, off as i32)
}

/// Stores `v` into the `Ctx` field at `off`.
pub(super) fn set_field(fb: &mut FunctionBuilder, ctx: Value, v: Value, off: usize) {
    fb.ins().store(MemFlagsData::trusted(), v, ctx, off as i32);
}

/// The registers the segments' instructions name (bit r for register r, r0 left out), and
/// sp where a gate reads and writes it: loaded at entry, so that every variable has a value
/// on every path.
fn named_registers(segs: &[Segment], breaks: &[BreakAt]) -> u32 {
    let checked = breaks
        .iter()
        .flat_map(|b| b.checks.iter().flatten())
        .fold(0u32, |m, c| m | 1 << (c.reg & 31));
    let named = segs.iter().flat_map(|s| s.block.ops()).fold(0, |m, op| {
        let i = &op.insn;
        let sp = if is_gate(op) { 1 << SP } else { 0 };
        m | 1 << (i.rs1 & 31) | 1 << (i.rs2 & 31) | 1 << (i.rd & 31) | sp
    });
    (named | checked) & !1
}

/// Is a lone `block` worth compiling, under the breakpoints `breaks`? Compiled code pays an
/// entry and an exit per call: a block that would run only a few instructions before one it
/// leaves to the threaded engine (a gate's neighbours, a lone `ret`, a breakpoint whose
/// condition only the debugger can evaluate) stays threaded, where the chain runs it with
/// its neighbours (or in a trace: `trace.rs`).
pub(super) fn worth_alone(block: &Block, breaks: &[BreakAt]) -> bool {
    let stop = breaks
        .iter()
        .filter(|b| b.op > 0 && b.checks.is_none())
        .map(|b| b.op)
        .min()
        .unwrap_or(usize::MAX);
    let runs = block.ops().iter().take_while(|op| compiled(op)).count();
    runs.min(stop) >= MIN_OPS
}

/// Builds `func` (signature [`super::ctx::NativeFn`]) for `segs` (one block, or a trace),
/// leaving before the debugger breakpoints `breaks` (a lone block's) as they say. `None` when
/// a lone block would run too few instructions to be worth it.
pub(super) fn build(
    func: &mut Function,
    fbc: &mut FunctionBuilderContext,
    segs: &[Segment],
    paging: bool,
    breaks: &[BreakAt],
    frontend: TargetFrontendConfig,
    call_conv: CallConv,
) -> Option<()> {
    let trace = segs.len() > 1;
    if !trace && !worth_alone(segs[0].block, breaks) {
        return None;
    }
    let mut fb = FunctionBuilder::new(func, fbc);
    let (env, frame) = prologue(
        &mut fb,
        segs,
        breaks,
        paging,
        frontend.pointer_type(),
        call_conv,
    );
    let mut written = 0;
    let mut pendings = Vec::with_capacity(segs.len());
    for (k, seg) in segs.iter().enumerate() {
        fb.switch_to_block(frame.starts[k]);
        let env = Env {
            ring: seg.ring,
            ..env
        };
        let next = &segs[(k + 1) % segs.len()];
        let (w, pending) = body(&mut fb, &env, seg, trace.then_some(next), breaks);
        written |= w;
        pendings.push(pending);
    }
    for (k, pending) in pendings.into_iter().enumerate() {
        exits(&mut fb, &frame, segs, k, pending);
    }
    epilogue(&mut fb, &env, &frame, written);
    fb.seal_all_blocks();
    fb.finalize(frontend);
    Some(())
}

/// What the parts of a function's building share: entry values and the blocks every part
/// jumps to.
pub(super) struct Frame {
    /// The `Ctx` pointer.
    pub ctx: Value,
    /// The host pointer type.
    pub ptr: Type,
    /// Paging is on (data TLB hits are counted).
    pub paging: bool,
    /// The one exit with instructions run (next pc, cycles, retired, last load).
    pub leave: cranelift_codegen::ir::Block,
    /// The exit with nothing run.
    pub nothing: cranelift_codegen::ir::Block,
    /// The start of each segment's pass (the first's: of the function's).
    pub starts: Vec<cranelift_codegen::ir::Block>,
}

/// The entry: the function's values and variables from `Ctx`, and the exit blocks made.
fn prologue(
    fb: &mut FunctionBuilder,
    segs: &[Segment],
    breaks: &[BreakAt],
    paging: bool,
    ptr: Type,
    call_conv: CallConv,
) -> (Env, Frame) {
    let entry = fb.create_block();
    fb.append_block_params_for_function_params(entry);
    fb.switch_to_block(entry);
    let ctx = fb.block_params(entry)[0];

    // The registers, from memory.
    let regs_ptr = field(fb, ctx, ptr, offset_of!(Ctx, regs));
    let regs: [Variable; 32] = std::array::from_fn(|_| fb.declare_var(types::I32));
    let named = named_registers(segs, breaks);
    for (r, var) in regs.iter().enumerate().skip(1) {
        if named & 1 << r != 0 {
            let v = fb
                .ins()
                .load(types::I32, MemFlagsData::trusted(), regs_ptr, 4 * r as i32);
            fb.def_var(*var, v);
        }
    }
    // The pass counters start (see `Ctx`): the pass start's cycles, retired count and
    // dynamic cycles are the runtime's.
    let zero64 = fb.ins().iconst(types::I64, 0);
    let one64 = fb.ins().iconst(types::I64, 1);
    set_field(fb, ctx, zero64, offset_of!(Ctx, accesses));
    set_field(fb, ctx, zero64, offset_of!(Ctx, walks));
    set_field(fb, ctx, one64, offset_of!(Ctx, passes));
    let signature = |params: &[Type], ret: Type| {
        let mut sig = Signature::new(call_conv);
        sig.params.push(AbiParam::new(ptr));
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.push(AbiParam::new(ret));
        sig
    };
    let (i32, i64) = (types::I32, types::I64);
    let store_sig = signature(&[i32; 4], i32);
    let miss_sig = signature(&[i32; 5], i64);
    let gate_call_sig = signature(&[i32, i32, i64, i32, ptr, i32], i32);
    let gate_return_sig = signature(&[i64, i32, ptr, i32], i32);
    let env = Env {
        ptr,
        regs,
        ctx,
        store_sig: fb.import_signature(store_sig),
        store_fn: helpers::store_checked as *const () as usize as i64,
        miss_sig: fb.import_signature(miss_sig),
        miss_fn: helpers::miss as *const () as usize as i64,
        gate_call_sig: fb.import_signature(gate_call_sig),
        gate_call_fn: helpers::gate_call as *const () as usize as i64,
        gate_return_sig: fb.import_signature(gate_return_sig),
        gate_return_fn: helpers::gate_return as *const () as usize as i64,
        paging,
        ring: segs[0].ring,
    };

    let leave = fb.create_block();
    for ty in [types::I32, types::I64, types::I64, types::I32, types::I64] {
        fb.append_block_param(leave, ty);
    }
    let nothing = fb.create_block();
    let starts: Vec<_> = segs.iter().map(|_| fb.create_block()).collect();
    fb.ins().jump(starts[0], &[]);
    let frame = Frame {
        ctx,
        ptr,
        paging,
        leave,
        nothing,
        starts,
    };
    (env, frame)
}

/// A segment's instructions, each one's semantics emitted: returns the registers written and
/// the exits to emit. In a trace (`next`: the segment after it), a gate at its end runs
/// through the helper and goes on to `next`.
fn body(
    fb: &mut FunctionBuilder,
    env: &Env,
    seg: &Segment,
    next: Option<&Segment>,
    breaks: &[BreakAt],
) -> (u32, Vec<Pending>) {
    let (ops, vpage) = (seg.block.ops(), seg.vpage);
    // The body: each instruction's semantics, emitted.
    let mut written = 0u32;
    let mut pending = Vec::new();
    let mut extra = 0i64;
    let mut open = true;
    for (i, op) in ops.iter().enumerate() {
        let pc = vpage | op.off as u32;
        let cost_before = op.cost_before as i64 + extra;
        let cost_after = cost_before + op.base as i64;
        let mut e = Emit {
            fb,
            env,
            pc,
            side: None,
            exit_after: None,
            rd: op.insn.rd,
            written: &mut written,
        };
        if let Some(next) = next.filter(|_| i + 1 == ops.len() && is_gate(op)) {
            let costs = (cost_before, cost_after, extra);
            pending.extend(trace_code::gate_exits(&mut e, op, i, costs, next));
            open = false;
            break;
        }
        let at_break = breaks.iter().find(|b| b.op == i);
        // (Before a breakpoint whose condition only the debugger can evaluate, the block
        // leaves as before an instruction it does not compile.)
        let unsupported = op.flags & PRIVILEGE_FAULT != 0
            || op.handler == Handler::Full
            || at_break.is_some_and(|b| b.op > 0 && b.checks.is_none());
        let flow = if unsupported {
            Err(Unsupported)
        } else {
            if let Some(b) = at_break {
                break_test(&mut e, b);
            }
            crate::exec::run(&mut e, &op.insn)
        };
        let (side, exit_after) = (e.side, e.exit_after);
        if let Some(at) = exit_after {
            pending.push(Pending::After {
                at,
                i,
                cost: cost_after,
                target: Target::Const(pc.wrapping_add(4)),
                loops: false,
                returns: false,
            });
        }
        let side = match (&flow, side) {
            (Err(Unsupported), None) => Some(fb.create_block()),
            (_, s) => s,
        };
        if let Some(at) = side {
            pending.push(Pending::Before { at, i, extra });
        }
        match flow {
            Err(Unsupported) => {
                fb.ins().jump(side.expect("made above"), &[]);
                open = false;
                break;
            }
            Ok(Flow::Next) => {}
            Ok(Flow::Branch { taken, target }) => {
                let (t, cont) = (fb.create_block(), fb.create_block());
                fb.ins().brif(taken, t, &[], cont, &[]);
                let cost = cost_after + op.taken as i64;
                if op.insn.rd & RETURNS_VIA != 0 {
                    // Taken, a branch to a `ret` runs the `ret` too when its target is
                    // aligned (as the threaded chain does): one exit instead of two.
                    fb.switch_to_block(t);
                    let to = fb.use_var(env.regs[(op.insn.rd & 31) as usize]);
                    let low = fb.ins().band_imm_u(to, 3);
                    let (ret, plain) = (fb.create_block(), fb.create_block());
                    fb.ins().brif(low, plain, &[], ret, &[]);
                    pending.push(Pending::After {
                        at: ret,
                        i,
                        cost: cost + ret_cost() as i64,
                        target: Target::Value(to),
                        loops: true,
                        returns: true,
                    });
                    pending.push(Pending::After {
                        at: plain,
                        i,
                        cost,
                        target: Target::Value(target),
                        loops: true,
                        returns: false,
                    });
                } else {
                    pending.push(Pending::After {
                        at: t,
                        i,
                        cost,
                        target: Target::Value(target),
                        loops: true,
                        returns: false,
                    });
                }
                fb.switch_to_block(cont);
            }
            Ok(Flow::Jump { target }) => {
                if op.flags & FOLLOW != 0 && i + 1 < ops.len() {
                    extra += op.taken as i64;
                    continue;
                }
                let t = fb.create_block();
                fb.ins().jump(t, &[]);
                pending.push(Pending::After {
                    at: t,
                    i,
                    cost: cost_after + op.taken as i64,
                    target: Target::Value(target),
                    loops: true,
                    returns: false,
                });
                open = false;
                break;
            }
        }
    }
    if open {
        // Past the last instruction: on at the next word.
        let i = ops.len() - 1;
        let op = &ops[i];
        let t = fb.create_block();
        fb.ins().jump(t, &[]);
        let cost = op.cost_before as i64 + extra + op.base as i64;
        pending.push(Pending::After {
            at: t,
            i,
            cost,
            target: Target::Const((vpage | op.off as u32).wrapping_add(4)),
            loops: true,
            returns: false,
        });
    }

    (written, pending)
}

/// Leaves before the instruction of `e` at debugger breakpoint `b` when one of its checks
/// holds (at op 0: in passes after the first, and without checks always).
fn break_test(e: &mut Emit, b: &BreakAt) {
    let holds = match &b.checks {
        Some(checks) => e.breaks(checks),
        None => e.fb.ins().iconst(types::I8, 1),
    };
    let holds = if b.op == 0 {
        let passes = field(e.fb, e.env.ctx, types::I64, offset_of!(Ctx, passes));
        let later = e.fb.ins().icmp_imm_u(IntCC::NotEqual, passes, 1);
        e.fb.ins().band(later, holds)
    } else {
        holds
    };
    e.guard(holds);
}

/// The exits after segment `k`'s body: each computes the counters at its boundary and goes
/// to "leave", or on to the next pass or segment.
fn exits(
    fb: &mut FunctionBuilder,
    frame: &Frame,
    segs: &[Segment],
    k: usize,
    pending: Vec<Pending>,
) {
    let seg = &segs[k];
    let (block, vpage, ops) = (seg.block, seg.vpage, seg.block.ops());
    let (ctx, paging, leave, nothing) = (frame.ctx, frame.paging, frame.leave, frame.nothing);
    let trace = segs.len() > 1;
    // Data accesses (loads and stores) before each instruction of a pass.
    let mut accesses_before = vec![0i64; ops.len() + 1];
    for (i, op) in ops.iter().enumerate() {
        let access = matches!(op.insn.op.info().kind, Kind::Load | Kind::Store);
        accesses_before[i + 1] = accesses_before[i] + access as i64;
    }
    // The data TLB hits at an exit: the accesses made less the refills (paging on).
    let hits = |fb: &mut FunctionBuilder, done: i64| {
        if !paging {
            return fb.ins().iconst(types::I64, 0);
        }
        let before = field(fb, ctx, types::I64, offset_of!(Ctx, accesses));
        let walks = field(fb, ctx, types::I64, offset_of!(Ctx, walks));
        let v = fb.ins().isub(before, walks);
        fb.ins().iadd_imm_s(v, done)
    };
    let pass_retired =
        |fb: &mut FunctionBuilder| field(fb, ctx, types::I64, offset_of!(Ctx, retired));
    // The exits.
    let entry_pc = seg.entry();
    for p in pending {
        match p {
            Pending::Before { at, i, extra } => {
                fb.switch_to_block(at);
                fb.set_cold_block(at);
                if i == 0 {
                    // Before the first instruction: nothing ran in the first pass; in a later
                    // one (or a later segment), the state of the boundary where it began.
                    if k == 0 {
                        let passes = field(fb, ctx, types::I64, offset_of!(Ctx, passes));
                        let again = fb.create_block();
                        let first_pass = fb.ins().icmp_imm_u(IntCC::Equal, passes, 1);
                        fb.ins().brif(first_pass, nothing, &[], again, &[]);
                        fb.switch_to_block(again);
                    }
                    let pc = fb.ins().iconst(types::I32, entry_pc as i64);
                    let cycles = field(fb, ctx, types::I64, offset_of!(Ctx, cycles));
                    let retired = pass_retired(fb);
                    let load = field(fb, ctx, types::I32, offset_of!(Ctx, last_load));
                    let hits = hits(fb, 0);
                    fb.ins()
                        .jump(leave, &args([pc, cycles, retired, load, hits]));
                } else {
                    let op = &ops[i];
                    let pc = fb.ins().iconst(types::I32, (vpage | op.off as u32) as i64);
                    let cycles = cycles_at(fb, ctx, op.cost_before as i64 + extra);
                    let retired = pass_retired(fb);
                    let retired = fb.ins().iadd_imm_s(retired, i as i64);
                    let load = fb.ins().iconst(types::I32, ops[i - 1].load_dest() as i64);
                    let hits = hits(fb, accesses_before[i]);
                    if trace {
                        count_run(fb, frame, seg.idx, cycles);
                    }
                    fb.ins()
                        .jump(leave, &args([pc, cycles, retired, load, hits]));
                }
            }
            Pending::After {
                at,
                i,
                cost,
                target,
                loops,
                returns,
            } => {
                fb.switch_to_block(at);
                let op = &ops[i];
                let target = match target {
                    Target::Value(v) => v,
                    Target::Const(pc) => fb.ins().iconst(types::I32, pc as i64),
                    Target::Gated => field(fb, ctx, types::I32, offset_of!(Ctx, next_pc)),
                };
                let cycles = cycles_at(fb, ctx, cost);
                let retired = pass_retired(fb);
                let retired = fb.ins().iadd_imm_s(retired, i as i64 + 1 + returns as i64);
                let last_load = op.load_dest();
                let load = fb.ins().iconst(types::I32, last_load as i64);
                let done = accesses_before[i + 1];
                if trace {
                    count_run(fb, frame, seg.idx, cycles);
                    let at = Boundary {
                        target,
                        cycles,
                        retired,
                        load,
                        last_load,
                        done,
                    };
                    // On to the next segment if the exit goes to its start. (After a
                    // segment that ends in a gate, the next is in another ring or page: it
                    // is reached only through the gate.)
                    let next = (k + 1) % segs.len();
                    if !loops || is_gate(&ops[ops.len() - 1]) {
                        leave_at(fb, frame, &at);
                        continue;
                    }
                    let to = segs[next].entry() as i64;
                    let go = fb.ins().icmp_imm_u(IntCC::Equal, target, to);
                    let (on, out) = (fb.create_block(), fb.create_block());
                    fb.ins().brif(go, on, &[], out, &[]);
                    fb.switch_to_block(out);
                    leave_at(fb, frame, &at);
                    fb.switch_to_block(on);
                    transition(fb, frame, segs, next, at);
                    continue;
                }
                let hit_count = hits(fb, done);
                let exit_args = args([target, cycles, retired, load, hit_count]);
                if !loops {
                    fb.ins().jump(leave, &exit_args);
                    continue;
                }
                // Back to the start for another pass if it surely fits.
                let start = fb.ins().icmp_imm_u(IntCC::Equal, target, entry_pc as i64);
                let loop_cycles = field(fb, ctx, types::I64, offset_of!(Ctx, loop_cycles));
                let loop_retired = field(fb, ctx, types::I64, offset_of!(Ctx, loop_retired));
                let fits_c = fb.ins().icmp(IntCC::UnsignedLessThan, cycles, loop_cycles);
                let fits_r = fb
                    .ins()
                    .icmp(IntCC::UnsignedLessThanOrEqual, retired, loop_retired);
                let fits = fb.ins().band(fits_c, fits_r);
                let go = fb.ins().band(start, fits);
                let again = fb.create_block();
                fb.ins().brif(go, again, &[], leave, &exit_args);
                fb.switch_to_block(again);
                next_pass(fb, ctx, block, cycles, retired, load, last_load, done);
                let passes = field(fb, ctx, types::I64, offset_of!(Ctx, passes));
                let passes = fb.ins().iadd_imm_s(passes, 1);
                set_field(fb, ctx, passes, offset_of!(Ctx, passes));
                fb.ins().jump(frame.starts[0], &[]);
            }
            Pending::Gated { at, i, cost } => {
                let done = accesses_before[i + 1];
                trace_code::gated_exit(fb, frame, segs, k, at, i, cost, done);
            }
        }
    }
}

/// "Leave": registers and counters back to the machine and `Ctx`; and the "nothing ran" exit.
fn epilogue(fb: &mut FunctionBuilder, env: &Env, frame: &Frame, written: u32) {
    let (ctx, leave, nothing) = (frame.ctx, frame.leave, frame.nothing);
    let regs = env.regs;
    // Leave: registers and counters back.
    fb.switch_to_block(leave);
    let p = fb.block_params(leave).to_vec();
    let regs_ptr = field(fb, ctx, env.ptr, offset_of!(Ctx, regs));
    for (r, var) in regs.iter().enumerate().skip(1) {
        if written & 1 << r != 0 {
            let v = fb.use_var(*var);
            fb.ins()
                .store(MemFlagsData::trusted(), v, regs_ptr, 4 * r as i32);
        }
    }
    set_field(fb, ctx, p[0], offset_of!(Ctx, next_pc));
    set_field(fb, ctx, p[1], offset_of!(Ctx, cycles));
    set_field(fb, ctx, p[2], offset_of!(Ctx, retired));
    set_field(fb, ctx, p[3], offset_of!(Ctx, last_load));
    set_field(fb, ctx, p[4], offset_of!(Ctx, data_hits));
    let code = fb.ins().iconst(types::I32, exit::LEFT as i64);
    fb.ins().return_(&[code]);

    fb.switch_to_block(nothing);
    fb.set_cold_block(nothing);
    let code = fb.ins().iconst(types::I32, exit::NOTHING as i64);
    fb.ins().return_(&[code]);
}

/// Cycles at `cost` static cycles past the pass start: pass start + `cost` + dynamic.
pub(super) fn cycles_at(fb: &mut FunctionBuilder, ctx: Value, cost: i64) -> Value {
    let start = field(fb, ctx, types::I64, offset_of!(Ctx, cycles));
    let dynamic = field(fb, ctx, types::I64, offset_of!(Ctx, dynamic));
    let v = fb.ins().iadd(start, dynamic);
    fb.ins().iadd_imm_s(v, cost)
}
