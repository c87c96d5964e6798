//! The full path: the semantics run on the machine itself, with every check (faults, devices,
//! gates), then retirement and cycle accounting. Everything the fast path declines comes here.

use super::{run, Backend, Bin};
use crate::fault::Fault;
use crate::machine::{Access, Exit, Machine, Via};
use isa_spec::cost::{LOAD_USE_STALL, TAKEN_PENALTY};
use isa_spec::cr::{cause, num, vector};
use isa_spec::{Cond, Insn, Kind, Mem};

/// What an instruction did to control flow.
pub enum Flow {
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

/// The machine as a [`Backend`]: the instruction at `pc` runs with every check.
struct Full<'m> {
    m: &'m mut Machine,
    pc: u32,
}

impl Backend for Full<'_> {
    type V = u32;
    type Out = Flow;
    type Stop = Fault;

    #[inline(always)]
    fn reg(&mut self, r: u8) -> u32 {
        self.m.cpu.reg(r)
    }
    #[inline(always)]
    fn set_reg(&mut self, r: u8, v: u32) {
        self.m.cpu.set_reg(r, v)
    }
    #[inline(always)]
    fn konst(&mut self, x: u32) -> u32 {
        x
    }
    #[inline(always)]
    fn pc(&mut self) -> u32 {
        self.pc
    }
    #[inline(always)]
    fn pc_rel(&mut self, off: i32) -> u32 {
        self.pc.wrapping_add(off as u32)
    }
    #[inline(always)]
    fn bin(&mut self, op: Bin, a: u32, b: u32) -> u32 {
        op.apply(a, b)
    }
    #[inline(always)]
    fn cmp(&mut self, c: Cond, a: u32, b: u32) -> u32 {
        c.holds(a, b) as u32
    }
    #[inline(always)]
    fn divisor(&mut self, d: u32) -> Result<u32, Fault> {
        if d == 0 {
            Err(Fault::new(vector::DIVIDE, 0))
        } else {
            Ok(d)
        }
    }
    #[inline(always)]
    fn load(&mut self, addr: u32, mem: Mem) -> Result<u32, Fault> {
        self.m.load(addr, mem.size()).map(|raw| mem.extend(raw))
    }
    #[inline(always)]
    fn store(&mut self, addr: u32, mem: Mem, v: u32) -> Result<(), Fault> {
        self.m.store(addr, mem.size(), v)
    }
    fn cas(&mut self, addr: u32, expected: u32, new: u32) -> Result<u32, Fault> {
        self.m.cas(addr, expected, new)
    }
    #[inline(always)]
    fn next(&mut self) -> Flow {
        Flow::Next
    }
    #[inline(always)]
    fn branch(&mut self, taken: u32, target: u32) -> Flow {
        if taken != 0 {
            Flow::Jump(target)
        } else {
            Flow::Next
        }
    }
    #[inline(always)]
    fn jump(&mut self, rd: u8, link: u32, target: u32) -> Result<Flow, Fault> {
        self.m.cpu.set_reg(rd, link);
        Ok(Flow::Jump(target))
    }
    fn callg(&mut self, gate: u32) -> Result<Flow, Fault> {
        self.m.callg(gate, self.pc).map(|_| Flow::Set)
    }
    fn retg(&mut self) -> Result<Flow, Fault> {
        self.m.retg().map(|_| Flow::Set)
    }
    fn trap(&mut self, v: u32) -> Result<Flow, Fault> {
        self.m.check_trap(v).map(|_| Flow::Deliver(v as u8))
    }
    fn breakpoint(&mut self) -> Result<Flow, Fault> {
        Ok(Flow::Deliver(vector::BREAKPOINT))
    }
    fn iret(&mut self) -> Result<Flow, Fault> {
        self.m.iret().map(|_| Flow::Set)
    }
    fn halt(&mut self, code: u32) -> Result<Flow, Fault> {
        Ok(Flow::Halt(code))
    }
    fn wfi(&mut self) -> Result<Flow, Fault> {
        Ok(Flow::Wait)
    }
    fn tlb_flush(&mut self) -> Result<(), Fault> {
        self.m.tlb.flush();
        Ok(())
    }
    fn tlb_invalidate(&mut self, va: u32) -> Result<(), Fault> {
        self.m.tlb.invalidate(va >> 12);
        Ok(())
    }
    fn read_cr(&mut self, n: u8) -> Result<u32, Fault> {
        Ok(self.m.cpu.read_cr(n))
    }
    fn write_cr(&mut self, n: u8, v: u32) -> Result<(), Fault> {
        self.m.write_cr(n, v);
        Ok(())
    }
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
        match run(&mut Full { m: self, pc }, insn) {
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
            Flow::Next | Flow::Jump(_) | Flow::Set | Flow::Halt(_) => {}
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

    /// `cas`: the word at `addr`, translated as a write whether or not it stores, replaced by
    /// `new` if it equals `expected`. Returns the old word.
    fn cas(&mut self, addr: u32, expected: u32, new: u32) -> Result<u32, Fault> {
        if addr & 3 != 0 {
            return Err(Fault::new(vector::MISALIGNED, addr));
        }
        let ring = self.cpu.ring();
        let pa = self.translate(addr, Access::Write, ring)?;
        if (pa as u64 + 4) > self.ram.len() as u64 {
            return Err(Fault::new(vector::BUS_ERROR, addr));
        }
        let old = self.ram_word(pa);
        if old == expected {
            self.set_ram_word(pa, new);
            if let Some(w) = &mut self.trace_writes {
                w.push((addr, 4, new));
            }
        }
        Ok(old)
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
