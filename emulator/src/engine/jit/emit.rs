//! IR building for one instruction: the JIT's [`Backend`]. The instruction's semantics (the
//! one definition in `exec`) run against this backend, which emits Cranelift IR for each call
//! instead of computing: values are IR values, registers are SSA variables, and a check the
//! fast path would decline on (a TLB miss, an access outside RAM, a zero divisor, a misaligned
//! jump) branches to a side exit that leaves the block *before* the instruction, nothing of it
//! done, so that the threaded engine runs it.

use super::ctx::{Ctx, TlbLayout};
use crate::exec::{Backend, Bin, Values};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, Block, BlockArg, Endianness, InstBuilder, MemFlagsData, SigRef, Type, Value,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use isa_spec::{Cond, Mem};
use std::mem::offset_of;

/// Where an instruction goes after it completed.
pub(super) enum Flow {
    /// To the next instruction (pc + 4).
    Next,
    /// To `target` if `taken` is not 0, else to pc + 4.
    Branch {
        /// 1 if taken.
        taken: Value,
        /// The target.
        target: Value,
    },
    /// To `target`.
    Jump {
        /// The target.
        target: Value,
    },
}

/// The instruction is not compiled (gates, traps, system instructions, `cas`): the block
/// leaves before it and the threaded engine runs it.
pub(super) struct Unsupported;

/// What every instruction's code of one function uses: values computed once at its entry.
pub(super) struct Env {
    /// The host pointer type.
    pub ptr: Type,
    /// The guest registers (r0 unused: it reads 0).
    pub regs: [Variable; 32],
    /// The `Ctx` pointer (fields are loaded where used).
    pub ctx: Value,
    /// Where the TLB's tables are, from `Ctx::tlb`.
    pub tlb: TlbLayout,
    /// The checked-store helper's signature and address.
    pub store_sig: SigRef,
    /// See `store_sig`.
    pub store_fn: i64,
    /// The refill helper's signature and address.
    pub refill_sig: SigRef,
    /// See `refill_sig`.
    pub refill_fn: i64,
    /// Paging is on (the block was translated for it).
    pub paging: bool,
    /// The ring the block runs in.
    pub ring: u8,
}

/// The JIT's backend for one instruction at `pc`.
pub(super) struct Emit<'a, 'f> {
    /// Where IR goes.
    pub fb: &'a mut FunctionBuilder<'f>,
    /// The function's values.
    pub env: &'a Env,
    /// The instruction's address.
    pub pc: u32,
    /// The side exit before this instruction, made when a check first needs it.
    pub side: Option<Block>,
    /// The exit after this instruction, for a store into translated code (the block must end
    /// after it), made when a store needs it.
    pub store_exit: Option<Block>,
    /// Bit r set for every register some instruction of the function writes.
    pub written: &'a mut u32,
    /// A TLB refill was emitted: the block tests `must_exit` after the instruction.
    pub walked: bool,
}

/// Flags of a guest RAM access: it cannot trap (translated and bounds-checked first), and RAM
/// is little-endian whatever the host is.
fn ram_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_notrap()
        .with_endianness(Endianness::Little)
}

impl Emit<'_, '_> {
    /// Leaves the block before this instruction when `fail` is not 0.
    fn guard(&mut self, fail: Value) {
        let side = match self.side {
            Some(b) => b,
            None => {
                let b = self.fb.create_block();
                self.fb.set_cold_block(b);
                self.side = Some(b);
                b
            }
        };
        let cont = self.fb.create_block();
        self.fb.ins().brif(fail, side, &[], cont, &[]);
        self.fb.switch_to_block(cont);
    }

    /// A 32-bit constant.
    fn k32(&mut self, x: u32) -> Value {
        self.fb.ins().iconst(types::I32, x as i64)
    }

    /// A pointer-sized `Ctx` field, loaded where it is used (cheaper than keeping it live
    /// across the block: the registers are better spent on guest registers).
    fn ctx_ptr(&mut self, off: usize) -> Value {
        let (ptr, ctx) = (self.env.ptr, self.env.ctx);
        self.fb
            .ins()
            .load(ptr, MemFlagsData::trusted(), ctx, off as i32)
    }

    /// The RAM index of an access of `mem` at virtual `addr` (as a 32- and a pointer-width
    /// value), or the side exit: the TLB hit test the fast path makes (`Tlb::permitted_hit`:
    /// one compare of the address, alignment bits included, with the slot's permitted tag,
    /// which only a page wholly in RAM has); on a miss, the fast path's refill out of line.
    /// Paging off: alignment, then RAM's bounds.
    fn translate(&mut self, addr: Value, mem: Mem, write: bool) -> (Value, Value) {
        let size = mem.size();
        let ptr = self.env.ptr;
        let pa = if self.env.paging {
            let vpn = self.fb.ins().ushr_imm_u(addr, 12);
            let slot = self
                .fb
                .ins()
                .band_imm_u(vpn, (isa_spec::cost::TLB_ENTRIES - 1) as i64);
            let slot = self.fb.ins().uextend(ptr, slot);
            let off = self.fb.ins().ishl_imm_u(slot, 2);
            let tlb = self.ctx_ptr(offset_of!(Ctx, tlb));
            let at = self.fb.ins().iadd(tlb, off);
            let layout = self.env.tlb;
            let tag_off = layout.tags(write, self.env.ring);
            let tag = self
                .fb
                .ins()
                .load(types::I32, MemFlagsData::trusted(), at, tag_off);
            let mask = self.k32(0xffff_f000 | (size - 1));
            let masked = self.fb.ins().band(addr, mask);
            let miss = self.fb.ins().icmp(IntCC::NotEqual, masked, tag);
            let (hit, walk, merge) = (
                self.fb.create_block(),
                self.fb.create_block(),
                self.fb.create_block(),
            );
            self.fb.set_cold_block(walk);
            let pa = self.fb.append_block_param(merge, types::I32);
            self.fb.ins().brif(miss, walk, &[], hit, &[]);
            // A hit: one add (data tags are set only for pages wholly in RAM: no bounds).
            self.fb.switch_to_block(hit);
            let addend =
                self.fb
                    .ins()
                    .load(types::I32, MemFlagsData::trusted(), at, layout.addends);
            let pa_hit = self.fb.ins().iadd(addr, addend);
            self.fb.ins().jump(merge, &args([pa_hit]));
            // A miss: the refill (which finds RAM or declines), or the side exit.
            self.fb.switch_to_block(walk);
            let size_v = self.k32(size);
            let write_v = self.k32(write as u32);
            let ring_v = self.k32(self.env.ring as u32);
            let vpn_v = self.k32(self.pc >> 12);
            let ctx = self.env.ctx;
            // (The helper's address is made here, in the cold path, not kept live.)
            let refill = self.fb.ins().iconst(ptr, self.env.refill_fn);
            let call = self.fb.ins().call_indirect(
                self.env.refill_sig,
                refill,
                &[ctx, addr, size_v, write_v, ring_v, vpn_v],
            );
            let r = self.fb.inst_results(call)[0];
            let failed = self.fb.ins().icmp_imm_s(IntCC::Equal, r, -1);
            self.guard(failed);
            let pa_walk = self.fb.ins().ireduce(types::I32, r);
            self.walked = true;
            self.fb.ins().jump(merge, &args([pa_walk]));
            self.fb.switch_to_block(merge);
            pa
        } else {
            if size > 1 {
                let low = self.fb.ins().band_imm_u(addr, (size - 1) as i64);
                self.guard(low);
            }
            self.in_ram(addr);
            addr
        };
        let pa64 = self.fb.ins().uextend(ptr, pa);
        (pa, pa64)
    }

    /// Leaves the block before this instruction unless the aligned access at `pa` is in
    /// RAM: `pa` below RAM's size rounded down to a word (for an aligned access of at most
    /// a word, the same test as `Ram::contains`; an access in a last partial word leaves).
    fn in_ram(&mut self, pa: Value) {
        let end = self.fb.ins().load(
            types::I32,
            MemFlagsData::trusted(),
            self.env.ctx,
            offset_of!(Ctx, ram_words_end) as i32,
        );
        let outside = self
            .fb
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, pa, end);
        self.guard(outside);
    }

    /// The slot of the `Ctx` table at `table` (chunk or plain-store table) for RAM index
    /// `pa64`: a biased pointer, which plus `pa64` addresses the byte.
    fn slot(&mut self, table: usize, pa64: Value) -> Value {
        let table = self.ctx_ptr(table);
        let chunk = self.fb.ins().ushr_imm_u(pa64, 16);
        let off = self.fb.ins().ishl_imm_u(chunk, 3);
        let at = self.fb.ins().iadd(table, off);
        self.fb
            .ins()
            .load(self.env.ptr, MemFlagsData::trusted(), at, 0)
    }
}

impl Values for Emit<'_, '_> {
    type V = Value;

    fn konst(&mut self, x: u32) -> Value {
        self.k32(x)
    }

    fn bin(&mut self, op: Bin, a: Value, b: Value) -> Value {
        if matches!(op, Bin::Div | Bin::Divu | Bin::Rem | Bin::Remu) {
            return self.divide(op, a, b);
        }
        let ins = self.fb.ins();
        match op {
            Bin::Add => ins.iadd(a, b),
            Bin::Sub => ins.isub(a, b),
            Bin::And => ins.band(a, b),
            Bin::Or => ins.bor(a, b),
            Bin::Xor => ins.bxor(a, b),
            // Cranelift shifts by the amount modulo the width, as RF32 does (`b & 31`).
            Bin::Sll => ins.ishl(a, b),
            Bin::Srl => ins.ushr(a, b),
            Bin::Sra => ins.sshr(a, b),
            Bin::Mul => ins.imul(a, b),
            Bin::Mulh => ins.smulhi(a, b),
            Bin::Mulhu => ins.umulhi(a, b),
            Bin::Div | Bin::Divu | Bin::Rem | Bin::Remu => unreachable!("divided above"),
        }
    }

    fn cmp(&mut self, c: Cond, a: Value, b: Value) -> Value {
        let cc = match c {
            Cond::Eq => IntCC::Equal,
            Cond::Ne => IntCC::NotEqual,
            Cond::Lt => IntCC::SignedLessThan,
            Cond::Ge => IntCC::SignedGreaterThanOrEqual,
            Cond::Ltu => IntCC::UnsignedLessThan,
            Cond::Geu => IntCC::UnsignedGreaterThanOrEqual,
        };
        let t = self.fb.ins().icmp(cc, a, b);
        self.fb.ins().uextend(types::I32, t)
    }
}

impl Emit<'_, '_> {
    /// A division or remainder as [`Bin::apply`] defines it, with host division never asked
    /// to trap: the divisor is replaced by 1 where it is 0 (the semantics left the block
    /// before that: `divisor`) or, signed, -1 (`INT_MIN / -1`), and those results selected.
    fn divide(&mut self, op: Bin, a: Value, b: Value) -> Value {
        let zero = self.k32(0);
        let one = self.k32(1);
        let minus1 = self.k32(u32::MAX);
        let is_zero = self.fb.ins().icmp(IntCC::Equal, b, zero);
        let signed = matches!(op, Bin::Div | Bin::Rem);
        let is_m1 = self.fb.ins().icmp(IntCC::Equal, b, minus1);
        let bad = if signed {
            self.fb.ins().bor(is_zero, is_m1)
        } else {
            is_zero
        };
        let safe = self.fb.ins().select(bad, one, b);
        let q = match op {
            Bin::Div => self.fb.ins().sdiv(a, safe),
            Bin::Divu => self.fb.ins().udiv(a, safe),
            Bin::Rem => self.fb.ins().srem(a, safe),
            _ => self.fb.ins().urem(a, safe),
        };
        let q = match op {
            // a / -1 = -a (wrapping); a % -1 = 0.
            Bin::Div => {
                let neg = self.fb.ins().ineg(a);
                self.fb.ins().select(is_m1, neg, q)
            }
            Bin::Rem => self.fb.ins().select(is_m1, zero, q),
            _ => q,
        };
        self.fb.ins().select(is_zero, zero, q)
    }
}

impl Backend for Emit<'_, '_> {
    type Out = Flow;
    type Stop = Unsupported;

    fn reg(&mut self, r: u8) -> Value {
        match r & 31 {
            0 => self.k32(0),
            r => self.fb.use_var(self.env.regs[r as usize]),
        }
    }
    fn set_reg(&mut self, r: u8, v: Value) {
        let r = r & 31;
        if r != 0 {
            self.fb.def_var(self.env.regs[r as usize], v);
            *self.written |= 1 << r;
        }
    }
    fn pc(&mut self) -> Value {
        self.k32(self.pc)
    }
    fn pc_rel(&mut self, off: i32) -> Value {
        self.k32(self.pc.wrapping_add(off as u32) & !3)
    }
    fn divisor(&mut self, d: Value) -> Result<Value, Unsupported> {
        let zero = self.fb.ins().icmp_imm_u(IntCC::Equal, d, 0);
        self.guard(zero);
        Ok(d)
    }
    fn load(&mut self, addr: Value, mem: Mem) -> Result<Value, Unsupported> {
        let (_, pa64) = self.translate(addr, mem, false);
        let base = self.slot(offset_of!(Ctx, chunks), pa64);
        let host = self.fb.ins().iadd(base, pa64);
        let f = ram_flags();
        let ins = self.fb.ins();
        Ok(match mem {
            Mem::S8 => ins.sload8(types::I32, f, host, 0),
            Mem::U8 => ins.uload8(types::I32, f, host, 0),
            Mem::S16 => ins.sload16(types::I32, f, host, 0),
            Mem::U16 => ins.uload16(types::I32, f, host, 0),
            Mem::W32 => ins.load(types::I32, f, host, 0),
        })
    }
    fn store(&mut self, addr: Value, mem: Mem, v: Value) -> Result<(), Unsupported> {
        let (pa, pa64) = self.translate(addr, mem, true);
        let plain = self.slot(offset_of!(Ctx, plain), pa64);
        let (fast, slow, merge) = (
            self.fb.create_block(),
            self.fb.create_block(),
            self.fb.create_block(),
        );
        self.fb.set_cold_block(slow);
        self.fb.ins().brif(plain, fast, &[], slow, &[]);
        // A chunk that takes plain stores: one host store.
        self.fb.switch_to_block(fast);
        let host = self.fb.ins().iadd(plain, pa64);
        let f = ram_flags();
        match mem.size() {
            1 => self.fb.ins().istore8(f, v, host, 0),
            2 => self.fb.ins().istore16(f, v, host, 0),
            _ => self.fb.ins().store(f, v, host, 0),
        };
        self.fb.ins().jump(merge, &[]);
        // Else the machine's checked store, out of line; after a store into translated code
        // the block ends (after this instruction).
        self.fb.switch_to_block(slow);
        let size = self.k32(mem.size());
        let machine = self.ctx_ptr(offset_of!(Ctx, machine));
        let args = [machine, addr, pa, size, v];
        let store = self.fb.ins().iconst(self.env.ptr, self.env.store_fn);
        let call = self
            .fb
            .ins()
            .call_indirect(self.env.store_sig, store, &args);
        let ends = self.fb.inst_results(call)[0];
        let exit = self.fb.create_block();
        self.fb.set_cold_block(exit);
        self.store_exit = Some(exit);
        self.fb.ins().brif(ends, exit, &[], merge, &[]);
        self.fb.switch_to_block(merge);
        Ok(())
    }
    fn cas(&mut self, _: Value, _: Value, _: Value) -> Result<Value, Unsupported> {
        Err(Unsupported)
    }
    fn next(&mut self) -> Flow {
        Flow::Next
    }
    fn branch(&mut self, taken: Value, target: Value) -> Flow {
        Flow::Branch { taken, target }
    }
    fn jump(&mut self, rd: u8, link: Value, target: Value) -> Result<Flow, Unsupported> {
        // A misaligned target faults at the next fetch: the threaded engine runs the jump.
        let low = self.fb.ins().band_imm_u(target, 3);
        self.guard(low);
        self.set_reg(rd, link);
        Ok(Flow::Jump { target })
    }
    fn callg(&mut self, _: u32) -> Result<Flow, Unsupported> {
        Err(Unsupported)
    }
    fn retg(&mut self) -> Result<Flow, Unsupported> {
        Err(Unsupported)
    }
    fn trap(&mut self, _: u32) -> Result<Flow, Unsupported> {
        Err(Unsupported)
    }
    fn breakpoint(&mut self) -> Result<Flow, Unsupported> {
        Err(Unsupported)
    }
    fn iret(&mut self) -> Result<Flow, Unsupported> {
        Err(Unsupported)
    }
    fn halt(&mut self, _: Value) -> Result<Flow, Unsupported> {
        Err(Unsupported)
    }
    fn wfi(&mut self) -> Result<Flow, Unsupported> {
        Err(Unsupported)
    }
    fn tlb_flush(&mut self) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
    fn tlb_invalidate(&mut self, _: Value) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
    fn read_cr(&mut self, _: u8) -> Result<Value, Unsupported> {
        Err(Unsupported)
    }
    fn write_cr(&mut self, _: u8, _: Value) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
}

/// Block arguments of values.
pub(super) fn args<const N: usize>(v: [Value; N]) -> [BlockArg; N] {
    v.map(BlockArg::Value)
}
