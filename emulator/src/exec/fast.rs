//! The fast path: the semantics run inline on registers and RAM only, for the common
//! instructions (ALU, loads and stores that hit the TLB and RAM, branches, jumps); anything
//! else declines with [`Fast::FULL`], having changed nothing. The threaded engine runs its ops
//! here, one instruction or a fused pair per dispatch.

use super::{Backend, Computes, Rf32, Semantics};
use crate::machine::{Access, Machine};
use isa_spec::{Insn, Mem, Opcode, OPS};

/// What the fast path did, as one word (cheaper to return and test than an enum with a
/// payload): one of the named codes, or else the target of a taken branch or jump (always a
/// multiple of 4, so it never collides with the codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Fast(pub u32);

impl Fast {
    /// Executed; continue at pc + 4.
    pub const NEXT: Fast = Fast(1);
    /// Nothing changed: run the full path (`Machine::complete`).
    pub const FULL: Fast = Fast(2);
    /// Executed (a store into translated code); a block must end here.
    pub const EXIT: Fast = Fast(3);
    /// Executed after a TLB refill ([`Machine::fast_refill`]): the walk's cycles are in
    /// `acc_walk`, and a block must end here if the walk's A/D write or the store set
    /// `block_exit`. Continue at pc + 4.
    pub const WALKED: Fast = Fast(5);

    /// Is this a taken branch or jump (the value is its target)?
    #[inline(always)]
    pub fn is_jump(self) -> bool {
        self.0 & 3 == 0
    }
}

/// Why the fast path declined an instruction (having changed nothing).
pub enum Decline {
    /// It needs the full path.
    Full,
    /// A memory access missed the TLB: the fast path may refill it and run the instruction
    /// again (`refill_and_run`).
    Miss,
}

/// The machine as the fast path's [`Backend`], for the instruction at `pc()` (computed only
/// where used) in `ring` with paging `paging`.
struct FastPath<'m, P> {
    m: &'m mut Machine,
    pc: P,
    ring: u8,
    paging: bool,
    /// Refill the TLB on a miss (else decline with [`Decline::Miss`]). Off on the first
    /// attempt, so that its results are constants the caller's tests fold with.
    refill: bool,
    /// What [`Backend::next`] reports: [`Fast::NEXT`], or [`Fast::WALKED`] after a TLB refill,
    /// [`Fast::EXIT`] after a store into translated code.
    after: Fast,
}

impl<P: Fn() -> u32> FastPath<'_, P> {
    /// The RAM index of an access of `size` bytes at `va`, through the TLB, refilling it on a
    /// miss if `refill` (then `after` says so).
    #[inline(always)]
    fn ram_index(&mut self, va: u32, size: u32, access: Access) -> Result<usize, Decline> {
        match self
            .m
            .fast_ram_index(va, size, access, self.ring, self.paging)
        {
            Some(x) => Ok(x),
            None if self.paging && !self.refill => Err(Decline::Miss),
            None if self.paging => {
                let code_vpn = (self.pc)() >> 12;
                let x = self.m.fast_refill(va, size, access, self.ring, code_vpn);
                self.after = Fast::WALKED;
                x.ok_or(Decline::Full)
            }
            None => Err(Decline::Full),
        }
    }
}

impl<P> Computes for FastPath<'_, P> {}

impl<P: Fn() -> u32> Backend for FastPath<'_, P> {
    type Out = Fast;
    type Stop = Decline;

    #[inline(always)]
    fn reg(&mut self, r: u8) -> u32 {
        self.m.cpu.regs[r as usize & 31]
    }
    #[inline(always)]
    fn set_reg(&mut self, r: u8, v: u32) {
        // Writing r0 and then clearing it is cheaper than testing rd.
        self.m.cpu.regs[r as usize & 31] = v;
        self.m.cpu.regs[0] = 0;
    }
    #[inline(always)]
    fn pc(&mut self) -> u32 {
        (self.pc)()
    }
    #[inline(always)]
    fn pc_rel(&mut self, off: i32) -> u32 {
        // The target is a multiple of 4 (pc is, and decoding scales the offset by 4); the
        // mask tells the compiler, so a caller's tests for the result codes fold away.
        (self.pc)().wrapping_add(off as u32) & !3
    }
    #[inline(always)]
    fn divisor(&mut self, d: u32) -> Result<u32, Decline> {
        if d == 0 {
            Err(Decline::Full)
        } else {
            Ok(d)
        }
    }
    #[inline(always)]
    fn load(&mut self, addr: u32, mem: Mem) -> Result<u32, Decline> {
        let size = mem.size();
        // No check of the debugger's read watch here: while one is set, the threaded engine
        // translates loads to `Handler::Full` (the full path reports watched reads).
        let x = self.ram_index(addr, size, Access::Read)?;
        // SAFETY: `ram_index` returns only an index that `fast_ram_index` or `fast_refill`
        // found inside this machine's RAM (`Ram::contains(x, size)`).
        Ok(mem.extend(unsafe { self.m.ram.load(x, size) }))
    }
    #[inline(always)]
    fn store(&mut self, addr: u32, mem: Mem, v: u32) -> Result<(), Decline> {
        if self.m.trace_writes.is_some() {
            return Err(Decline::Full);
        }
        let size = mem.size();
        let x = self.ram_index(addr, size, Access::Write)?;
        // A plain store when the chunk holds no translated code, else checked (the order of
        // writing and noting is not visible: a code-page or watch hit only ends the block).
        // Noted by address only (`note_store`, which records a watched store exactly for the
        // debugger, cost 2-10% here): a watched write is reported, its exact access is not.
        // SAFETY: as for `load`: `x + size` is inside this machine's RAM.
        unsafe { self.m.ram_store_hit::<false>(addr, x, size, v) };
        if self.after == Fast::NEXT && self.m.block_exit {
            self.after = Fast::EXIT;
        }
        Ok(())
    }
    #[inline(always)]
    fn cas(&mut self, _: u32, _: u32, _: u32) -> Result<u32, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn next(&mut self) -> Fast {
        self.after
    }
    #[inline(always)]
    fn branch(&mut self, taken: u32, target: u32) -> Fast {
        if taken != 0 {
            Fast(target)
        } else {
            Fast::NEXT
        }
    }
    #[inline(always)]
    fn jump(&mut self, rd: u8, link: u32, target: u32) -> Result<Fast, Decline> {
        if target & 3 != 0 {
            // A misaligned jalr target (it faults at the next fetch): the full path.
            return Err(Decline::Full);
        }
        self.set_reg(rd, link);
        Ok(Fast(target))
    }
    #[inline(always)]
    fn callg(&mut self, _: u32) -> Result<Fast, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn retg(&mut self) -> Result<Fast, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn trap(&mut self, _: u32) -> Result<Fast, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn breakpoint(&mut self) -> Result<Fast, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn iret(&mut self) -> Result<Fast, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn halt(&mut self, _: u32) -> Result<Fast, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn wfi(&mut self) -> Result<Fast, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn tlb_flush(&mut self) -> Result<(), Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn tlb_invalidate(&mut self, _: u32) -> Result<(), Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn read_cr(&mut self, _: u8) -> Result<u32, Decline> {
        Err(Decline::Full)
    }
    #[inline(always)]
    fn write_cr(&mut self, _: u8, _: u32) -> Result<(), Decline> {
        Err(Decline::Full)
    }
}

/// Runs `$op`'s semantics on the fast path for `$i` at `$pc()`: its [`Fast`] result.
macro_rules! fast_op {
    ($op:ident, $m:expr, $i:expr, $pc:expr, $ring:expr, $paging:expr) => {{
        let (i, pc): (&Insn, _) = ($i, $pc);
        let mut b = FastPath {
            m: &mut *$m,
            pc,
            ring: $ring,
            paging: $paging,
            refill: false,
            after: Fast::NEXT,
        };
        let row = const { &OPS[Opcode::$op as usize] };
        match <Rf32 as Semantics>::$op(&mut b, i, row) {
            Ok(r) => r,
            Err(Decline::Full) => Fast::FULL,
            Err(Decline::Miss) => refill_and_run(b.m, i, pc(), $ring),
        }
    }};
}

/// Runs `i` (at `pc`, paging on) again after its access missed the TLB, refilling it
/// ([`Machine::fast_refill`]): [`Fast::WALKED`] (or a store's [`Fast::EXIT`]), or
/// [`Fast::FULL`] when the refill is not for the fast path. Out of line: hits are the
/// common case.
#[cold]
#[inline(never)]
fn refill_and_run(m: &mut Machine, i: &Insn, pc: u32, ring: u8) -> Fast {
    let mut b = FastPath {
        m,
        pc: || pc,
        ring,
        paging: true,
        refill: true,
        after: Fast::NEXT,
    };
    super::run(&mut b, i).unwrap_or(Fast::FULL)
}

/// Two ops run as one dispatch: `$first` on `$i`, then, if it went on to pc + 4, `$second`
/// on `$next()` at that pc. Returns the second's result and calls `$fused()` when both ran;
/// the first's result when only it ran (the caller then runs the second on its own).
macro_rules! fused_pair {
    ($first:ident, $second:ident, $m:ident, $i:ident, $next:ident, $fused:ident, $pc:ident, $ring:ident, $paging:ident) => {{
        let r = fast_op!($first, $m, $i, &$pc, $ring, $paging);
        if r != Fast::NEXT {
            r
        } else {
            let r = fast_op!(
                $second,
                $m,
                $next(),
                || $pc().wrapping_add(4),
                $ring,
                $paging
            );
            if r == Fast::FULL {
                Fast::NEXT
            } else {
                $fused();
                r
            }
        }
    }};
}

macro_rules! define_handlers {
    ($($variant:ident $mn:literal $fmt:ident $major:literal $funct:literal $cyc:literal $privd:ident $kind:ident $mem:tt $cond:tt $sum:literal;)*) => {
        // Which pairs run fused is a speed choice (the pairs the bench kernels' loops run
        // most), not semantics: a fused pair runs both instructions' own semantics.
        define_handlers!(@with [$($variant)*]
            [AddiBeq Addi Beq, AddiBne Addi Bne, AddiBlt Addi Blt, AddiBge Addi Bge,
             AddiBltu Addi Bltu, AddiBgeu Addi Bgeu,
             AddBeq Add Beq, AddBne Add Bne, AddBlt Add Blt, AddBge Add Bge,
             AddBltu Add Bltu, AddBgeu Add Bgeu,
             AddiAddi Addi Addi, AddiAdd Addi Add, AddAddi Add Addi,
             MulAdd Mul Add, SlliAdd Slli Add]);
    };
    (@with [$($variant:ident)*] [$($pair:ident $first:ident $second:ident),*]) => {
        /// How the threaded engine runs an op: one instruction's fast path (the instruction's
        /// own name), or a common pair together ([`Handler::fused`]), such as an ALU
        /// instruction and the conditional branch after it (`AddiBne`: `addi` then `bne`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        #[allow(missing_docs)]
        pub enum Handler {
            $($variant = Opcode::$variant as u8,)*
            $($pair,)*
            /// No fast path: the op always runs on the full path (loads while the debugger
            /// watches reads, so that the machine reports them).
            Full,
        }

        impl Handler {
            /// The handler of one instruction.
            pub fn of(op: Opcode) -> Handler {
                match op {
                    $(Opcode::$variant => Handler::$variant,)*
                }
            }

            /// The handler running `first` and then `second` together, if there is one.
            pub fn fused(first: Opcode, second: Opcode) -> Option<Handler> {
                match (first, second) {
                    $((Opcode::$first, Opcode::$second) => Some(Handler::$pair),)*
                    _ => None,
                }
            }
        }

        /// The fast path of a threaded op by its [`Handler`], for `i` at `pc()`: a fused
        /// handler runs `i` and then `next()` (the op after it) when `may_fuse`, calls
        /// `fused()` (the caller moves on to the second op) and returns the pair's result;
        /// otherwise `i` alone runs. `ring` and `paging` are the machine's (passed in so that
        /// the caller's knowledge of them folds). A TLB miss is refilled here
        /// ([`Fast::WALKED`]).
        #[inline(always)]
        #[allow(clippy::too_many_arguments)]
        pub fn exec_handler<'a>(
            m: &mut Machine,
            h: Handler,
            i: &Insn,
            next: impl Fn() -> &'a Insn,
            may_fuse: bool,
            mut fused: impl FnMut(),
            pc: impl Fn() -> u32,
            ring: u8,
            paging: bool,
        ) -> Fast {
            match h {
                $(Handler::$variant => fast_op!($variant, m, i, &pc, ring, paging),)*
                Handler::Full => Fast::FULL,
                $(Handler::$pair => {
                    if may_fuse {
                        fused_pair!($first, $second, m, i, next, fused, pc, ring, paging)
                    } else {
                        fast_op!($first, m, i, &pc, ring, paging)
                    }
                })*
            }
        }
    };
}
isa_spec::for_each_op!(define_handlers);
