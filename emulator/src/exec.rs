//! The semantics of every RF32 instruction, once. Both engines call [`Machine::retire`] with a
//! decoded instruction; only *when* they decode and how they dispatch differs.

use crate::fault::Fault;
use crate::machine::{Exit, Machine, Via};
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
            Ok(flow) => {
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
            Err(f) => self.take_fault(f, pc),
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
    fn wait_for_interrupt(&mut self) {
        while self.dev.pic.deliverable() == 0 {
            let next = self.dev.next_event();
            if next == u64::MAX {
                self.stop = Some(Exit::Idle);
                return;
            }
            self.cpu.cycles = self.cpu.cycles.max(next);
            self.dev.service(self.cpu.cycles);
        }
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
        let branch = |taken: bool| {
            Ok(if taken {
                Flow::Jump(pc.wrapping_add(imm))
            } else {
                Flow::Next
            })
        };
        match i.op {
            Opcode::Add => set(self, a.wrapping_add(b)),
            Opcode::Sub => set(self, a.wrapping_sub(b)),
            Opcode::And => set(self, a & b),
            Opcode::Or => set(self, a | b),
            Opcode::Xor => set(self, a ^ b),
            Opcode::Sll => set(self, a << (b & 31)),
            Opcode::Srl => set(self, a >> (b & 31)),
            Opcode::Sra => set(self, ((a as i32) >> (b & 31)) as u32),
            Opcode::Slt => set(self, ((a as i32) < (b as i32)) as u32),
            Opcode::Sltu => set(self, (a < b) as u32),
            Opcode::Mul => set(self, a.wrapping_mul(b)),
            Opcode::Mulh => set(self, ((a as i32 as i64 * b as i32 as i64) >> 32) as u32),
            Opcode::Mulhu => set(self, ((a as u64 * b as u64) >> 32) as u32),
            Opcode::Div | Opcode::Divu | Opcode::Rem | Opcode::Remu if b == 0 => {
                Err(Fault::new(vector::DIVIDE, 0))
            }
            Opcode::Div => set(self, (a as i32).wrapping_div(b as i32) as u32),
            Opcode::Divu => set(self, a / b),
            Opcode::Rem => set(self, (a as i32).wrapping_rem(b as i32) as u32),
            Opcode::Remu => set(self, a % b),
            Opcode::Addi => set(self, a.wrapping_add(imm)),
            Opcode::Slti => set(self, ((a as i32) < i.imm) as u32),
            Opcode::Sltiu => set(self, (a < imm) as u32),
            Opcode::Andi => set(self, a & imm),
            Opcode::Ori => set(self, a | imm),
            Opcode::Xori => set(self, a ^ imm),
            Opcode::Slli => set(self, a << imm),
            Opcode::Srli => set(self, a >> imm),
            Opcode::Srai => set(self, ((a as i32) >> imm) as u32),
            Opcode::Lui => set(self, imm << 16),
            Opcode::Auipc => set(self, pc.wrapping_add(imm << 16)),
            Opcode::Lb => {
                let v = self.load(addr, 1)?;
                set(self, v as u8 as i8 as i32 as u32)
            }
            Opcode::Lh => {
                let v = self.load(addr, 2)?;
                set(self, v as u16 as i16 as i32 as u32)
            }
            Opcode::Lw => {
                let v = self.load(addr, 4)?;
                set(self, v)
            }
            Opcode::Lbu => {
                let v = self.load(addr, 1)?;
                set(self, v)
            }
            Opcode::Lhu => {
                let v = self.load(addr, 2)?;
                set(self, v)
            }
            Opcode::Sb => self.store(addr, 1, b).map(|_| Flow::Next),
            Opcode::Sh => self.store(addr, 2, b).map(|_| Flow::Next),
            Opcode::Sw => self.store(addr, 4, b).map(|_| Flow::Next),
            Opcode::Beq => branch(a == b),
            Opcode::Bne => branch(a != b),
            Opcode::Blt => branch((a as i32) < (b as i32)),
            Opcode::Bge => branch((a as i32) >= (b as i32)),
            Opcode::Bltu => branch(a < b),
            Opcode::Bgeu => branch(a >= b),
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
