//! Each RF32 instruction's semantics, written once against [`Backend`]; the full path
//! ([`full`]) and the fast path ([`fast`]) are its two implementations.
//!
//! [`Semantics`] is generated from the op table (`isa_spec::for_each_op!`) with one function
//! per row, so a table row without semantics does not compile. A semantics function reads
//! operands, computes and writes results through the backend, and ends in the backend's
//! control-flow result; it never names the machine, so a later compiling backend can
//! implement [`Backend`] by emitting code for each call instead of computing.

pub mod fast;
pub mod full;
pub mod retire;

use isa_spec::{Cond, Insn, Mem, OpInfo, Opcode, OPS};

/// A two-operand operation on 32-bit values: what the ALU computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bin {
    /// Wrapping addition.
    Add,
    /// Wrapping subtraction.
    Sub,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise exclusive or.
    Xor,
    /// Shift left by `b & 31`.
    Sll,
    /// Logical shift right by `b & 31`.
    Srl,
    /// Arithmetic shift right by `b & 31`.
    Sra,
    /// Low 32 bits of the product.
    Mul,
    /// High 32 bits of the signed product.
    Mulh,
    /// High 32 bits of the unsigned product.
    Mulhu,
    /// Signed quotient toward zero (`INT_MIN / -1` = `INT_MIN`); `b` is not 0.
    Div,
    /// Unsigned quotient; `b` is not 0.
    Divu,
    /// Signed remainder, sign of `a` (`INT_MIN % -1` = 0); `b` is not 0.
    Rem,
    /// Unsigned remainder; `b` is not 0.
    Remu,
}

impl Bin {
    /// The value of `a op b`. (Division by zero gives 0; semantics never ask: they check the
    /// divisor first, [`Backend::divisor`].)
    #[inline(always)]
    pub fn apply(self, a: u32, b: u32) -> u32 {
        match self {
            Bin::Add => a.wrapping_add(b),
            Bin::Sub => a.wrapping_sub(b),
            Bin::And => a & b,
            Bin::Or => a | b,
            Bin::Xor => a ^ b,
            Bin::Sll => a << (b & 31),
            Bin::Srl => a >> (b & 31),
            Bin::Sra => ((a as i32) >> (b & 31)) as u32,
            Bin::Mul => a.wrapping_mul(b),
            Bin::Mulh => ((a as i32 as i64 * b as i32 as i64) >> 32) as u32,
            Bin::Mulhu => ((a as u64 * b as u64) >> 32) as u32,
            Bin::Div if b != 0 => (a as i32).wrapping_div(b as i32) as u32,
            Bin::Divu if b != 0 => a / b,
            Bin::Rem if b != 0 => (a as i32).wrapping_rem(b as i32) as u32,
            Bin::Remu if b != 0 => a % b,
            Bin::Div | Bin::Divu | Bin::Rem | Bin::Remu => 0,
        }
    }
}

/// Values and the operations on them: numbers when interpreting (every [`Computes`] backend),
/// values in the emitted code when compiling.
pub trait Values {
    /// A 32-bit value.
    type V: Copy;
    /// A constant.
    fn konst(&mut self, x: u32) -> Self::V;
    /// `a op b`.
    fn bin(&mut self, op: Bin, a: Self::V, b: Self::V) -> Self::V;
    /// 1 if `c` holds for `a`, `b`, else 0.
    fn cmp(&mut self, c: Cond, a: Self::V, b: Self::V) -> Self::V;
}

/// A backend that computes: its values are the numbers themselves.
pub trait Computes {}

impl<T: Computes> Values for T {
    type V = u32;
    #[inline(always)]
    fn konst(&mut self, x: u32) -> u32 {
        x
    }
    #[inline(always)]
    fn bin(&mut self, op: Bin, a: u32, b: u32) -> u32 {
        op.apply(a, b)
    }
    #[inline(always)]
    fn cmp(&mut self, c: Cond, a: u32, b: u32) -> u32 {
        c.holds(a, b) as u32
    }
}

/// What an instruction's semantics need from whatever runs them: registers, values and
/// operations on them ([`Values`]), memory, control flow, and the machine's own operations
/// (gates, exceptions, the TLB, control registers, whose rules are implemented once in the
/// machine).
///
/// A method returning `Err(Stop)` has changed nothing; the semantics then stop too.
pub trait Backend: Values {
    /// Where execution goes after an instruction that completed.
    type Out;
    /// Why an instruction did not complete (a fault; for the fast path, "run the full path").
    type Stop;

    /// Register `r` (r0 reads 0).
    fn reg(&mut self, r: u8) -> Self::V;
    /// Writes register `r` (writes to r0 are dropped).
    fn set_reg(&mut self, r: u8, v: Self::V);
    /// The address of the instruction.
    fn pc(&mut self) -> Self::V;
    /// `pc + off` for a branch or `jal` offset (always a multiple of 4).
    fn pc_rel(&mut self, off: i32) -> Self::V;
    /// `d`, or the divide-by-zero exception when it is 0.
    fn divisor(&mut self, d: Self::V) -> Result<Self::V, Self::Stop>;
    /// Loads `mem` at virtual `addr` in the current ring, extended to 32 bits.
    fn load(&mut self, addr: Self::V, mem: Mem) -> Result<Self::V, Self::Stop>;
    /// Stores the low bytes of `v` (`mem`'s width) at virtual `addr`.
    fn store(&mut self, addr: Self::V, mem: Mem, v: Self::V) -> Result<(), Self::Stop>;
    /// `cas`: the word at `addr` (translated as a write), replaced by `new` if it equals
    /// `expected`.
    fn cas(
        &mut self,
        addr: Self::V,
        expected: Self::V,
        new: Self::V,
    ) -> Result<Self::V, Self::Stop>;
    /// Continue at pc + 4.
    fn next(&mut self) -> Self::Out;
    /// Continue at `target` if `taken` is not 0, else at pc + 4.
    fn branch(&mut self, taken: Self::V, target: Self::V) -> Self::Out;
    /// Write `link` to `rd` and continue at `target` (given together: the fast path leaves a
    /// misaligned target, which faults at the next fetch, to the full path before writing).
    fn jump(&mut self, rd: u8, link: Self::V, target: Self::V) -> Result<Self::Out, Self::Stop>;
    /// `callg gate`.
    fn callg(&mut self, gate: u32) -> Result<Self::Out, Self::Stop>;
    /// `retg`.
    fn retg(&mut self) -> Result<Self::Out, Self::Stop>;
    /// `trap v`: retire, then deliver vector `v` if the caller may.
    fn trap(&mut self, v: u32) -> Result<Self::Out, Self::Stop>;
    /// `brk`: retire, then deliver the breakpoint exception.
    fn breakpoint(&mut self) -> Result<Self::Out, Self::Stop>;
    /// `iret`.
    fn iret(&mut self) -> Result<Self::Out, Self::Stop>;
    /// `halt` with exit code `code`.
    fn halt(&mut self, code: Self::V) -> Result<Self::Out, Self::Stop>;
    /// `wfi`: retire, then sleep until an interrupt is pending.
    fn wfi(&mut self) -> Result<Self::Out, Self::Stop>;
    /// Invalidate every TLB entry.
    fn tlb_flush(&mut self) -> Result<(), Self::Stop>;
    /// Invalidate the TLB entry of the page of `va`.
    fn tlb_invalidate(&mut self, va: Self::V) -> Result<(), Self::Stop>;
    /// Control register `n`.
    fn read_cr(&mut self, n: u8) -> Result<Self::V, Self::Stop>;
    /// Writes control register `n` (with its side effects).
    fn write_cr(&mut self, n: u8, v: Self::V) -> Result<(), Self::Stop>;
}

/// What a semantics function returns.
pub type Done<B> = Result<<B as Backend>::Out, <B as Backend>::Stop>;

macro_rules! define_semantics {
    ($($variant:ident $mn:literal $fmt:ident $major:literal $funct:literal $cyc:literal $privd:ident $kind:ident $mem:tt $cond:tt $sum:literal;)*) => {
        /// The semantics of every instruction: one function per row of the op table, named as
        /// its `Opcode` variant. Generated from the table, so a row without semantics is a
        /// missing trait item: a compile error. `row` is the instruction's table row.
        #[allow(non_snake_case)]
        pub trait Semantics {
            $(
                #[doc = concat!("`", $mn, "`: `", $sum, "`")]
                fn $variant<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B>;
            )*
        }

        /// Runs `i`'s semantics on `b`.
        #[inline(always)]
        pub fn run<B: Backend>(b: &mut B, i: &Insn) -> Done<B> {
            match i.op {
                $(Opcode::$variant => <Rf32 as Semantics>::$variant(
                    b,
                    i,
                    const { &OPS[Opcode::$variant as usize] },
                ),)*
            }
        }
    };
}
isa_spec::for_each_op!(define_semantics);

/// RF32's semantics (the one implementation of [`Semantics`]).
pub struct Rf32;

/// `rd = rs1 op rs2`.
#[inline(always)]
fn reg_reg<B: Backend>(b: &mut B, i: &Insn, op: Bin) -> Done<B> {
    let x = b.reg(i.rs1);
    let y = b.reg(i.rs2);
    let v = b.bin(op, x, y);
    b.set_reg(i.rd, v);
    Ok(b.next())
}

/// `rd = rs1 op imm` (the immediate as decoded: sign- or zero-extended, or a shift amount).
#[inline(always)]
fn reg_imm<B: Backend>(b: &mut B, i: &Insn, op: Bin) -> Done<B> {
    let x = b.reg(i.rs1);
    let y = b.konst(i.imm as u32);
    let v = b.bin(op, x, y);
    b.set_reg(i.rd, v);
    Ok(b.next())
}

/// `rd = (rs1 c y) ? 1 : 0` with `y` from `rs2` or the immediate.
#[inline(always)]
fn set_if<B: Backend>(b: &mut B, i: &Insn, c: Cond, imm: bool) -> Done<B> {
    let x = b.reg(i.rs1);
    let y = if imm {
        b.konst(i.imm as u32)
    } else {
        b.reg(i.rs2)
    };
    let v = b.cmp(c, x, y);
    b.set_reg(i.rd, v);
    Ok(b.next())
}

/// `rd = rs1 op rs2` for a division: the divide-by-zero exception when rs2 is 0.
#[inline(always)]
fn divide<B: Backend>(b: &mut B, i: &Insn, op: Bin) -> Done<B> {
    let x = b.reg(i.rs1);
    let y = b.reg(i.rs2);
    let y = b.divisor(y)?;
    let v = b.bin(op, x, y);
    b.set_reg(i.rd, v);
    Ok(b.next())
}

/// The effective address `rs1 + imm` of a load, store or `jalr`.
#[inline(always)]
fn effective<B: Backend>(b: &mut B, i: &Insn) -> B::V {
    let base = b.reg(i.rs1);
    let off = b.konst(i.imm as u32);
    b.bin(Bin::Add, base, off)
}

/// The width of a load's or store's access (the table's `mem` column; a test checks that
/// every load and store row has one).
#[inline(always)]
fn width(row: &OpInfo) -> Mem {
    match row.mem {
        Some(m) => m,
        None => panic!("no access width in the table"),
    }
}

/// `rd = extend(mem[rs1 + imm])`.
#[inline(always)]
fn load<B: Backend>(b: &mut B, i: &Insn, row: &OpInfo) -> Done<B> {
    let addr = effective(b, i);
    let v = b.load(addr, width(row))?;
    b.set_reg(i.rd, v);
    Ok(b.next())
}

/// `mem[rs1 + imm] = rs2`.
#[inline(always)]
fn store<B: Backend>(b: &mut B, i: &Insn, row: &OpInfo) -> Done<B> {
    let addr = effective(b, i);
    let v = b.reg(i.rs2);
    b.store(addr, width(row), v)?;
    Ok(b.next())
}

/// `if rs1 cond rs2: pc = pc + imm`.
#[inline(always)]
fn branch<B: Backend>(b: &mut B, i: &Insn, row: &OpInfo) -> Done<B> {
    let Some(c) = row.cond else {
        panic!("no condition in the table")
    };
    let x = b.reg(i.rs1);
    let y = b.reg(i.rs2);
    let taken = b.cmp(c, x, y);
    let target = b.pc_rel(i.imm);
    Ok(b.branch(taken, target))
}

/// The return address of a jump.
#[inline(always)]
fn link<B: Backend>(b: &mut B) -> B::V {
    let pc = b.pc();
    let four = b.konst(4);
    b.bin(Bin::Add, pc, four)
}

/// The semantics proper, one function per instruction (see [`Semantics`]).
#[allow(non_snake_case)]
impl Semantics for Rf32 {
    #[inline(always)]
    fn Add<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Add)
    }
    #[inline(always)]
    fn Sub<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Sub)
    }
    #[inline(always)]
    fn And<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::And)
    }
    #[inline(always)]
    fn Or<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Or)
    }
    #[inline(always)]
    fn Xor<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Xor)
    }
    #[inline(always)]
    fn Sll<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Sll)
    }
    #[inline(always)]
    fn Srl<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Srl)
    }
    #[inline(always)]
    fn Sra<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Sra)
    }
    #[inline(always)]
    fn Slt<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        set_if(b, i, Cond::Lt, false)
    }
    #[inline(always)]
    fn Sltu<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        set_if(b, i, Cond::Ltu, false)
    }
    #[inline(always)]
    fn Mul<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Mul)
    }
    #[inline(always)]
    fn Mulh<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Mulh)
    }
    #[inline(always)]
    fn Mulhu<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_reg(b, i, Bin::Mulhu)
    }
    #[inline(always)]
    fn Div<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        divide(b, i, Bin::Div)
    }
    #[inline(always)]
    fn Divu<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        divide(b, i, Bin::Divu)
    }
    #[inline(always)]
    fn Rem<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        divide(b, i, Bin::Rem)
    }
    #[inline(always)]
    fn Remu<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        divide(b, i, Bin::Remu)
    }
    #[inline(always)]
    fn Addi<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_imm(b, i, Bin::Add)
    }
    #[inline(always)]
    fn Slti<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        set_if(b, i, Cond::Lt, true)
    }
    #[inline(always)]
    fn Sltiu<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        set_if(b, i, Cond::Ltu, true)
    }
    #[inline(always)]
    fn Andi<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_imm(b, i, Bin::And)
    }
    #[inline(always)]
    fn Ori<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_imm(b, i, Bin::Or)
    }
    #[inline(always)]
    fn Xori<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_imm(b, i, Bin::Xor)
    }
    #[inline(always)]
    fn Slli<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_imm(b, i, Bin::Sll)
    }
    #[inline(always)]
    fn Srli<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_imm(b, i, Bin::Srl)
    }
    #[inline(always)]
    fn Srai<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        reg_imm(b, i, Bin::Sra)
    }
    #[inline(always)]
    fn Lui<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let v = b.konst((i.imm as u32) << 16);
        b.set_reg(i.rd, v);
        Ok(b.next())
    }
    #[inline(always)]
    fn Auipc<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let pc = b.pc();
        let hi = b.konst((i.imm as u32) << 16);
        let v = b.bin(Bin::Add, pc, hi);
        b.set_reg(i.rd, v);
        Ok(b.next())
    }
    #[inline(always)]
    fn Lb<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        load(b, i, row)
    }
    #[inline(always)]
    fn Lh<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        load(b, i, row)
    }
    #[inline(always)]
    fn Lw<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        load(b, i, row)
    }
    #[inline(always)]
    fn Lbu<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        load(b, i, row)
    }
    #[inline(always)]
    fn Lhu<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        load(b, i, row)
    }
    #[inline(always)]
    fn Sb<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        store(b, i, row)
    }
    #[inline(always)]
    fn Sh<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        store(b, i, row)
    }
    #[inline(always)]
    fn Sw<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        store(b, i, row)
    }
    #[inline(always)]
    fn Beq<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        branch(b, i, row)
    }
    #[inline(always)]
    fn Bne<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        branch(b, i, row)
    }
    #[inline(always)]
    fn Blt<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        branch(b, i, row)
    }
    #[inline(always)]
    fn Bge<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        branch(b, i, row)
    }
    #[inline(always)]
    fn Bltu<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        branch(b, i, row)
    }
    #[inline(always)]
    fn Bgeu<B: Backend>(b: &mut B, i: &Insn, row: &'static OpInfo) -> Done<B> {
        branch(b, i, row)
    }
    #[inline(always)]
    fn Jal<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let target = b.pc_rel(i.imm);
        let link = link(b);
        b.jump(i.rd, link, target)
    }
    #[inline(always)]
    fn Jalr<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let target = effective(b, i);
        let link = link(b);
        b.jump(i.rd, link, target)
    }
    #[inline(always)]
    fn Cas<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let addr = b.reg(i.rs1);
        let expected = b.reg(i.rd);
        let new = b.reg(i.rs2);
        let old = b.cas(addr, expected, new)?;
        b.set_reg(i.rd, old);
        Ok(b.next())
    }
    #[inline(always)]
    fn Fence<B: Backend>(b: &mut B, _: &Insn, _: &'static OpInfo) -> Done<B> {
        // Accesses happen in program order here: nothing to wait for.
        Ok(b.next())
    }
    #[inline(always)]
    fn Callg<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        b.callg(i.imm as u32)
    }
    #[inline(always)]
    fn Retg<B: Backend>(b: &mut B, _: &Insn, _: &'static OpInfo) -> Done<B> {
        b.retg()
    }
    #[inline(always)]
    fn Trap<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        b.trap(i.imm as u32)
    }
    #[inline(always)]
    fn Brk<B: Backend>(b: &mut B, _: &Insn, _: &'static OpInfo) -> Done<B> {
        b.breakpoint()
    }
    #[inline(always)]
    fn Iret<B: Backend>(b: &mut B, _: &Insn, _: &'static OpInfo) -> Done<B> {
        b.iret()
    }
    #[inline(always)]
    fn Halt<B: Backend>(b: &mut B, _: &Insn, _: &'static OpInfo) -> Done<B> {
        let code = b.reg(isa_spec::regs::A0);
        b.halt(code)
    }
    #[inline(always)]
    fn Wfi<B: Backend>(b: &mut B, _: &Insn, _: &'static OpInfo) -> Done<B> {
        b.wfi()
    }
    #[inline(always)]
    fn Tlbflush<B: Backend>(b: &mut B, _: &Insn, _: &'static OpInfo) -> Done<B> {
        b.tlb_flush()?;
        Ok(b.next())
    }
    #[inline(always)]
    fn Tlbinval<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let va = b.reg(i.rs1);
        b.tlb_invalidate(va)?;
        Ok(b.next())
    }
    #[inline(always)]
    fn Mfcr<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let v = b.read_cr(i.imm as u8)?;
        b.set_reg(i.rd, v);
        Ok(b.next())
    }
    #[inline(always)]
    fn Mtcr<B: Backend>(b: &mut B, i: &Insn, _: &'static OpInfo) -> Done<B> {
        let v = b.reg(i.rs1);
        b.write_cr(i.imm as u8, v)?;
        Ok(b.next())
    }
}

/// The load-use stall of an instruction that reads the registers in `sources` (bit r for
/// register r, r0 excluded: [`Insn::source_mask`]) right after an instruction that loaded
/// `last_load` (0: none). Every engine and the translator charge it through here.
#[inline(always)]
pub fn load_use_stall(sources: u32, last_load: u8) -> u32 {
    ((sources >> last_load) & 1) * isa_spec::cost::LOAD_USE_STALL
}

/// The register `insn` loads (for the next instruction's load-use stall), or 0.
#[inline(always)]
pub fn load_dest(insn: &Insn) -> u8 {
    if insn.op.info().kind == isa_spec::Kind::Load {
        insn.rd
    } else {
        0
    }
}
