//! The semantics of every RF32 instruction, once. Both engines call [`Machine::retire`] with a
//! decoded instruction; only *when* they decode and how they dispatch differs.

use crate::fault::Fault;
use crate::machine::{Access, Exit, Machine, Via};
use isa_spec::cost::{LOAD_USE_STALL, TAKEN_PENALTY};
use isa_spec::cr::{cause, num, vector};
use isa_spec::regs::A0;
use isa_spec::{Insn, Kind, Opcode};

/// What an instruction did to control flow.
enum Flow {
    /// Fall through to pc + 4.
    Next,
    /// Transfer to this address (taken branch or jump: pays the taken penalty).
    Jump(u32),
    /// The instruction set pc itself (gates, iret).
    Set,
    /// Retire, then deliver this vector with frame pc = pc + 4 (trap, brk).
    Deliver(u8),
    /// Stop the machine with this exit code.
    Halt(u32),
    /// Retire, then sleep until an interrupt is pending.
    Wait,
}

impl Machine {
    /// Executes `insn`, fetched from `pc`, to completion: privilege check, semantics, cycle
    /// accounting, retirement — or a precise fault. The caller has reset the per-instruction
    /// accumulators (fetch walks are already in them).
    #[inline]
    pub fn retire(&mut self, insn: &Insn, pc: u32) {
        let info = insn.op.info();
        if info.privileged && self.cpu.ring() != 0 {
            self.take_fault(Fault::new(vector::PRIVILEGE, pc), pc);
            return;
        }
        let ll = self.cpu.last_load;
        let stall = if ll != 0 && insn.sources().contains(&ll) {
            LOAD_USE_STALL
        } else {
            0
        };
        self.complete(insn, pc, info.cycles + stall);
    }

    /// Executes and retires `insn` whose privilege has been checked, charging `base` (table cost
    /// plus any load-use stall) — the part of [`Machine::retire`] the threaded engine shares.
    #[inline]
    pub(crate) fn complete(&mut self, insn: &Insn, pc: u32, base: u32) {
        self.acc_base = base;
        match self.execute(insn, pc) {
            Ok(flow) => self.finish(insn, pc, flow),
            Err(f) => self.take_fault(f, pc),
        }
    }

    /// Retires `insn` (at `pc`) that executed with `flow`: pc, cycles, counts, load-use state,
    /// then what the flow asks for after retirement and any power request it made.
    #[inline(always)]
    fn finish(&mut self, insn: &Insn, pc: u32, flow: Flow) {
        match flow {
            Flow::Next => self.cpu.pc = pc.wrapping_add(4),
            Flow::Jump(t) => {
                self.acc_extra += TAKEN_PENALTY;
                self.cpu.pc = t;
            }
            Flow::Set => {}
            Flow::Deliver(_) | Flow::Wait => self.cpu.pc = pc.wrapping_add(4),
            Flow::Halt(code) => {
                self.cpu.pc = pc.wrapping_add(4);
                self.stop = Some(Exit::Halted(code));
            }
        }
        self.cpu.cycles += (self.acc_base + self.acc_walk + self.acc_extra) as u64;
        self.acc_walk = 0;
        self.cpu.retired += 1;
        self.cpu.last_load = if insn.op.info().kind == Kind::Load {
            insn.rd
        } else {
            0
        };
        match flow {
            Flow::Deliver(v) => self.raise(v, cause(v, 0), 0, pc.wrapping_add(4)),
            Flow::Wait => self.wait_for_interrupt(),
            _ => {}
        }
        if let Some(req) = self.dev.power.request.take() {
            self.power_request(req);
        }
    }

    fn power_request(&mut self, req: crate::devices::power::PowerRequest) {
        use crate::devices::power::PowerRequest;
        match req {
            PowerRequest::Off(code) => self.stop = Some(Exit::PowerOff(code)),
            PowerRequest::Reset => self.reset(),
        }
    }

    /// `wfi` after retiring: advance the clock to the event that makes an interrupt pending.
    /// The wait stops early at `wait_limit` (the run's cycle budget): device events that never
    /// raise an enabled line (a UART draining, a host poll) would otherwise keep the host busy
    /// forever inside one instruction; the run then ends at its cycle limit, as at any boundary,
    /// with [`Cpu::waiting`](crate::cpu::Cpu::waiting) set, and the next run resumes the wait
    /// ([`Machine::resume_wait`]).
    fn wait_for_interrupt(&mut self) {
        self.cpu.waiting = false;
        while self.dev.pic.deliverable() == 0 {
            let next = self.dev.next_event();
            if next == u64::MAX {
                self.stop = Some(Exit::Idle);
                return;
            }
            if next >= self.wait_limit {
                self.cpu.cycles = self.cpu.cycles.max(self.wait_limit);
                self.cpu.waiting = true;
                return;
            }
            self.cpu.cycles = self.cpu.cycles.max(next);
            if self.service_devices() {
                return;
            }
        }
    }

    /// Goes on with a `wfi` wait that an earlier run's budget cut short, as engines do at the
    /// first boundary of a run. Returns whether the machine is still waiting or stopped (then
    /// the boundary has nothing else to do).
    #[cold]
    pub(crate) fn resume_wait(&mut self) -> bool {
        self.wait_for_interrupt();
        self.cpu.waiting || self.stop.is_some()
    }

    /// Runs the device events due now. A request the host made there (the console's quit)
    /// stops the machine at this boundary; returns whether it did. Every engine services
    /// devices through here, so that a guest running only fast-path code still stops.
    #[inline]
    pub(crate) fn service_devices(&mut self) -> bool {
        self.dev.service(self.cpu.cycles);
        if let Some(req) = self.dev.power.request.take() {
            self.power_request(req);
        }
        self.stop.is_some()
    }

    /// The semantics proper: reads operands, computes, writes results. On `Err` nothing
    /// architectural has changed.
    #[inline]
    fn execute(&mut self, i: &Insn, pc: u32) -> Result<Flow, Fault> {
        let a = self.cpu.reg(i.rs1);
        let b = self.cpu.reg(i.rs2);
        let imm = i.imm as u32;
        let rd = i.rd;
        let addr = a.wrapping_add(imm);
        let set = |m: &mut Machine, v: u32| {
            m.cpu.set_reg(rd, v);
            Ok(Flow::Next)
        };
        if let Some(v) = alu(i.op, a, b, imm, pc) {
            self.cpu.set_reg(rd, v);
            return Ok(Flow::Next);
        }
        if let Some(taken) = branch_taken(i.op, a, b) {
            return Ok(if taken {
                Flow::Jump(pc.wrapping_add(imm))
            } else {
                Flow::Next
            });
        }
        match i.op {
            Opcode::Div | Opcode::Divu | Opcode::Rem | Opcode::Remu => {
                Err(Fault::new(vector::DIVIDE, 0))
            }
            Opcode::Lb | Opcode::Lh | Opcode::Lw | Opcode::Lbu | Opcode::Lhu => {
                let raw = self.load(addr, access_size(i.op))?;
                set(self, extend_load(i.op, raw))
            }
            Opcode::Sb | Opcode::Sh | Opcode::Sw => {
                self.store(addr, access_size(i.op), b).map(|_| Flow::Next)
            }
            Opcode::Jal => {
                self.cpu.set_reg(rd, pc.wrapping_add(4));
                Ok(Flow::Jump(pc.wrapping_add(imm)))
            }
            Opcode::Jalr => {
                self.cpu.set_reg(rd, pc.wrapping_add(4));
                Ok(Flow::Jump(addr))
            }
            Opcode::Cas => self.cas(a, b, i.rd),
            Opcode::Fence => Ok(Flow::Next),
            Opcode::Callg => self.callg(imm, pc).map(|_| Flow::Set),
            Opcode::Retg => self.retg().map(|_| Flow::Set),
            Opcode::Trap => self.check_trap(imm).map(|_| Flow::Deliver(imm as u8)),
            Opcode::Brk => Ok(Flow::Deliver(vector::BREAKPOINT)),
            Opcode::Iret => self.iret().map(|_| Flow::Set),
            // Covered by `alu` and `branch_taken` above.
            Opcode::Add
            | Opcode::Sub
            | Opcode::And
            | Opcode::Or
            | Opcode::Xor
            | Opcode::Sll
            | Opcode::Srl
            | Opcode::Sra
            | Opcode::Slt
            | Opcode::Sltu
            | Opcode::Mul
            | Opcode::Mulh
            | Opcode::Mulhu
            | Opcode::Addi
            | Opcode::Slti
            | Opcode::Sltiu
            | Opcode::Andi
            | Opcode::Ori
            | Opcode::Xori
            | Opcode::Slli
            | Opcode::Srli
            | Opcode::Srai
            | Opcode::Lui
            | Opcode::Auipc
            | Opcode::Beq
            | Opcode::Bne
            | Opcode::Blt
            | Opcode::Bge
            | Opcode::Bltu
            | Opcode::Bgeu => {
                unreachable!("handled by alu/branch_taken")
            }
            Opcode::Halt => Ok(Flow::Halt(self.cpu.reg(A0))),
            Opcode::Wfi => Ok(Flow::Wait),
            Opcode::Tlbflush => {
                self.tlb.flush();
                Ok(Flow::Next)
            }
            Opcode::Tlbinval => {
                self.tlb.invalidate(a >> 12);
                Ok(Flow::Next)
            }
            Opcode::Mfcr => set(self, self.cpu.read_cr(imm as u8)),
            Opcode::Mtcr => {
                self.write_cr(imm as u8, a);
                Ok(Flow::Next)
            }
        }
    }

    /// `cas rd, rs2, (rs1)`: translated as a write whether or not it stores.
    fn cas(&mut self, addr: u32, new: u32, rd: u8) -> Result<Flow, Fault> {
        use crate::machine::Access;
        if addr & 3 != 0 {
            return Err(Fault::new(vector::MISALIGNED, addr));
        }
        let ring = self.cpu.ring();
        let pa = self.translate(addr, Access::Write, ring)?;
        if (pa as u64 + 4) > self.ram.len() as u64 {
            return Err(Fault::new(vector::BUS_ERROR, addr));
        }
        let old = self.ram_word(pa);
        if old == self.cpu.reg(rd) {
            self.set_ram_word(pa, new);
            if let Some(w) = &mut self.trace_writes {
                w.push((addr, 4, new));
            }
        }
        self.cpu.set_reg(rd, old);
        Ok(Flow::Next)
    }

    /// `mtcr`: some registers have side effects or read-only bits.
    fn write_cr(&mut self, n: u8, value: u32) {
        match n {
            num::STATUS => {
                let sp = self.cpu.regs[isa_spec::regs::SP as usize];
                self.set_status(value, Via::Mtcr, sp, 0);
            }
            num::PTBASE => {
                self.cpu.crs[n as usize] = value;
                self.tlb.flush();
            }
            num::IOPL => self.cpu.crs[n as usize] = value & 3,
            num::CYCLE | num::CYCLEH => {}
            _ => self.cpu.crs[n as usize] = value,
        }
    }
}

/// The value of every instruction that only computes `rd` from its operands (`a` = rs1,
/// `b` = rs2, `imm`, `pc`); `None` for every other instruction, and for division by zero
/// (which faults). Both engines use this one definition.
#[inline(always)]
pub fn alu(op: Opcode, a: u32, b: u32, imm: u32, pc: u32) -> Option<u32> {
    Some(match op {
        Opcode::Add => a.wrapping_add(b),
        Opcode::Sub => a.wrapping_sub(b),
        Opcode::And => a & b,
        Opcode::Or => a | b,
        Opcode::Xor => a ^ b,
        Opcode::Sll => a << (b & 31),
        Opcode::Srl => a >> (b & 31),
        Opcode::Sra => ((a as i32) >> (b & 31)) as u32,
        Opcode::Slt => ((a as i32) < (b as i32)) as u32,
        Opcode::Sltu => (a < b) as u32,
        Opcode::Mul => a.wrapping_mul(b),
        Opcode::Mulh => ((a as i32 as i64 * b as i32 as i64) >> 32) as u32,
        Opcode::Mulhu => ((a as u64 * b as u64) >> 32) as u32,
        Opcode::Div if b != 0 => (a as i32).wrapping_div(b as i32) as u32,
        Opcode::Divu if b != 0 => a / b,
        Opcode::Rem if b != 0 => (a as i32).wrapping_rem(b as i32) as u32,
        Opcode::Remu if b != 0 => a % b,
        Opcode::Addi => a.wrapping_add(imm),
        Opcode::Slti => ((a as i32) < (imm as i32)) as u32,
        Opcode::Sltiu => (a < imm) as u32,
        Opcode::Andi => a & imm,
        Opcode::Ori => a | imm,
        Opcode::Xori => a ^ imm,
        Opcode::Slli => a << (imm & 31),
        Opcode::Srli => a >> (imm & 31),
        Opcode::Srai => ((a as i32) >> (imm & 31)) as u32,
        Opcode::Lui => imm << 16,
        Opcode::Auipc => pc.wrapping_add(imm << 16),
        _ => return None,
    })
}

/// Whether a conditional branch is taken; `None` for non-branches.
#[inline(always)]
pub fn branch_taken(op: Opcode, a: u32, b: u32) -> Option<bool> {
    Some(match op {
        Opcode::Beq => a == b,
        Opcode::Bne => a != b,
        Opcode::Blt => (a as i32) < (b as i32),
        Opcode::Bge => (a as i32) >= (b as i32),
        Opcode::Bltu => a < b,
        Opcode::Bgeu => a >= b,
        _ => return None,
    })
}

/// The conditional branch taken exactly when `op` is not (`beq`/`bne`, `blt`/`bge`,
/// `bltu`/`bgeu`: the pairs [`branch_taken`] decides with opposite comparisons); `None` for
/// anything else. The translator uses it to lay a loop out straight (the back edge becomes a
/// branch out of the loop).
pub fn inverse_branch(op: Opcode) -> Option<Opcode> {
    Some(match op {
        Opcode::Beq => Opcode::Bne,
        Opcode::Bne => Opcode::Beq,
        Opcode::Blt => Opcode::Bge,
        Opcode::Bge => Opcode::Blt,
        Opcode::Bltu => Opcode::Bgeu,
        Opcode::Bgeu => Opcode::Bltu,
        _ => return None,
    })
}

/// Bytes accessed by a load or store.
#[inline(always)]
pub fn access_size(op: Opcode) -> u32 {
    match op {
        Opcode::Lb | Opcode::Lbu | Opcode::Sb => 1,
        Opcode::Lh | Opcode::Lhu | Opcode::Sh => 2,
        _ => 4,
    }
}

/// Sign or zero extension of a loaded value.
#[inline(always)]
pub fn extend_load(op: Opcode, raw: u32) -> u32 {
    match op {
        Opcode::Lb => raw as u8 as i8 as i32 as u32,
        Opcode::Lh => raw as u16 as i16 as i32 as u32,
        _ => raw,
    }
}

/// What [`exec_fast`] did, as one word (cheaper to return and test than an enum with a
/// payload): [`NEXT`], [`FULL`], [`EXIT`], [`WALKED`], or else the target of a taken branch or jump (always
/// a multiple of 4, so it never collides with the codes).
pub type Fast = u32;
/// Executed; continue at pc + 4.
pub const NEXT: Fast = 1;
/// Nothing changed: run the full path (`Machine::complete`).
pub const FULL: Fast = 2;
/// Executed (a store into translated code); a block must end here.
pub const EXIT: Fast = 3;
/// Executed after a TLB refill ([`Machine::fast_refill`]): the walk's cycles are in
/// `acc_walk`, and a block must end here if the walk's A/D write or the store set
/// `block_exit`. Continue at pc + 4.
pub const WALKED: Fast = 5;

/// `rs2` or the immediate, by format (for the generated fast-path arms).
macro_rules! operand_b {
    (R, $m:ident, $i:ident) => {
        $m.cpu.regs[$i.rs2 as usize & 31]
    };
    ($other:ident, $m:ident, $i:ident) => {
        $i.imm as u32
    };
}

/// The fast-path arm of one instruction, by kind (for the generated match).
macro_rules! fast_arm {
    (Alu, $fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident, $ring:ident, $paging:ident, $refill:ident) => {
        fast_alu!($fmt, $op, $m, $i, $pc)
    };
    (Mul, $fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident, $ring:ident, $paging:ident, $refill:ident) => {
        fast_alu!($fmt, $op, $m, $i, $pc)
    };
    (Load, $fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident, $ring:ident, $paging:ident, $refill:ident) => {{
        let size = access_size($op);
        let va = $m.cpu.regs[$i.rs1 as usize & 31].wrapping_add($i.imm as u32);
        match $m.fast_ram_index(va, size, Access::Read, $ring, $paging) {
            Some(x) => {
                load_into($m, $i, $op, x, size);
                NEXT
            }
            None if $paging && $refill => {
                match $m.fast_refill(va, size, Access::Read, $ring, $pc() >> 12) {
                    Some(x) => {
                        load_into($m, $i, $op, x, size);
                        WALKED
                    }
                    None => FULL,
                }
            }
            None => FULL,
        }
    }};
    (Store, $fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident, $ring:ident, $paging:ident, $refill:ident) => {{
        let size = access_size($op);
        let va = $m.cpu.regs[$i.rs1 as usize & 31].wrapping_add($i.imm as u32);
        if $m.trace_writes.is_some() {
            FULL
        } else {
            match $m.fast_ram_index(va, size, Access::Write, $ring, $paging) {
                Some(x) => {
                    store_from($m, $i, x, size);
                    if $m.block_exit {
                        EXIT
                    } else {
                        NEXT
                    }
                }
                None if $paging && $refill => {
                    match $m.fast_refill(va, size, Access::Write, $ring, $pc() >> 12) {
                        Some(x) => {
                            store_from($m, $i, x, size);
                            WALKED
                        }
                        None => FULL,
                    }
                }
                None => FULL,
            }
        }
    }};
    (Branch, $fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident, $ring:ident, $paging:ident, $refill:ident) => {{
        let a = $m.cpu.regs[$i.rs1 as usize & 31];
        let b = $m.cpu.regs[$i.rs2 as usize & 31];
        if branch_taken($op, a, b).unwrap_or(false) {
            // The target is a multiple of 4 (pc is, and decoding scales the offset by 4); the
            // mask tells the compiler, so a caller's tests for the other result codes fold away.
            $pc().wrapping_add($i.imm as u32) & !3
        } else {
            NEXT
        }
    }};
    (Jump, $fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident, $ring:ident, $paging:ident, $refill:ident) => {{
        let target = if $op == Opcode::Jal {
            // A multiple of 4, as a branch target is (see there).
            $pc().wrapping_add($i.imm as u32) & !3
        } else {
            $m.cpu.regs[$i.rs1 as usize & 31].wrapping_add($i.imm as u32)
        };
        if target & 3 != 0 {
            // A misaligned jalr target (it faults at the next fetch): the full path.
            FULL
        } else {
            $m.cpu.regs[$i.rd as usize & 31] = $pc().wrapping_add(4);
            $m.cpu.regs[0] = 0;
            target
        }
    }};
    ($other:ident, $fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident, $ring:ident, $paging:ident, $refill:ident) => {
        FULL
    };
}

macro_rules! fast_alu {
    ($fmt:ident, $op:expr, $m:ident, $i:ident, $pc:ident) => {{
        let a = $m.cpu.regs[$i.rs1 as usize & 31];
        let b = operand_b!($fmt, $m, $i);
        match alu($op, a, b, $i.imm as u32, $pc()) {
            Some(v) => {
                // Writing r0 and then clearing it is cheaper than testing rd.
                $m.cpu.regs[$i.rd as usize & 31] = v;
                $m.cpu.regs[0] = 0;
                NEXT
            }
            None => FULL,
        }
    }};
}

macro_rules! define_exec_fast {
    ($($variant:ident $mn:literal $fmt:ident $major:literal $funct:literal $cyc:literal $privd:ident $kind:ident $sum:literal;)*) => {
        /// The fast path both engines share: the common instructions (ALU, loads and stores that
        /// hit the TLB and RAM, branches, `jal`) executed inline with the same semantics as
        /// `Machine::complete` ([`alu`], [`branch_taken`], [`extend_load`]), generated from
        /// the op table. It touches only registers and memory; the caller does the accounting
        /// (cycles, retirement, pc). Returns [`FULL`], having changed nothing, for
        /// everything else. `ring` and `paging` are the machine's (passed in so that a caller
        /// that knows them, such as a translated block, lets the compiler fold them). With
        /// `refill`, a TLB miss is walked here ([`WALKED`]); without, it is [`FULL`].
        #[inline(always)]
        pub fn exec_fast(
            m: &mut Machine,
            i: &Insn,
            pc: impl Fn() -> u32,
            ring: u8,
            paging: bool,
            refill: bool,
        ) -> Fast {
            match i.op {
                $(Opcode::$variant => fast_arm!($kind, $fmt, Opcode::$variant, m, i, pc, ring, paging, refill),)*
            }
        }
    };
}
isa_spec::for_each_op!(define_exec_fast);

/// One ALU instruction of a fused pair (one whose [`alu`] always has a value), `$op` on `$i`:
/// computes and writes `rd`.
macro_rules! alu_step {
    ($op:ident $fmt:ident, $m:ident, $i:expr) => {{
        let i = $i;
        let a = $m.cpu.regs[i.rs1 as usize & 31];
        let b = operand_b!($fmt, $m, i);
        let v = alu(Opcode::$op, a, b, i.imm as u32, 0).unwrap_or(0);
        $m.cpu.regs[i.rd as usize & 31] = v;
        $m.cpu.regs[0] = 0;
    }};
}

/// An ALU op and the conditional branch after it, run as one op (a loop's step and its test,
/// one dispatch instead of two): `$alu` then `$branch`, on the instructions `$i` and `$next()`
/// (whose pc is `$pc() + 4`: an ALU op falls through). Returns the branch's [`Fast`] result.
macro_rules! fused_alu_branch {
    ($alu:ident $fmt:ident, $branch:ident, $m:ident, $i:ident, $next:ident, $pc:ident) => {{
        alu_step!($alu $fmt, $m, $i);
        let n = $next();
        let x = $m.cpu.regs[n.rs1 as usize & 31];
        let y = $m.cpu.regs[n.rs2 as usize & 31];
        if branch_taken(Opcode::$branch, x, y).unwrap_or(false) {
            // A multiple of 4, as a branch target is (see there).
            $pc().wrapping_add(4).wrapping_add(n.imm as u32) & !3
        } else {
            NEXT
        }
    }};
}

/// Two ALU ops run as one op (one dispatch): `$first` on `$i`, then `$second` on `$next()`.
macro_rules! fused_alu_alu {
    ($first:ident $ffmt:ident, $second:ident $sfmt:ident, $m:ident, $i:ident, $next:ident) => {{
        alu_step!($first $ffmt, $m, $i);
        alu_step!($second $sfmt, $m, $next());
        NEXT
    }};
}

macro_rules! define_handlers {
    ($($variant:ident $mn:literal $fmt:ident $major:literal $funct:literal $cyc:literal $privd:ident $kind:ident $sum:literal;)*) => {
        define_handlers!(@with [$($variant $fmt $kind;)*]
            [AddiBeq Addi I Beq, AddiBne Addi I Bne, AddiBlt Addi I Blt, AddiBge Addi I Bge,
             AddiBltu Addi I Bltu, AddiBgeu Addi I Bgeu,
             AddBeq Add R Beq, AddBne Add R Bne, AddBlt Add R Blt, AddBge Add R Bge,
             AddBltu Add R Bltu, AddBgeu Add R Bgeu]
            [AddiAddi Addi I Addi I, AddiAdd Addi I Add R, AddAddi Add R Addi I,
             MulAdd Mul R Add R, SlliAdd Slli Sh Add R]);
    };
    (@with [$($variant:ident $fmt:ident $kind:ident;)*]
        [$($fused:ident $alu:ident $afmt:ident $branch:ident),*]
        [$($pair:ident $first:ident $ffmt:ident $second:ident $sfmt:ident),*]) => {
        /// How the threaded engine runs an op: one instruction's fast path (the instruction's
        /// own name), or a common pair together ([`Handler::fused`]): an ALU instruction and
        /// the conditional branch after it (`AddiBne`: `addi` then `bne`), or two ALU
        /// instructions (`MulAdd`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        #[allow(missing_docs)]
        pub enum Handler {
            $($variant = Opcode::$variant as u8,)*
            $($fused,)*
            $($pair,)*
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
                    $((Opcode::$alu, Opcode::$branch) => Some(Handler::$fused),)*
                    $((Opcode::$first, Opcode::$second) => Some(Handler::$pair),)*
                    _ => None,
                }
            }
        }

        /// [`exec_fast`] for a threaded op by its [`Handler`]: a fused handler runs `i`
        /// and then `next()` (the op after it) when `may_fuse`, calls `fused()` (the caller
        /// moves on to the second op) and returns the pair's result (the branch's, or
        /// [`NEXT`]); otherwise `i` alone runs.
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
            let refill = true;
            match h {
                $(Handler::$variant => fast_arm!($kind, $fmt, Opcode::$variant, m, i, pc, ring, paging, refill),)*
                $(Handler::$fused => {
                    if may_fuse {
                        let r = fused_alu_branch!($alu $afmt, $branch, m, i, next, pc);
                        fused();
                        r
                    } else {
                        fast_alu!($afmt, Opcode::$alu, m, i, pc)
                    }
                })*
                $(Handler::$pair => {
                    if may_fuse {
                        let r = fused_alu_alu!($first $ffmt, $second $sfmt, m, i, next);
                        fused();
                        r
                    } else {
                        fast_alu!($ffmt, Opcode::$first, m, i, pc)
                    }
                })*
            }
        }
    };
}
isa_spec::for_each_op!(define_handlers);

/// A fast-path load's register write, from RAM index `x` (the access checked).
#[inline(always)]
fn load_into(m: &mut Machine, i: &Insn, op: Opcode, x: usize, size: u32) {
    let raw = read_ram(&m.ram, x, size);
    m.cpu.regs[i.rd as usize & 31] = extend_load(op, raw);
    m.cpu.regs[0] = 0;
}

/// A fast-path store's RAM write at index `x` (the access checked). Written first, then
/// noted (the order is not visible: a code-page or watch hit only ends the block), so the RAM
/// bounds check is not repeated.
#[inline(always)]
fn store_from(m: &mut Machine, i: &Insn, x: usize, size: u32) {
    let value = m.cpu.regs[i.rs2 as usize & 31];
    write_ram(&mut m.ram, x, size, value);
    m.note_ram_write(x as u32);
}

#[inline(always)]
fn read_ram(ram: &[u8], x: usize, size: u32) -> u32 {
    // One bounds check and one host load per access (indexing byte by byte costs four).
    match size {
        1 => ram[x] as u32,
        2 => u16::from_le_bytes(ram[x..x + 2].try_into().expect("2 bytes")) as u32,
        _ => u32::from_le_bytes(ram[x..x + 4].try_into().expect("4 bytes")),
    }
}

#[inline(always)]
fn write_ram(ram: &mut [u8], x: usize, size: u32, v: u32) {
    match size {
        1 => ram[x] = v as u8,
        2 => ram[x..x + 2].copy_from_slice(&(v as u16).to_le_bytes()),
        _ => ram[x..x + 4].copy_from_slice(&v.to_le_bytes()),
    }
}

/// The load-use stall of an instruction that reads the registers in `sources` (bit r for
/// register r, r0 excluded) right after an instruction that loaded `last_load` (0: none).
#[inline(always)]
pub fn load_use_stall(sources: u32, last_load: u8) -> u32 {
    ((sources >> last_load) & 1) * LOAD_USE_STALL
}

/// Where an instruction at `pc` whose fast path returned `result` goes next, and the cycles
/// its control flow adds (a taken branch or jump pays the taken penalty).
#[inline(always)]
pub fn fast_flow(pc: u32, result: Fast) -> (u32, u32) {
    if result & 3 == 0 {
        (result, TAKEN_PENALTY)
    } else {
        (pc.wrapping_add(4), 0)
    }
}

impl Machine {
    /// Retires an instruction that [`exec_fast`] executed: cycles (`base` = table cost plus
    /// stall, the taken penalty, and any fetch walk), counts, pc and the load-use state
    /// (`load_dest`: the register it loaded, or 0).
    #[inline(always)]
    pub fn retire_fast(&mut self, pc: u32, base: u32, result: Fast, load_dest: u8) {
        let (next, taken) = fast_flow(pc, result);
        let cost = base + self.acc_walk + taken;
        self.acc_walk = 0;
        self.cpu.pc = next;
        self.cpu.cycles += cost as u64;
        self.cpu.retired += 1;
        self.cpu.last_load = load_dest;
    }
}
