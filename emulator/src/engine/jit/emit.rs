//! IR building for one instruction: the JIT's [`Backend`]. The instruction's semantics (the
//! one definition in `exec`) run against this backend, which emits Cranelift IR for each call
//! instead of computing: values are IR values, registers are SSA variables, and a check the
//! fast path would decline on (a TLB miss, an access outside RAM, a zero divisor, a misaligned
//! jump) branches to a side exit that leaves the block *before* the instruction, nothing of it
//! done, so that the threaded engine runs it.

use super::ctx::Ctx;
use super::host_tlb::HostTlb;
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
#[derive(Clone, Copy)]
pub(super) struct Env {
    /// The host pointer type.
    pub ptr: Type,
    /// The guest registers (r0 unused: it reads 0).
    pub regs: [Variable; 32],
    /// The `Ctx` pointer (fields are loaded where used).
    pub ctx: Value,
    /// The checked-store helper's signature and address.
    pub store_sig: SigRef,
    /// See `store_sig`.
    pub store_fn: i64,
    /// The host TLB miss helper's signature and address.
    pub miss_sig: SigRef,
    /// See `miss_sig`.
    pub miss_fn: i64,
    /// The gate helpers' signatures and addresses (traces).
    pub gate_call_sig: SigRef,
    /// See `gate_call_sig`.
    pub gate_call_fn: i64,
    /// See `gate_call_sig`.
    pub gate_return_sig: SigRef,
    /// See `gate_call_sig`.
    pub gate_return_fn: i64,
    /// Paging is on (the block was translated for it).
    pub paging: bool,
    /// The ring the instruction runs in.
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
    /// The exit after this instruction, for an access after which the block must end (a
    /// store into translated code, a refill that evicted the code page's TLB entry), made
    /// when one needs it.
    pub exit_after: Option<Block>,
    /// The instruction's destination register (a load's, defined on the path that leaves
    /// after it from inside the access).
    pub rd: u8,
    /// Bit r set for every register some instruction of the function writes.
    pub written: &'a mut u32,
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
    pub(super) fn guard(&mut self, fail: Value) {
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

    /// 1 when one of debugger breakpoint `checks` holds (registers as they are here).
    pub(super) fn breaks(&mut self, checks: &[crate::engine::BreakCheck]) -> Value {
        use crate::engine::BreakCmp;
        let mut any = self.fb.ins().iconst(types::I8, 0);
        for c in checks {
            let x = crate::exec::Backend::reg(self, c.reg);
            let holds = match c.cmp {
                BreakCmp::Eq | BreakCmp::Ne => {
                    let cc = if c.cmp == BreakCmp::Eq {
                        IntCC::Equal
                    } else {
                        IntCC::NotEqual
                    };
                    let k = self.k32(c.value as u32);
                    self.fb.ins().icmp(cc, x, k)
                }
                cmp => {
                    let cc = match cmp {
                        BreakCmp::Lt => IntCC::SignedLessThan,
                        BreakCmp::Le => IntCC::SignedLessThanOrEqual,
                        BreakCmp::Gt => IntCC::SignedGreaterThan,
                        _ => IntCC::SignedGreaterThanOrEqual,
                    };
                    let x = self.fb.ins().uextend(types::I64, x);
                    let k = self.fb.ins().iconst(types::I64, c.value);
                    self.fb.ins().icmp(cc, x, k)
                }
            };
            any = self.fb.ins().bor(any, holds);
        }
        any
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

    /// An access of `mem` at virtual `addr` (`write`: a store of `v`), paging on: the host
    /// TLB's test inline (one compare of the address, alignment bits included, with the
    /// slot's tag for this ring and kind; see `host_tlb.rs`), then one add and the host
    /// access. On a miss, the helper out of line (the machine TLB's hit or refill, or the
    /// side exit), and the access by RAM index; when the helper says the block must end after
    /// this instruction, that path leaves after the access (a load's register written).
    /// Returns the loaded value.
    fn paged(&mut self, addr: Value, mem: Mem, write: bool, v: Value) -> Value {
        let size = mem.size();
        let ptr = self.env.ptr;
        let vpn = self.fb.ins().ushr_imm_u(addr, 12);
        let slot = self
            .fb
            .ins()
            .band_imm_u(vpn, (isa_spec::cost::TLB_ENTRIES - 1) as i64);
        let slot = self.fb.ins().uextend(ptr, slot);
        let host_tlb = self.ctx_ptr(offset_of!(Ctx, host_tlb));
        let off = self.fb.ins().ishl_imm_u(slot, 2);
        let at = self.fb.ins().iadd(host_tlb, off);
        let tag_off = HostTlb::tags_offset(write);
        let tag = self
            .fb
            .ins()
            .load(types::I32, MemFlagsData::trusted(), at, tag_off);
        let mask = self.k32(0xffff_f000 | (size - 1));
        let masked = self.fb.ins().band(addr, mask);
        let miss = self.fb.ins().icmp(IntCC::NotEqual, masked, tag);
        let (hit, slow, done) = (
            self.fb.create_block(),
            self.fb.create_block(),
            self.fb.create_block(),
        );
        self.fb.set_cold_block(slow);
        let value = self.fb.append_block_param(done, types::I32);
        self.fb.ins().brif(miss, slow, &[], hit, &[]);
        // A hit: one add, the host access.
        self.fb.switch_to_block(hit);
        let off = self.fb.ins().ishl_imm_u(slot, 3);
        let at = self.fb.ins().iadd(host_tlb, off);
        let addend = self.fb.ins().load(
            ptr,
            MemFlagsData::trusted(),
            at,
            HostTlb::addends_offset(write),
        );
        let va = self.fb.ins().uextend(ptr, addr);
        let host = self.fb.ins().iadd(va, addend);
        let loaded = if write {
            self.host_store(host, mem, v);
            v
        } else {
            self.host_load(host, mem)
        };
        self.fb.ins().jump(done, &args([loaded]));
        // A miss: the helper, then the access by RAM index (or the side exit).
        self.fb.switch_to_block(slow);
        let size_v = self.k32(size);
        let write_v = self.k32(write as u32);
        let ring_v = self.k32(self.env.ring as u32);
        let vpn_v = self.k32(self.pc >> 12);
        let ctx = self.env.ctx;
        // (The helper's address is made here, in the cold path, not kept live.)
        let helper = self.fb.ins().iconst(ptr, self.env.miss_fn);
        let call = self.fb.ins().call_indirect(
            self.env.miss_sig,
            helper,
            &[ctx, addr, size_v, write_v, ring_v, vpn_v],
        );
        let r = self.fb.inst_results(call)[0];
        let failed = self.fb.ins().icmp_imm_s(IntCC::Equal, r, -1);
        self.guard(failed);
        // (The guard's continuation is still the miss path: out of the hot code's way.)
        let here = self.fb.current_block().expect("a block");
        self.fb.set_cold_block(here);
        let pa = self.fb.ins().ireduce(types::I32, r);
        let loaded = if write {
            self.ram_store(addr, pa, mem, v);
            v
        } else {
            self.ram_load(pa, mem)
        };
        // Bit 32: the block must end after this instruction, which that path leaves, so
        // that the hot path tests nothing after the access.
        let ends = self.fb.ins().ushr_imm_u(r, 32);
        let (end, cont) = (self.fb.create_block(), self.fb.create_block());
        self.fb.set_cold_block(end);
        self.fb.set_cold_block(cont);
        self.fb.ins().brif(ends, end, &[], cont, &[]);
        self.fb.switch_to_block(end);
        let rd = self.rd & 31;
        if !write && rd != 0 {
            self.fb.def_var(self.env.regs[rd as usize], loaded);
            *self.written |= 1 << rd;
        }
        let exit = self.exit_after();
        self.fb.ins().jump(exit, &[]);
        self.fb.switch_to_block(cont);
        self.fb.ins().jump(done, &args([loaded]));
        self.fb.switch_to_block(done);
        value
    }

    /// The RAM index of an access of `mem` at `addr`, paging off (or the side exit):
    /// alignment, then RAM's bounds.
    fn unpaged(&mut self, addr: Value, mem: Mem) -> Value {
        let size = mem.size();
        if size > 1 {
            let low = self.fb.ins().band_imm_u(addr, (size - 1) as i64);
            self.guard(low);
        }
        self.in_ram(addr);
        addr
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

impl Emit<'_, '_> {
    /// The exit after this instruction (made on first use).
    fn exit_after(&mut self) -> Block {
        match self.exit_after {
            Some(b) => b,
            None => {
                let b = self.fb.create_block();
                self.fb.set_cold_block(b);
                self.exit_after = Some(b);
                b
            }
        }
    }

    /// A load of `mem` from RAM index `pa` (translated and checked): the chunk table, then
    /// one host load.
    fn ram_load(&mut self, pa: Value, mem: Mem) -> Value {
        let pa64 = self.fb.ins().uextend(self.env.ptr, pa);
        let base = self.slot(offset_of!(Ctx, chunks), pa64);
        let host = self.fb.ins().iadd(base, pa64);
        self.host_load(host, mem)
    }

    /// A load of `mem` from host address `host` (guest RAM, little-endian).
    fn host_load(&mut self, host: Value, mem: Mem) -> Value {
        let f = ram_flags();
        let ins = self.fb.ins();
        match mem {
            Mem::S8 => ins.sload8(types::I32, f, host, 0),
            Mem::U8 => ins.uload8(types::I32, f, host, 0),
            Mem::S16 => ins.sload16(types::I32, f, host, 0),
            Mem::U16 => ins.uload16(types::I32, f, host, 0),
            Mem::W32 => ins.load(types::I32, f, host, 0),
        }
    }

    /// A store of `v` (`mem`) at host address `host` (guest RAM, little-endian).
    fn host_store(&mut self, host: Value, mem: Mem, v: Value) {
        let f = ram_flags();
        match mem.size() {
            1 => self.fb.ins().istore8(f, v, host, 0),
            2 => self.fb.ins().istore16(f, v, host, 0),
            _ => self.fb.ins().store(f, v, host, 0),
        };
    }

    /// A store of `v` (`mem`) at RAM index `pa` (virtual `addr`; translated and checked): one
    /// host store into a chunk that takes plain stores, else the machine's checked store out
    /// of line, after which the block ends when it wrote translated code.
    fn ram_store(&mut self, addr: Value, pa: Value, mem: Mem, v: Value) {
        let pa64 = self.fb.ins().uextend(self.env.ptr, pa);
        let plain = self.slot(offset_of!(Ctx, plain), pa64);
        let (fast, slow, merge) = (
            self.fb.create_block(),
            self.fb.create_block(),
            self.fb.create_block(),
        );
        self.fb.set_cold_block(slow);
        self.fb.ins().brif(plain, fast, &[], slow, &[]);
        self.fb.switch_to_block(fast);
        let host = self.fb.ins().iadd(plain, pa64);
        self.host_store(host, mem, v);
        self.fb.ins().jump(merge, &[]);
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
        let exit = self.exit_after();
        self.fb.ins().brif(ends, exit, &[], merge, &[]);
        self.fb.switch_to_block(merge);
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
        if self.env.paging {
            let unused = self.k32(0);
            return Ok(self.paged(addr, mem, false, unused));
        }
        let pa = self.unpaged(addr, mem);
        Ok(self.ram_load(pa, mem))
    }
    fn store(&mut self, addr: Value, mem: Mem, v: Value) -> Result<(), Unsupported> {
        if self.env.paging {
            self.paged(addr, mem, true, v);
            return Ok(());
        }
        let pa = self.unpaged(addr, mem);
        self.ram_store(addr, pa, mem, v);
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
