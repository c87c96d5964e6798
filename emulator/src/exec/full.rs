//! The full path: the semantics run on the machine itself, with every check (faults, devices,
//! gates), then retirement and cycle accounting. Everything the fast path declines comes here.

use super::retire::Counters;
use super::{load_dest, load_use_stall, run, Backend, Computes};
use crate::fault::Fault;
use crate::machine::{touches, Access, Exit, Machine, Via, WatchedAccess};
use isa_spec::cost::TAKEN_PENALTY;
use isa_spec::cr::{cause, num, vector};
use isa_spec::{Insn, Mem};

/// What an instruction did to control flow.
#[derive(Debug)]
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

/// Why the full path stopped short of completing an instruction.
pub(crate) enum Stop {
    /// It raises this exception (nothing has changed).
    Fault(Fault),
    /// Asked for RAM hits only: its access needs a TLB walk or a device (nothing has changed).
    Slow,
}

impl From<Fault> for Stop {
    fn from(f: Fault) -> Stop {
        Stop::Fault(f)
    }
}

/// The machine as a [`Backend`]: the instruction at `pc` runs with every check. With `HITS`,
/// only memory accesses that hit the TLB and RAM are made (the others stop with
/// [`Stop::Slow`]).
struct Full<'m, const HITS: bool> {
    m: &'m mut Machine,
    pc: u32,
}

impl<const HITS: bool> Full<'_, HITS> {
    /// The RAM index of an access that needs no walk and reaches RAM (the MMU's TLB-hit
    /// check, which the machine's own `load`/`store` would make first too); `None`: those.
    #[inline(always)]
    fn ram_hit(&mut self, va: u32, size: u32, access: Access) -> Option<usize> {
        let paging = self.m.cpu.paging();
        let ring = self.m.cpu.ring();
        self.m.fast_ram_index(va, size, access, ring, paging)
    }
}

impl<const HITS: bool> Computes for Full<'_, HITS> {}

impl<const HITS: bool> Backend for Full<'_, HITS> {
    type Out = Flow;
    type Stop = Stop;

    #[inline(always)]
    fn reg(&mut self, r: u8) -> u32 {
        self.m.cpu.reg(r)
    }
    #[inline(always)]
    fn set_reg(&mut self, r: u8, v: u32) {
        self.m.cpu.set_reg(r, v)
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
    fn divisor(&mut self, d: u32) -> Result<u32, Stop> {
        if d == 0 {
            Err(Fault::new(vector::DIVIDE, 0).into())
        } else {
            Ok(d)
        }
    }
    #[inline(always)]
    fn load(&mut self, addr: u32, mem: Mem) -> Result<u32, Stop> {
        let size = mem.size();
        let raw = match self.ram_hit(addr, size, Access::Read) {
            Some(x) => {
                // As the machine's load does it (`phys_load`).
                if !self.m.read_watch.is_empty() {
                    self.m.check_read_watch(addr, x as u32, size);
                }
                // SAFETY: `ram_hit` (`fast_ram_index`) returns only an index inside this
                // machine's RAM (`Ram::contains(x, size)`).
                unsafe { self.m.ram.load(x, size) }
            }
            None if HITS => return Err(Stop::Slow),
            None => self.m.load(addr, size)?,
        };
        Ok(mem.extend(raw))
    }
    #[inline(always)]
    fn store(&mut self, addr: u32, mem: Mem, v: u32) -> Result<(), Stop> {
        let size = mem.size();
        match self.ram_hit(addr, size, Access::Write) {
            Some(x) if self.m.trace_writes.is_none() => {
                // As the machine's store does it (`phys_store`), with the code-page test
                // skipped for a chunk that holds no translated code.
                // SAFETY: as for `load`: `x + size` is inside this machine's RAM.
                unsafe { self.m.ram_store_hit::<true>(addr, x, size, v) };
                Ok(())
            }
            _ if HITS => Err(Stop::Slow),
            _ => Ok(self.m.store(addr, size, v)?),
        }
    }
    fn cas(&mut self, addr: u32, expected: u32, new: u32) -> Result<u32, Stop> {
        if HITS {
            return Err(Stop::Slow);
        }
        Ok(self.m.cas(addr, expected, new)?)
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
    fn jump(&mut self, rd: u8, link: u32, target: u32) -> Result<Flow, Stop> {
        self.m.cpu.set_reg(rd, link);
        Ok(Flow::Jump(target))
    }
    fn callg(&mut self, gate: u32) -> Result<Flow, Stop> {
        Ok(self.m.callg(gate, self.pc).map(|_| Flow::Set)?)
    }
    fn retg(&mut self) -> Result<Flow, Stop> {
        Ok(self.m.retg().map(|_| Flow::Set)?)
    }
    fn trap(&mut self, v: u32) -> Result<Flow, Stop> {
        Ok(self.m.check_trap(v).map(|_| Flow::Deliver(v as u8))?)
    }
    fn breakpoint(&mut self) -> Result<Flow, Stop> {
        Ok(Flow::Deliver(vector::BREAKPOINT))
    }
    fn iret(&mut self) -> Result<Flow, Stop> {
        Ok(self.m.iret().map(|_| Flow::Set)?)
    }
    fn halt(&mut self, code: u32) -> Result<Flow, Stop> {
        Ok(Flow::Halt(code))
    }
    fn wfi(&mut self) -> Result<Flow, Stop> {
        Ok(Flow::Wait)
    }
    fn tlb_flush(&mut self) -> Result<(), Stop> {
        self.m.tlb.flush();
        Ok(())
    }
    fn tlb_invalidate(&mut self, va: u32) -> Result<(), Stop> {
        self.m.tlb.invalidate(va >> 12);
        Ok(())
    }
    fn read_cr(&mut self, n: u8) -> Result<u32, Stop> {
        Ok(self.m.cpu.read_cr(n))
    }
    fn write_cr(&mut self, n: u8, v: u32) -> Result<(), Stop> {
        self.m.write_cr(n, v);
        Ok(())
    }
}

/// Runs `insn`'s semantics at `pc` on the machine, without retiring it: its control flow, or
/// the fault it raises.
#[inline(always)]
fn execute(m: &mut Machine, insn: &Insn, pc: u32) -> Result<Flow, Fault> {
    run(&mut Full::<false> { m, pc }, insn).map_err(|stop| match stop {
        Stop::Fault(f) => f,
        Stop::Slow => unreachable!("only asked of a run for hits"),
    })
}

/// [`execute`] for an engine that retires by itself, as long as the instruction's memory
/// access, if any, hits the TLB and RAM: else it stops, having changed nothing.
#[inline(always)]
pub(crate) fn execute_hits(m: &mut Machine, insn: &Insn, pc: u32) -> Result<Flow, Stop> {
    run(&mut Full::<true> { m, pc }, insn)
}

impl Machine {
    /// Executes `insn`, fetched from `pc`, to completion: privilege check, semantics, cycle
    /// accounting, retirement — or a precise fault. The caller has reset the per-instruction
    /// accumulators (fetch walks are already in them).
    #[inline(always)]
    pub fn retire(&mut self, insn: &Insn, pc: u32) {
        let info = insn.op.info();
        if info.privileged && self.cpu.ring() != 0 {
            self.take_fault(Fault::new(vector::PRIVILEGE, pc), pc);
            return;
        }
        let stall = load_use_stall(insn.source_mask(), self.cpu.last_load);
        self.complete(insn, pc, info.cycles + stall, load_dest(insn));
    }

    /// Executes and retires `insn` whose privilege has been checked, charging `base` (table cost
    /// plus any load-use stall); `load_dest` is the register it loads, or 0 — the part of
    /// [`Machine::retire`] engines that know those share.
    #[inline(always)]
    pub(crate) fn complete(&mut self, insn: &Insn, pc: u32, base: u32, load_dest: u8) {
        self.acc_base = base;
        match execute(self, insn, pc) {
            Ok(flow) => self.finish(pc, flow, load_dest),
            Err(f) => self.take_fault(f, pc),
        }
    }

    /// Retires the instruction at `pc` that executed with `flow` and loaded `load_dest` (or
    /// 0): pc, cycles, counts, load-use state, then what the flow asks for after retirement
    /// and any power request it made.
    #[inline(always)]
    fn finish(&mut self, pc: u32, flow: Flow, load_dest: u8) {
        let next_pc = match flow {
            Flow::Next | Flow::Deliver(_) | Flow::Wait => pc.wrapping_add(4),
            Flow::Jump(t) => {
                self.acc_extra += TAKEN_PENALTY;
                t
            }
            Flow::Set => self.cpu.pc,
            Flow::Halt(code) => {
                self.stop = Some(Exit::Halted(code));
                pc.wrapping_add(4)
            }
        };
        let mut counters = Counters::of(self);
        let cycles = self.acc_base + std::mem::take(&mut self.acc_walk) + self.acc_extra;
        counters.retire(next_pc, cycles as u64, load_dest);
        counters.store(self);
        match flow {
            Flow::Deliver(v) => self.raise(v, cause(v, 0), 0, pc.wrapping_add(4)),
            Flow::Wait => self.wait_for_interrupt(),
            Flow::Next | Flow::Jump(_) | Flow::Set | Flow::Halt(_) => {}
        }
        if self.dev.power.request.is_some() {
            self.take_power_request();
        }
    }

    /// Acts on the request the guest made of the power controller.
    #[cold]
    fn take_power_request(&mut self) {
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
        let Some(old) = self.ram.get(pa, 4) else {
            return Err(Fault::new(vector::BUS_ERROR, addr));
        };
        // A read and (whether or not it stores) a write, for the debugger's watch.
        if !self.watch.is_empty() || !self.read_watch.is_empty() {
            self.check_cas_watch(addr, pa);
        }
        if old == expected {
            self.set_ram_word(pa, new);
            if let Some(w) = &mut self.trace_writes {
                w.push((addr, 4, new));
            }
        }
        Ok(old)
    }

    /// The debugger's watch for `cas` at `va` (physical `pa`): a read and a write of the
    /// word, whether or not it stores.
    #[cold]
    fn check_cas_watch(&mut self, va: u32, pa: u32) {
        if touches(&self.watch, pa, 4) || touches(&self.read_watch, pa, 4) {
            self.watch_hit = true;
            self.block_exit = true;
            self.watched = Some(WatchedAccess {
                va,
                pa,
                size: 4,
                read: true,
                write: true,
            });
        }
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
